// kexue-notes search: the navbar box (Ctrl/⌘-K), the search page (/search/) and the home
// page's topic and tag filters.  The index is built by kexue/search/index.py: every Han character
// is one word at its own position, so a Chinese query is searched as a Pagefind exact
// phrase of its characters ("变 分 法"), which finds exactly the posts containing it,
// whatever Intl.Segmenter or jieba would have made of it.  Read kexue/search/index.py first; the
// query is cut and planned in ./query.js (pure, tested in Node), the page is wired here.

import CONTRACT from "./contract.js";
import { decodeFormulas, escapeHtml, excerpt, firstHit, holds, inNote, pagefindQueries, plan, readable } from "./query.js";

const PAGE_SIZE = 10;

const rootTag = document.querySelector("script[data-kexue-root]");
const ROOT = new URL(rootTag ? rootTag.dataset.kexueRoot : "../../", rootTag ? document.baseURI : import.meta.url);

let enginePromise = null;
function engine() {
  enginePromise ??= (async () => {
    const pagefind = await import(new URL(CONTRACT.pagefind, ROOT).href);
    await pagefind.options({ noWorker: true });
    await pagefind.init();
    return pagefind;
  })();
  return enginePromise;
}

let postsPromise = null;
function posts() {
  postsPromise ??= fetch(new URL(CONTRACT.posts, ROOT)).then((r) => {
    if (!r.ok) throw new Error(`${CONTRACT.posts}: HTTP ${r.status}`);
    return r.json();
  });
  return postsPromise;
}

function pagefindFilters(filters) {
  const out = {};
  if (filters.topic) out.topic = filters.topic;
  if (filters.tag) out.tags = filters.tag;
  return out;
}

/** Pagefind results for a query, best first: phrase matches ranked by the word search. */
export async function search(query, filters = {}) {
  const [ranked, ...phrases] = pagefindQueries(query);
  if (!ranked) return [];
  const pagefind = await engine();
  const opts = { filters: pagefindFilters(filters) };
  let results = (await pagefind.search(ranked, opts)).results;
  for (const phrase of phrases) {
    const ids = new Set((await pagefind.search(phrase, opts)).results.map((r) => r.id));
    results = results.filter((r) => ids.has(r.id));
  }
  return verbatimFirst(results, plan(query).mixed);
}

/** Put the results that hold every mixed Latin/Han chunk as written first (see holds),
 * checking them in rank order until a page of them is found (their fragments are the ones
 * shown anyway). */
async function verbatimFirst(results, mixed, cap = 4 * PAGE_SIZE) {
  if (!mixed.length) return results;
  const held = [];
  const other = [];
  let i = 0;
  for (; i < results.length && i < cap && held.length < PAGE_SIZE; i++) {
    const text = readable((await results[i].data()).content);
    (mixed.every((c) => holds(text, c)) ? held : other).push(results[i]);
  }
  return [...held, ...other, ...results.slice(i)];
}

function hitHtml(hit) {
  const meta = [hit.date ? `<time datetime="${escapeHtml(hit.date)}">${escapeHtml(hit.date)}</time>` : ""];
  if (hit.topic) meta.push(`<span class="kx-topic">${escapeHtml(hit.topic)}</span>`);
  if (hit.note) meta.push(`<span class="kx-note-hit" title="命中的文字在本站撰写的推导注释里，不是原文">本站注释</span>`);
  const ex = hit.excerpt ? `<p class="kx-excerpt">${hit.excerpt}</p>` : "";
  return (
    `<li class="kx-hit"><a class="kx-hit-title" href="${escapeHtml(hit.url)}">${escapeHtml(hit.title)}</a>` +
    `<p class="kx-hit-meta">${meta.filter(Boolean).join(" · ")}</p>${ex}</li>`
  );
}

async function hitFromResult(result, chunks) {
  const data = await result.data();
  const text = readable(data.content);
  const title = data.meta.title || "";
  const head = readable(title);
  const body = text.startsWith(head) ? readable(text.slice(head.length)) : text;
  const formulas = decodeFormulas(data.meta.math);
  const note = inNote(body, firstHit(body, chunks));
  return { url: data.url, title, date: data.meta.date || "", topic: data.meta.topic || "", note, excerpt: excerpt(body, chunks, 24, 66, formulas) };
}

function listingHit(post) {
  return { url: new URL(post.url, ROOT).pathname, title: post.title, date: post.date, topic: post.topic };
}

function filterPosts(list, filters) {
  return list.filter((p) => (!filters.topic || p.topic === filters.topic) && (!filters.tag || p.tags.includes(filters.tag)));
}

/** Order each filter's options by post count; select the values given in the URL. */
function prepareFilters(form, selected) {
  for (const name of ["topic", "tag"]) {
    const select = form.elements[name];
    if (!select) continue; // the home page's topics are its chips
    const [all, ...options] = select.options;
    options.sort((a, b) => b.dataset.count - a.dataset.count || a.value.localeCompare(b.value, "zh"));
    select.replaceChildren(all, ...options);
    select.value = selected[name] || "";
  }
}

function readForm(form) {
  return {
    q: form.elements.q ? form.elements.q.value : "",
    topic: form.elements.topic ? form.elements.topic.value : "",
    tag: form.elements.tag ? form.elements.tag.value : "",
  };
}

function writeUrl(state) {
  const url = new URL(location.href);
  for (const key of ["q", "topic", "tag"]) {
    if (state[key]) url.searchParams.set(key, state[key]);
    else url.searchParams.delete(key);
  }
  history.replaceState(null, "", url);
}

/** The search page: query box, filters, results; window.kexueSearch for the evaluation. */
function searchPage(root) {
  const form = root.querySelector("form.kx-search-form");
  const status = root.querySelector(".kx-status");
  const list = root.querySelector("ol.kx-hits");
  const more = root.querySelector("button.kx-more");
  const params = new URLSearchParams(location.search);
  form.elements.q.value = params.get("q") || "";
  let generation = 0;
  let pending = [];
  let chunks = [];

  async function showMore() {
    const batch = pending.splice(0, PAGE_SIZE);
    const hits = await Promise.all(batch.map((r) => (r.data ? hitFromResult(r, chunks) : r)));
    list.insertAdjacentHTML("beforeend", hits.map(hitHtml).join(""));
    more.hidden = pending.length === 0;
    return hits;
  }

  async function run(state) {
    const mine = ++generation;
    const started = performance.now();
    const q = state.q.trim();
    root.dataset.state = "busy";
    status.textContent = "正在搜索…";
    let results;
    try {
      if (q) {
        results = await search(q, state);
        chunks = plan(q).chunks;
      } else if (state.topic || state.tag) {
        results = filterPosts((await posts()).posts, state).map(listingHit);
        chunks = [];
      } else {
        results = [];
      }
    } catch (err) {
      if (mine !== generation) return null;
      status.textContent = `搜索出错：${err.message}（请刷新页面重试）`;
      root.dataset.state = "error";
      throw err;
    }
    if (mine !== generation) return null;
    list.replaceChildren();
    pending = results.slice();
    const shown = await showMore();
    if (mine !== generation) return null;
    const what = [q && `“${q}”`, state.topic && `主题「${state.topic}」`, state.tag && `标签「${state.tag}」`].filter(Boolean);
    status.textContent = !what.length
      ? "输入关键词，或选择主题、标签。"
      : results.length
        ? `${what.join("、")}：共 ${results.length} 篇文章`
        : `没有找到符合 ${what.join("、")} 的文章`;
    const ms = performance.now() - started;
    root.dataset.state = "done";
    root.dataset.query = q;
    return { urls: shown.map((h) => h.url), total: results.length, ms };
  }

  let timer = 0;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const state = readForm(form);
      writeUrl(state);
      run(state).catch(() => {});
    }, 120);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    schedule();
  });
  more.addEventListener("click", () => showMore());
  // Start loading the engine as soon as the reader starts typing (not on autofocus).
  for (const type of ["keydown", "pointerdown"]) form.elements.q.addEventListener(type, () => engine(), { once: true });

  window.kexueSearch = { run: (q, filters = {}) => run({ q, topic: filters.topic || "", tag: filters.tag || "" }) };
  prepareFilters(form, { topic: params.get("topic") || "", tag: params.get("tag") || "" });
  run(readForm(form))
    .catch(() => {})
    .finally(() => (root.dataset.ready = "true"));
}

/** The home page: filter all posts by topic and tag without a query. */
function indexFilters(root) {
  const form = root.querySelector("form");
  const list = root.querySelector("ol.kx-hits");
  const status = root.querySelector(".kx-status");
  const params = new URLSearchParams(location.search);
  // While filtering, the filtered list stands in for everything after the filter block in
  // <main> (the theme's post list and pager), wherever the index_top hook sits.
  const siblings = () => {
    const out = [];
    for (let el = root; el && !el.matches("main, body"); el = el.parentElement) {
      for (let s = el.nextElementSibling; s; s = s.nextElementSibling) out.push(s);
    }
    return out;
  };
  async function apply() {
    const state = readForm(form);
    writeUrl(state);
    const active = Boolean(state.topic || state.tag);
    for (const el of siblings()) el.hidden = active;
    list.hidden = !active;
    if (!active) {
      status.textContent = "";
      list.replaceChildren();
      return;
    }
    const hits = filterPosts((await posts()).posts, state).map(listingHit);
    list.innerHTML = hits.map(hitHtml).join("");
    status.textContent = hits.length ? `共 ${hits.length} 篇文章` : "没有符合条件的文章";
  }
  form.addEventListener("change", () => apply());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply();
  });
  root.hidden = false;
  prepareFilters(form, { topic: params.get("topic") || "", tag: params.get("tag") || "" });
  apply()
    .catch((err) => (status.textContent = `无法读取文章列表：${err.message}`))
    .finally(() => (root.dataset.ready = "true"));
}

/** The navbar box: Enter opens the search page with the query. */
function navbarBox(box) {
  const input = box.querySelector("input[name=q]");
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.isComposing || !input.value.trim()) return;
    e.preventDefault();
    const url = new URL(box.dataset.searchUrl, document.baseURI);
    url.searchParams.set("q", input.value.trim());
    location.assign(url);
  });
  box.hidden = false;
}

/** Ctrl-K / ⌘-K focuses the search box (the page's own on /search/, else the navbar's). */
function shortcut() {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  for (const kbd of document.querySelectorAll(".kx-kbd")) kbd.textContent = mac ? "⌘K" : "Ctrl K";
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
      const box = document.querySelector(".kx-search-page input[name=q]") || document.querySelector(".kx-search-box input[name=q]");
      if (!box) return;
      e.preventDefault();
      box.focus();
      box.select();
    } else if (e.key === "Escape" && document.activeElement?.matches(".kx-search-box input")) {
      document.activeElement.blur();
    }
  });
}

shortcut();
for (const el of document.querySelectorAll(".kx-search-box")) navbarBox(el);
for (const el of document.querySelectorAll(".kx-search-page")) searchPage(el);
for (const el of document.querySelectorAll(".kx-index-filter")) indexFilters(el);
