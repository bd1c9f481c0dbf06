// Call functions of the figures' ES modules from pytest (tests/nodejs.py).
// One request per stdin line: {"module": "theme/figures/numerics/x.js",
// "calls": [["fn", arg, ...], ...]}; one answer per stdout line: {"results": [...]} or
// {"error": "..."}. Typed arrays become lists, and non-finite numbers are written as NaN,
// Infinity, -Infinity, which Python's json module reads.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

function encode(value) {
  const text = JSON.stringify(value, (key, v) => {
    if (ArrayBuffer.isView(v)) return Array.from(v);
    if (typeof v === "number" && !Number.isFinite(v)) return `\u0000${v}\u0000`;
    return v;
  });
  return text.replace(/"\\u0000(NaN|Infinity|-Infinity)\\u0000"/g, "$1");
}

async function answer(line) {
  const request = JSON.parse(line);
  const mod = await import(pathToFileURL(resolve(request.module)).href);
  const results = [];
  for (const [name, ...args] of request.calls) {
    if (typeof mod[name] !== "function") throw new Error(`${request.module} has no function ${name}`);
    results.push(await mod[name](...args));
  }
  return { results };
}

for await (const line of createInterface({ input: process.stdin })) {
  let reply;
  try {
    reply = await answer(line);
  } catch (error) {
    reply = { error: String(error && error.stack ? error.stack : error) };
  }
  process.stdout.write(encode(reply) + "\n");
}
