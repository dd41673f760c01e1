// The search page, over Pagefind's JavaScript API (docs/search.md explains the choices).
//
// Pagefind's ready-made UI is not used: its input has no visible label. This module
// exports the functions that turn what a citizen typed into Pagefind searches and
// results (normaliseQuery, queryVariants, searchSite, excerptOf, subResults), so that
// the tests and bench/ run exactly what the page runs; the page itself is wired up at
// the end, only when the search form is on the page.

const ZWSP = "\u200B";
const SPEAKER_SUFFIX = "-speaker"; // partials/statement.html: <p class="speaker" id="s-…-speaker">
const EXCERPT_WORDS = 40; // Pagefind's words: a Japanese "word" is one to three characters
const SUB_EXCERPT_WORDS = 30;
const MAX_SUB_RESULTS = 3;
export const PAGE_SIZE = 10;

// --- what was typed → the queries Pagefind runs ------------------------------------

/** Full-width Latin letters, digits and symbols (ＤＸ, ４４, ＋) become half-width, as the
 * records have them; the ideographic space separates words like a space; half-width
 * katakana become full-width. Nothing else changes: ①, ㈱ and kana stay as typed. */
export function normaliseQuery(text) {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\uFF61-\uFF9F]+/g, (run) => run.normalize("NFKC"))
    .replace(/[\s\u3000]+/g, " ")
    .trim();
}

/** The query as typed (normalised), and one more query for each synonym of the clerk's
 * list that it contains: マイナ → マイナンバーカード. A term that is already the start of
 * one of its own expansions is left alone (マイナンバーカード contains マイナ). */
export function queryVariants(query, synonyms = {}) {
  const variants = [{ query, term: null, expand: null }];
  for (const [term, expansions] of Object.entries(synonyms)) {
    const at = query.indexOf(term);
    if (!term || at < 0) continue;
    for (const expand of expansions) {
      if (query.startsWith(expand, at)) continue;
      const widened = query.slice(0, at) + expand + query.slice(at + term.length);
      if (!variants.some((v) => v.query === widened)) variants.push({ query: widened, term, expand });
    }
  }
  return variants;
}

// --- segmentation: the query's words, three ways -------------------------------------
//
// The index was segmented by Pagefind's indexer (a dictionary per language, and a
// Chinese one for runs of kanji with no kana around them), the query by the browser's
// Intl.Segmenter: the two disagree (スマホ vs スマ|ホ, 学|務 vs 学務), and Pagefind
// finds a page only if every query word starts one of the page's words. So a query is
// run three ways and the results merged (docs/search.md has the measurements).

function scriptOf(char) {
  if (/[\p{Script=Han}々〆ヶ]/u.test(char)) return "han";
  if (/[\p{Script=Katakana}ー]/u.test(char)) return "kana";
  if (/\p{Script=Hiragana}/u.test(char)) return "hira";
  if (/[\p{L}\p{N}_]/u.test(char)) return "word";
  return null; // punctuation, symbols, spaces: not part of any word
}

/** Runs of one script: スマホ講座 → スマホ, 講座; AI・RPAの活用 → AI, RPA, の, 活用. */
export function scriptRuns(text) {
  const runs = [];
  let run = "";
  let kind = null;
  for (const char of text) {
    const k = scriptOf(char);
    if (run && k !== kind) runs.push({ text: run, kind });
    run = k && k === kind ? run + char : k ? char : "";
    kind = k;
  }
  if (run) runs.push({ text: run, kind });
  return runs;
}

const segmenter = typeof Intl !== "undefined" && Intl.Segmenter
  ? new Intl.Segmenter("ja", { granularity: "word" })
  : null;

/** The words of one part of a query (no spaces in it), segmented `way`:
 * "browser" as Pagefind would (Intl.Segmenter), "runs" by script, "kanji" by script
 * with every kanji on its own. */
export function segment(part, way) {
  if (way === "browser" && segmenter) {
    return [...segmenter.segment(part)]
      .map((s) => s.segment)
      .filter((w) => [...w].some((c) => scriptOf(c)));
  }
  const runs = scriptRuns(part);
  const single = (r) => r.kind === "han" || /^\d+$/.test(r.text);
  if (way === "kanji") return runs.flatMap((r) => (single(r) ? [...r.text] : [r.text]));
  if (way === "starts") return runs.map((r) => [...r.text][0]);
  return runs.map((r) => r.text);
}

export const SEGMENTATIONS = ["browser", "runs", "kanji", "starts"];

// Pages found by these are results even when their text does not hold the query
// literally (its words apart, as Pagefind matches them); pages found only by the
// others must hold it.
const STRICT = ["browser", "runs"];

/** The distinct Pagefind queries for what was typed, [{q, way}]: each segmentation of
 * each part, parts (what the citizen separated by spaces) joined by spaces. */
export function segmentedQueries(query, ways = SEGMENTATIONS) {
  const parts = query.split(" ").filter(Boolean);
  const seen = new Map();
  for (const way of ways) {
    const q = parts.flatMap((p) => segment(p, way)).join(" ");
    if (q && (!seen.has(q) || STRICT.includes(way))) seen.set(q, way);
  }
  return [...seen].map(([q, way]) => ({ q, way }));
}

/** Letters and digits only, lower-case: how a query part and a page are compared. */
export function squeeze(text) {
  return [...text.replaceAll(ZWSP, "").toLowerCase()].filter((c) => scriptOf(c)).join("");
}

const FUSION_K = 60; // reciprocal rank fusion's constant
const VERIFY = 20; // how many of the best candidates are checked for the literal query
// The loose segmentations run only when the strict ones found at most this many pages:
// beyond it the query's words are common ones, which the strict ones do find.
const LOOSE_LIMIT = 200;
// The share of the checked strict candidates that must hold the query for Pagefind's
// other matches to be trusted unchecked.
const TRUSTED = 0.75;

/** Open the site's index, or the parts of it given: the bundle of each part (a large
 * site's index is made in parts, search.py), the first opened and the others merged
 * into it, so that one search asks every part and ranks their results together. Each
 * call makes an instance of its own (Pagefind's createInstance), so that the page can
 * keep the whole index and narrower ones side by side. Pagefind would segment every
 * query with Intl.Segmenter itself; it is opened as language "und" (its index is still
 * the site's only one, the Japanese) so that it takes the words search.js gives it,
 * separated by spaces. */
export async function openIndex(bundles, options = {}) {
  const [first, ...others] = bundles;
  const pagefind = await import(`${first}pagefind.js`);
  const root = document.documentElement;
  const lang = root.getAttribute("lang");
  const settings = { exactDiacritics: true, ...options }; // バス ≠ パス ≠ ハス
  let index;
  root.setAttribute("lang", "und");
  try {
    index = pagefind.createInstance({ ...settings, basePath: first });
  } finally {
    root.setAttribute("lang", lang);
  }
  await index.init();
  await Promise.all(others.map((bundle) => index.mergeIndex(bundle, settings)));
  return index;
}

/** The bundles that can hold a result when filters are set to values found in these
 * municipalities (one list of slugs per filter; an empty list: a value found in every
 * municipality). Each part of the index holds whole municipalities, in slug order, and
 * its bundle is named after the first of them (search.py, plan_shards), so a
 * municipality is in the last bundle named at or before it. A search filtered by a
 * municipality or a body then fetches its part alone instead of every part's index;
 * Pagefind still applies the filters, so the results are the same. */
export function bundlesFor(bundles, municipalities) {
  let wanted = null; // null: any municipality
  for (const where of municipalities.filter((w) => w.length)) {
    wanted = wanted ? wanted.filter((m) => where.includes(m)) : where;
  }
  if (wanted === null || bundles.length === 1) return bundles;
  const firsts = bundles.map((bundle) => bundle.split("/").at(-2));
  const holding = new Set(wanted.map((m) => firsts.findLastIndex((first) => first <= m)));
  const chosen = bundles.filter((_, i) => holding.has(i));
  return chosen.length ? chosen : bundles.slice(0, 1); // filters no record has
}

/** Search for what was typed, in two rounds. First the strict segmentations of every
 * synonym variant, with the same filters; their lists are merged by reciprocal rank
 * fusion, and the best `verify` candidates are checked against their text: those whose
 * title holds every part of the query come first (the closer the title is to the
 * query, the earlier), then those whose text holds them; the others are dropped. Only
 * when fewer than `verify` candidates hold the query, among at most LOOSE_LIMIT found,
 * do the loose segmentations run too (single kanji and first letters find what the
 * strict ones miss, but match words on almost every page, which is slow on a large
 * archive), merged with half the weight.
 * `verify: 0` skips the check and runs every segmentation, returning every page any of
 * them found ranked by fusion alone: how bench/search_ranking.py shows what each adds.
 * Returns {query, results, variants}: results best first, each {id, searches, data}. */
export async function searchSite(
  pagefind,
  typed,
  { filters = {}, synonyms = {}, ways = SEGMENTATIONS, verify = VERIFY } = {},
) {
  const query = normaliseQuery(typed);
  if (!query) return { query, results: [], variants: [] };
  const variants = queryVariants(query, synonyms);
  const widened = variants.filter((v) => v.term);
  const byId = new Map();
  const runAll = async (selected) => {
    const runs = variants.flatMap((variant, v) =>
      segmentedQueries(variant.query, selected).map(({ q, way }) => ({ q, v, way })),
    );
    for (const run of runs) {
      const found = await pagefind.search(run.q, { filters });
      const strict = STRICT.includes(run.way);
      found.results.forEach((result, rank) => {
        const known = byId.get(result.id) ?? { id: result.id, fused: 0, searches: [], variants: [] };
        known.fused += (strict ? 1 : 0.5) / (FUSION_K + rank);
        known.searches.push(result);
        known.variants.push(run.v);
        known.strict ||= strict;
        byId.set(result.id, known);
      });
    }
  };
  const byFusion = (a, b) => b.fused - a.fused || (a.id < b.id ? -1 : 1);
  if (!verify) {
    await runAll(ways);
    return { query, results: [...byId.values()].sort(byFusion), variants: widened };
  }
  const wanted = variants.map((v) => v.query.split(" ").map(squeeze).filter(Boolean));
  const check = async (c) => {
    if (c.tier !== undefined) return;
    c.data = await resultData(c);
    const title = squeeze(c.data.meta?.title ?? "");
    const text = squeeze(c.data.content ?? "");
    const holds = (where) => c.variants.some((v) => wanted[v].every((w) => where.includes(w)));
    const words = Math.max(...c.variants.map((v) => wanted[v].join("").length));
    c.tier = holds(title) ? 0 : holds(text) ? 1 : 2;
    c.cover = c.tier === 0 ? words / title.length : 0; // 1: the title is the query
  };
  const best = async () => {
    const candidates = [...byId.values()].sort(byFusion);
    await Promise.all(candidates.slice(0, verify).map(check));
    return candidates;
  };
  await runAll(ways.filter((w) => STRICT.includes(w)));
  let candidates = await best();
  const loose = ways.filter((w) => !STRICT.includes(w));
  const holding = candidates.slice(0, verify).filter((c) => c.tier < 2).length;
  if (loose.length && holding < verify && candidates.length <= LOOSE_LIMIT) {
    await runAll(loose);
    candidates = await best();
  }
  // The checked candidates that hold the query are the results. The rest of Pagefind's
  // own (strict) matches follow, unchecked, only if nearly every checked strict one
  // held it: when the best candidates stop holding the query, the worse ones will not
  // hold it either (ほげほげ is ほ and げ to Pagefind, which begin words on every page).
  // Nearly, not every: with the index in parts, each part ranks by its own word
  // statistics, and in a small part a page with the query's words apart can rank among
  // the best (it left 19 of 11,526 results at 63 parts, docs/performance.md).
  const checked = candidates.slice(0, verify);
  const byTier = (a, b) => a.tier - b.tier || b.cover - a.cover;
  const results = checked.filter((c) => c.tier < 2).sort((a, b) => byTier(a, b) || byFusion(a, b));
  const checkedStrict = checked.filter((c) => c.strict);
  const held = checkedStrict.filter((c) => c.tier < 2).length;
  if (held >= checkedStrict.length * TRUSTED) {
    results.push(...candidates.slice(verify).filter((c) => c.strict));
  }
  return { query, results, variants: widened };
}

/** The data of a merged result: Pagefind's data of its first search, with the matched
 * word locations of every search that found it (so that every match is highlighted). */
export async function resultData(result) {
  if (result.data) return result.data;
  // One at a time: Pagefind hands every search of a page the same object, and writes
  // each search's locations into it.
  let data = null;
  const seen = new Map();
  for (const search of result.searches) {
    data = await search.data();
    for (const w of data.weighted_locations) {
      const known = seen.get(w.location);
      if (!known || known.balanced_score < w.balanced_score) seen.set(w.location, w);
    }
  }
  const weighted = [...seen.values()].sort((a, b) => a.location - b.location);
  return { ...data, weighted_locations: weighted, locations: weighted.map((w) => w.location) };
}

// --- excerpts and sub-results -------------------------------------------------------

/** The page's words as Pagefind counted them (its locations index into this list). */
export function wordsOf(data) {
  const raw = data.raw_content ?? data.content ?? "";
  const words = raw.includes(ZWSP) ? raw.split(ZWSP) : raw.split(/\s+/);
  return words.map((w) => w.replaceAll("&lt;", "<").replaceAll("&gt;", ">"));
}

/** Where the excerpt of [from, to) starts: the window of `length` words holding the
 * most match weight (the first such window). */
function densestWindow(weighted, from, to, length) {
  if (to - from <= length) return from;
  const score = new Map();
  for (const w of weighted) {
    if (w.location >= from && w.location < to) {
      score.set(w.location, (score.get(w.location) ?? 0) + (w.balanced_score || 1));
    }
  }
  let best = from;
  let bestSum = -1;
  for (let start = from; start <= to - length; start++) {
    let sum = 0;
    for (let i = start; i < start + length; i++) sum += score.get(i) ?? 0;
    if (sum > bestSum) {
      best = start;
      bestSum = sum;
    }
    if (score.size === 0) break;
  }
  // centre the matches a little: start a few words before the first one
  const first = weighted.find((w) => w.location >= best && w.location < best + length);
  if (first) best = Math.max(from, Math.min(best, first.location - Math.floor(length / 4)));
  return Math.min(best, Math.max(from, to - length));
}

/** An excerpt of words [from, to) around the matches: [{text, mark}] pieces, with
 * "…" where the excerpt cuts the text. No HTML: the page builds text nodes from it. */
export function excerptOf(words, weighted, from = 0, to = words.length, length = EXCERPT_WORDS) {
  const start = densestWindow(weighted, from, to, length);
  const end = Math.min(to, start + length);
  const marked = new Set(weighted.map((w) => w.location));
  const pieces = [];
  if (start > from) pieces.push({ text: "…", mark: false });
  for (let i = start; i < end; i++) {
    // Pagefind ends a block that has no closing punctuation with ". ": a space on screen
    const text = words[i] === ". " ? " " : (words[i] ?? "");
    const mark = marked.has(i) && text.trim() !== "";
    const last = pieces[pieces.length - 1];
    if (last && last.mark === mark) last.text += text;
    else pieces.push({ text, mark });
  }
  if (end < to) pieces.push({ text: "…", mark: false });
  // a piece made of whitespace only after trimming the edges is dropped
  if (pieces.length) pieces[0].text = pieces[0].text.trimStart();
  if (pieces.length) pieces[pieces.length - 1].text = pieces[pieces.length - 1].text.trimEnd();
  return pieces.filter((p) => p.text !== "");
}

/** The parts of a page that hold matches, best first: each statement of a meeting (from
 * its speaker line's anchor, linking to the statement) and each heading with an id.
 * Matches before the first of them belong to the page itself and are not listed. */
export function subResults(data, url, max = MAX_SUB_RESULTS) {
  const anchors = (data.anchors ?? [])
    .filter((a) =>
      a.id.endsWith(SPEAKER_SUFFIX) ? true : /^h[1-6]$/i.test(a.element) && /\S/.test(a.text ?? ""),
    )
    .sort((a, b) => a.location - b.location);
  if (!anchors.length) return [];
  const words = wordsOf(data);
  const groups = anchors.map((anchor, i) => ({
    anchor,
    from: anchor.location,
    to: anchors[i + 1]?.location ?? words.length,
    hits: [],
  }));
  for (const w of data.weighted_locations ?? []) {
    let group = null;
    for (const g of groups) if (g.from <= w.location) group = g;
    if (group) group.hits.push(w);
  }
  const base = url.split("#")[0];
  return groups
    .filter((g) => g.hits.length)
    .map((g) => {
      const statement = g.anchor.id.endsWith(SPEAKER_SUFFIX);
      const target = statement ? g.anchor.id.slice(0, -SPEAKER_SUFFIX.length) : g.anchor.id;
      return {
        title: (g.anchor.text ?? "").replace(/\s+/g, " ").trim(),
        url: `${base}#${target}`,
        statement,
        score: g.hits.reduce((sum, w) => sum + (w.balanced_score || 1), 0),
        location: g.from,
        excerpt: excerptOf(words, g.hits, g.from, g.to, SUB_EXCERPT_WORDS),
      };
    })
    .sort((a, b) => b.statement - a.statement || b.score - a.score || a.location - b.location)
    .slice(0, max)
    .sort((a, b) => a.location - b.location);
}

// --- the page ------------------------------------------------------------------------

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

function appendPieces(parent, pieces) {
  for (const piece of pieces) {
    if (piece.mark) {
      const mark = document.createElement("mark");
      mark.textContent = piece.text;
      parent.append(mark);
    } else {
      parent.append(piece.text);
    }
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class SearchPage {
  constructor(form) {
    this.form = form;
    this.input = form.querySelector("#search-q");
    this.selects = [...form.querySelectorAll("select")];
    this.details = form.querySelector("#search-filters");
    this.summary = form.querySelector("#search-filters-summary");
    this.status = document.getElementById("search-status");
    this.synonymNote = document.getElementById("search-synonyms");
    this.section = document.getElementById("search-results");
    this.list = document.getElementById("search-results-list");
    this.more = document.getElementById("search-more");
    this.shown = document.getElementById("search-shown");
    this.help = document.getElementById("search-help");
    this.clear = document.getElementById("search-clear-filters");
    this.text = JSON.parse(document.getElementById("search-messages").textContent);
    this.bundles = form.dataset.bundles.split(" ");
    this.indexes = new Map(); // bundles joined by spaces → the index opening over them
    this.ready = false;
    this.generation = 0;
    this.results = [];
    this.count = 0;
  }

  async start() {
    this.readAddress();
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    let timer = null;
    this.input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.run(), 300);
    });
    for (const select of this.selects) select.addEventListener("change", () => this.run());
    this.more.addEventListener("click", () => this.showMore());
    this.clear.addEventListener("click", () => {
      for (const select of this.selects) select.value = "";
      this.run();
      this.input.focus();
    });
    window.addEventListener("popstate", () => {
      this.readAddress();
      this.run({ keepAddress: true });
    });
    try {
      await this.index(); // the parts the address's filters need: all, when none is set
      this.synonyms = await fetch(this.form.dataset.synonyms).then((r) => (r.ok ? r.json() : {}));
    } catch (error) {
      this.unavailable();
      return;
    }
    this.ready = true;
    if (this.input.value.trim()) this.run({ keepAddress: true });
  }

  /** The index for the filters now chosen: the parts that can hold their results
   * (bundlesFor), each set opened once and kept for the searches after. */
  index() {
    const where = this.selects
      .filter((select) => select.value)
      .map((select) => (select.selectedOptions[0].dataset.municipalities ?? "").split(" "))
      .map((slugs) => slugs.filter(Boolean));
    const bundles = bundlesFor(this.bundles, where);
    const key = bundles.join(" ");
    if (!this.indexes.has(key)) {
      const opening = openIndex(bundles, { baseUrl: this.form.dataset.base });
      opening.catch(() => this.indexes.delete(key)); // a later search tries again
      this.indexes.set(key, opening);
    }
    return this.indexes.get(key);
  }

  readAddress() {
    const params = new URLSearchParams(window.location.search);
    this.input.value = params.get("q") ?? "";
    for (const select of this.selects) {
      const wanted = params.get(select.name) ?? "";
      select.value = [...select.options].some((o) => o.value === wanted) ? wanted : "";
    }
    this.showFilterState();
  }

  filters() {
    const filters = {};
    for (const select of this.selects) if (select.value) filters[select.name] = select.value;
    return filters;
  }

  showFilterState() {
    const active = this.selects.filter((s) => s.value).length;
    this.summary.textContent = active
      ? fill(this.text.search_filters_active, { n: active })
      : this.text.search_filters;
    if (active) this.details.open = true;
  }

  writeAddress(query, filters) {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    for (const [name, value] of Object.entries(filters)) params.set(name, value);
    const search = params.toString();
    const address = `${window.location.pathname}${search ? `?${search}` : ""}`;
    if (address !== `${window.location.pathname}${window.location.search}`) {
      window.history.replaceState(null, "", address);
    }
  }

  unavailable() {
    this.show({ status: this.text.search_status_unavailable, help: true });
  }

  async run({ keepAddress = false } = {}) {
    const generation = ++this.generation;
    const typed = this.input.value;
    const filters = this.filters();
    this.showFilterState();
    if (!keepAddress) this.writeAddress(typed.trim(), filters);
    if (!this.ready) return;
    if (!typed.trim()) {
      this.show({ status: this.text.search_status_empty });
      return;
    }
    this.section.setAttribute("aria-busy", "true");
    let found;
    let items;
    try {
      const index = await this.index();
      found = await searchSite(index, typed, { filters, synonyms: this.synonyms });
      items = await this.render(found.results.slice(0, PAGE_SIZE));
    } catch (error) {
      if (generation === this.generation) this.show({ status: this.text.search_status_error });
      return;
    }
    if (generation !== this.generation) return; // a newer search has started meanwhile
    this.results = found.results;
    this.count = 0;
    this.list.replaceChildren();
    this.append(items);
    const described = Object.values(filters).join("、");
    const values = { q: found.query, n: found.results.length, filters: described };
    const key = found.results.length ? "search_status_count" : "search_status_none";
    const synonyms = found.variants.map((v) =>
      fill(this.text.search_synonyms, { term: v.term, expand: v.expand }),
    );
    // The status is written last: it is the live region, read out once all is shown.
    this.show({
      status: fill(this.text[described ? `${key}_filtered` : key], values),
      synonyms: synonyms.join(" "),
      results: found.results.length > 0,
      help: found.results.length === 0,
      clear: Boolean(described),
    });
  }

  show({ status, synonyms = "", results = false, help = false, clear = false }) {
    this.synonymNote.textContent = synonyms;
    this.synonymNote.hidden = !synonyms;
    this.section.hidden = !results;
    this.section.removeAttribute("aria-busy");
    this.help.hidden = !help;
    this.clear.hidden = !clear;
    this.status.textContent = status;
  }

  render(batch) {
    return Promise.all(batch.map((r) => resultData(r).then((d) => this.item(d))));
  }

  append(items) {
    this.list.append(...items);
    this.count += items.length;
    const left = this.results.length - this.count;
    this.more.parentElement.hidden = left <= 0;
    this.more.textContent = fill(this.text.search_more, { n: Math.min(left, PAGE_SIZE) });
    this.shown.textContent = fill(this.text.search_shown, {
      n: this.results.length,
      shown: this.count,
    });
  }

  async showMore() {
    const generation = this.generation;
    const items = await this.render(this.results.slice(this.count, this.count + PAGE_SIZE));
    if (generation !== this.generation || !items.length) return;
    this.append(items);
    items[0].querySelector("a").focus(); // where the new results begin
  }

  item(data) {
    const li = element("li", "search-result");
    const heading = element("h3", "search-result__title");
    const link = element("a", null, data.meta.title || data.url);
    link.href = data.url;
    heading.append(link);
    const meta = element("p", "search-result__meta");
    meta.append(element("span", "search-result__kind", data.meta.kind ?? ""));
    for (const part of [data.meta.body, data.meta.date]) {
      if (part) meta.append(" ", element("span", null, part));
    }
    const excerpt = element("p", "search-result__excerpt");
    appendPieces(excerpt, excerptOf(wordsOf(data), data.weighted_locations));
    li.append(heading, meta, excerpt);
    const subs = subResults(data, data.url);
    if (subs.length) {
      const ul = element("ul", "search-result__subs");
      ul.setAttribute("aria-label", `${data.meta.title}：${this.text.search_statements}`);
      for (const sub of subs) {
        const a = element("a");
        a.href = sub.url;
        const title = sub.title || (sub.statement ? this.text.search_statement : data.meta.title);
        a.append(element("span", "search-sub__title", title), " ");
        const text = element("span", "search-sub__excerpt");
        appendPieces(text, sub.excerpt);
        a.append(text);
        const item = element("li", sub.statement ? "search-sub search-sub--statement" : "search-sub");
        item.append(a);
        ul.append(item);
      }
      li.append(ul);
    }
    return li;
  }
}

const form = typeof document !== "undefined" && document.getElementById("search-form");
if (form) {
  new SearchPage(form).start();
}
