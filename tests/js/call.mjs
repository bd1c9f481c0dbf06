// Call functions of a figure's ES module from pytest: `node tests/js/call.mjs < request.json`.
// Request: {"module": "theme/figures/numerics/x.js", "calls": [["fn", arg, ...], ...]}.
// Answer on stdout: a JSON list of results; typed arrays become lists, and non-finite
// numbers are written as NaN / Infinity / -Infinity, which Python's json module reads.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const request = JSON.parse(readFileSync(0, "utf8"));
const mod = await import(pathToFileURL(resolve(request.module)).href);
const results = [];
for (const [name, ...args] of request.calls) {
  if (typeof mod[name] !== "function") throw new Error(`${request.module} has no function ${name}`);
  results.push(await mod[name](...args));
}
const text = JSON.stringify(results, (key, value) => {
  if (ArrayBuffer.isView(value)) return Array.from(value);
  if (typeof value === "number" && !Number.isFinite(value)) return `\u0000${value}\u0000`;
  return value;
});
process.stdout.write(text.replace(/"\\u0000(NaN|Infinity|-Infinity)\\u0000"/g, "$1"));
