// kexue-notes search: how a query is cut and planned, and how a hit's text is marked.  Pure
// functions (no DOM, no network), so the tests run this very file in Node (tests/js/call.mjs).
// The Han ranges and word rules come from kexue/search/index.py (CONTRACT), emitted by the build
// as ./contract.js next to this file: the index and the query are cut with the same data.
import CONTRACT from "./contract.js";

const SPACED = CONTRACT.spaced;
const SPACED_RE = new RegExp(`[${SPACED}]`, "gu");
const SPACED_ONE = new RegExp(`[${SPACED}]`, "u");
const NON_WORD_RE = new RegExp(`[^${CONTRACT.wordCategories.map((c) => `\\p{${c}}`).join("")}${CONTRACT.wordExtra}]`, "gu");
const BREAK = CONTRACT.wordBreakAfter.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const BREAK_RE = new RegExp(`${BREAK}(?=\\S)`, "g");
const ALNUM = /[A-Za-z0-9]/;

/** Is ``char`` kept in a word (Rust's Unicode \w, as Pagefind keeps it)? */
export function isWordChar(char) {
  NON_WORD_RE.lastIndex = 0;
  return !NON_WORD_RE.test(char);
}

/** A text cut the way the index cuts it (index_words in kexue/search/index.py). */
export function words(text) {
  return text
    .replace(SPACED_RE, " $& ")
    .replace(BREAK_RE, `${CONTRACT.wordBreakAfter} `)
    .split(/\s+/)
    .map((w) => w.replace(NON_WORD_RE, "").toLocaleLowerCase())
    .filter(Boolean);
}

/** How a query is searched: every word (ranked, AND), and each multi-word chunk as a phrase;
 * ``mixed`` are the chunks holding Latin and Han, checked as written (see holds). */
export function plan(query) {
  const chunks = query.trim().split(/\s+/).filter(Boolean);
  const cut = chunks.map(words).filter((ws) => ws.length);
  return {
    chunks,
    all: cut.flat(),
    phrases: cut.filter((ws) => ws.length > 1),
    mixed: chunks.filter((c) => ALNUM.test(c) && SPACED_ONE.test(c)),
  };
}

/** The Pagefind query strings of a plan: the ranked word search, then one exact phrase per
 * multi-word chunk (a result must be in every one of them). */
export function pagefindQueries(query) {
  const p = plan(query);
  if (!p.all.length) return [];
  return [p.all.join(" "), ...p.phrases.map((ws) => `"${ws.join(" ")}"`)];
}

/** Is ``i`` a word boundary for Latin letters and digits (as Pagefind splits words:
 * layerNorm, bert4keras)?  Mirrors _boundary in kexue/dev/search_eval.py. */
export function boundary(text, i) {
  if (i <= 0 || i >= text.length) return true;
  const [a, b] = [text[i - 1], text[i]];
  if (!ALNUM.test(a) || !ALNUM.test(b)) return true;
  const digit = (c) => c >= "0" && c <= "9";
  const lower = (c) => c >= "a" && c <= "z";
  const upper = (c) => c >= "A" && c <= "Z";
  if (digit(a) !== digit(b) || (lower(a) && upper(b))) return true;
  return upper(a) && upper(b) && i + 1 < text.length && lower(text[i + 1]);
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const escapeHtml = (s) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** A pattern for a query chunk in readable text: spaces may stand next to Han characters. */
function chunkPattern(chunk) {
  const chars = [...chunk];
  return chars
    .map((c, i) => escapeRe(c) + (i + 1 < chars.length && (SPACED_ONE.test(c) || SPACED_ONE.test(chars[i + 1])) ? "\\s*" : ""))
    .join("");
}

/** Does ``text`` hold ``chunk`` as written, its Latin ends at word boundaries?  (A phrase
 * of Latin and Han words also matches a part of a longer word: Adam优化器 finds AdamW优化器,
 * since Pagefind indexes adam as a part of adamw, at the same position.) */
export function holds(text, chunk) {
  const head = ALNUM.test(chunk[0]);
  const tail = ALNUM.test(chunk[chunk.length - 1]);
  for (const m of text.matchAll(new RegExp(chunkPattern(chunk), "giu"))) {
    if ((!head || boundary(text, m.index)) && (!tail || boundary(text, m.index + m[0].length))) return true;
  }
  return false;
}

const SPACE_NEAR_SPACED = new RegExp(`\\s+(?=[${SPACED}])|(?<=[${SPACED}])\\s+`, "gu");
const SLASH_SPACE = new RegExp(`${BREAK} (?=\\S)`, "g");
const [MATH, BLOCK] = [CONTRACT.mathGap, CONTRACT.blockGap];
const MATH_RE = new RegExp(`\\s*${escapeRe(MATH)}\\s*`, "gu");
const BLOCKS_RE = new RegExp(`(?:\\s*${escapeRe(BLOCK)})+\\s*`, "gu");
const BLOCK_AFTER_STOP_RE = new RegExp(`([。！？；：，、）」』”]) ${escapeRe(BLOCK)} `, "gu");
const ENDS_RE = new RegExp(`^[\\s${escapeRe(BLOCK)}.]+|[\\s${escapeRe(BLOCK)}]+$`, "gu");

/** The indexed text for reading: no spaces next to Han characters (this corpus writes
 * 用Adam优化器, and the index cannot tell), one " · " per block end, " ⋯ " per formula, no
 * block mark after a full stop or at either end. */
export function readable(content) {
  return content
    .replace(SLASH_SPACE, CONTRACT.wordBreakAfter)
    .replace(SPACE_NEAR_SPACED, "")
    .replace(MATH_RE, ` ${MATH} `)
    .replace(BLOCKS_RE, ` ${BLOCK} `)
    .replace(BLOCK_AFTER_STOP_RE, "$1")
    .replace(ENDS_RE, "");
}

const [NOTE_OPEN, NOTE_CLOSE] = [CONTRACT.noteOpen, CONTRACT.noteClose];
const NOTE_MARKS_RE = new RegExp(`\\s*[${escapeRe(NOTE_OPEN + NOTE_CLOSE)}]\\s*`, "gu");

function hitPattern(chunks) {
  const needles = [...new Set(chunks)].sort((a, b) => b.length - a.length);
  return needles.length ? new RegExp(needles.map(chunkPattern).join("|"), "giu") : null;
}

/** The formulas of a post's "math" meta (kexue/search/index.py encode_tex): each TeX byte
 * is a Braille pattern, formulas are separated by "|", an empty one has no TeX to show. */
export function decodeFormulas(meta) {
  if (!meta) return [];
  const decoder = new TextDecoder();
  return meta.split("|").map((s) => decoder.decode(Uint8Array.from([...s], (c) => c.codePointAt(0) - CONTRACT.texCodeBase)));
}

/** Where the first hit of a query chunk is in ``text`` (-1: none). */
export function firstHit(text, chunks) {
  const re = hitPattern(chunks);
  return re ? text.search(re) : -1;
}

/** Is position ``i`` of ``text`` inside a derivation note of this site (between the index's
 * note marks)? */
export function inNote(text, i) {
  return i >= 0 && text.lastIndexOf(NOTE_OPEN, i) > text.lastIndexOf(NOTE_CLOSE, i);
}

/** ``text`` from ``from`` to ``to`` as HTML: the n-th formula mark of ``text`` shows
 * ``formulas[n]`` (a short inline formula's TeX) when there is one; note marks dropped. */
function shown(text, from, to, formulas) {
  let n = text.slice(0, from).split(MATH).length - 1;
  return text
    .slice(from, to)
    .replace(NOTE_MARKS_RE, " ")
    .split(MATH)
    .map((part, i) => (i ? (formulas[n + i - 1] ? `<code class="kx-tex">${escapeHtml(formulas[n + i - 1])}</code>` : MATH) : "") + escapeHtml(part))
    .join("");
}

/** An excerpt of ``text`` around the first hit of a query chunk, every hit marked (HTML);
 * ``formulas``: the post's short inline formulas (the index's "math" meta), shown as TeX. */
export function excerpt(text, chunks, before = 24, after = 66, formulas = []) {
  const re = hitPattern(chunks);
  const first = re ? text.search(re) : -1;
  const at = Math.max(0, first);
  const start = Math.max(0, first < 0 ? 0 : at - before);
  const end = Math.min(text.length, at + after);
  let html = "";
  let last = start;
  if (re) {
    for (const m of text.slice(start, end).matchAll(re)) {
      html += shown(text, last, start + m.index, formulas) + `<mark>${escapeHtml(m[0])}</mark>`;
      last = start + m.index + m[0].length;
    }
  }
  html += shown(text, last, end, formulas);
  return (start > 0 ? "…" : "") + html + (end < text.length ? "…" : "");
}
