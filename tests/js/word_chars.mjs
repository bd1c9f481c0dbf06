// For tests/js/call.mjs: which code points count as word characters, as ranges [lo, hi].
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

function ranges(test) {
  const out = [];
  let start = -1;
  for (let cp = 0; cp <= 0x110000; cp++) {
    const hit = cp <= 0x10ffff && test(String.fromCodePoint(cp));
    if (hit && start < 0) start = cp;
    if (!hit && start >= 0) {
      out.push([start, cp - 1]);
      start = -1;
    }
  }
  return out;
}

/** The word characters of the search's query module (its isWordChar). */
export async function moduleWordRanges(module) {
  const { isWordChar } = await import(pathToFileURL(resolve(module)).href);
  return ranges(isWordChar);
}

/** The word characters of Rust's Unicode \w, which Pagefind keeps in a word (the regex
 * crate's definition: Alphabetic, M, Nd, Pc, Join_Control). */
export function rustWordRanges() {
  const re = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
  return ranges((c) => re.test(c));
}
