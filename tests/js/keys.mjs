// For tests/js/call.mjs: the keys of an object a module exports.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

export async function keys(module, name) {
  return Object.keys((await import(pathToFileURL(resolve(module)).href))[name]);
}
