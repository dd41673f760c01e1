// The in-page half of `site-builder audit` (site_builder/audit.py evaluates this file in
// every page, then calls window.__siteAudit.<probe>()). Each probe measures what the
// rendered page does, not what its HTML says: computed styles, layout at a given width,
// where keyboard focus is. Probes return plain JSON; audit.py turns them into findings.
(() => {
  "use strict";
  if (window.__siteAudit) return;

  // Han, kana and the marks that live inside Japanese words.
  const CJK = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー々〆ヶ";
  const HAS_CJK = new RegExp(`[${CJK}]`, "u");
  const HAS_KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
  const WORDISH = `[${CJK}\\p{L}\\p{N}]`;
  // 「会 議 録」「令 和 7 年 度」「氏　名」「D X 推 進」: two or more lone letters (Han, kana,
  // capital Latin) in a row, each on its own between spaces: a word spaced out for
  // layout, which a screen reader reads letter by letter. A space between words
  // (「令和7年度 第5回」「山田 太郎」「林 一郎」) is not matched: one side is longer than a
  // letter; digits break a run (「第 5 回」 is not matched either).
  const LONE = `[${CJK}A-ZＡ-Ｚ]`;
  const SPACED = new RegExp(`(?<!${WORDISH})${LONE}(?:[ \u3000]+${LONE})+(?!${WORDISH})`, "gu");
  // What is not prose even when it is Latin: addresses, paths, file names.
  const NOT_PROSE = /\S+:\/\/\S+|\S+@\S+|\S*\/\S*|\S+\.(?:json|csv|xml|ics|html|pdf|yaml|md|txt)\b/giu;
  const LATIN_WORD_ONLY = /^\p{Script=Latin}[\p{Script=Latin}'’-]*$/u;
  const CODE = "code, pre, kbd, samp, var, script, style, template, noscript";
  const INLINE = new Set([
    "inline", "inline-block", "inline-flex", "inline-grid", "inline-table", "contents", "ruby",
    "ruby-text",
  ]);
  const FOCUSABLE = [
    "a[href]", "area[href]", "button", "input:not([type=hidden])", "select", "textarea",
    "summary", "iframe", "[tabindex]", "[contenteditable=true]", "audio[controls]",
    "video[controls]",
  ].join(",");

  /** A selector that names one element: from the nearest ancestor with an id, by position. */
  function selectorOf(el) {
    const parts = [];
    let node = el;
    while (node && node.nodeType === 1) {
      if (node.id && document.querySelectorAll(`#${CSS.escape(node.id)}`).length === 1) {
        parts.unshift(`#${CSS.escape(node.id)}`);
        break;
      }
      const tag = node.localName;
      const parent = node.parentElement;
      if (!parent) {
        parts.unshift(tag);
        break;
      }
      const same = [...parent.children].filter((c) => c.localName === tag);
      parts.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(node) + 1})` : tag);
      node = parent;
    }
    return parts.join(" > ");
  }

  function excerpt(text, at, length) {
    const start = Math.max(0, at - 12);
    const end = Math.min(text.length, at + length + 12);
    return (start ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  function blockOf(node) {
    let el = node.parentElement;
    while (el && el !== document.body && INLINE.has(getComputedStyle(el).display)) {
      el = el.parentElement;
    }
    return el;
  }

  /** The page's text, as [{block, lang, text, prose}]: text nodes joined per nearest
   *  block element and language, white space collapsed the way it is rendered; prose
   *  leaves out code, kbd and the like. */
  function textRuns() {
    const runs = new Map();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      // data-audit-quote: a fault quoted as evidence (the report page), not the page's own
      if (!parent || parent.closest("script, style, template, noscript, [data-audit-quote]")) {
        continue;
      }
      const block = blockOf(node);
      if (!block) continue;
      if (!runs.has(block)) runs.set(block, []);
      runs.get(block).push({ text: node.data, langEl: parent.closest("[lang]"), code: !!parent.closest(CODE) });
    }
    const out = [];
    for (const [block, parts] of runs) {
      const byLang = new Map();
      for (const part of parts) {
        const id = part.langEl;
        if (!byLang.has(id)) byLang.set(id, { prose: [], all: [] });
        byLang.get(id).all.push(part.text);
        if (!part.code) byLang.get(id).prose.push(part.text);
      }
      for (const [langEl, texts] of byLang) {
        const lang = langEl ? (langEl.getAttribute("lang") || "").toLowerCase() : "";
        out.push({
          block,
          lang,
          text: texts.all.join("").replace(/[\t\n\r ]+/g, " ").trim(),
          prose: texts.prose.join("").replace(/[\t\n\r ]+/g, " ").trim(),
        });
      }
    }
    return out;
  }

  function latinPassage(text) {
    if (!text || HAS_CJK.test(text)) return false;
    const words = text
      .replace(NOT_PROSE, " ")
      .split(/[\s,.;:!?()"“”]+/u)
      .filter((w) => w.length >= 2 && LATIN_WORD_ONLY.test(w));
    // Three or more words, one of them in lower case: a sentence or phrase of a
    // language, not an acronym, a product name or a proper name (WCAG 3.1.2 exempts those).
    return words.length >= 3 && words.some((w) => /^\p{Ll}+$/u.test(w));
  }

  function languageFindings() {
    const found = [];
    const root = (document.documentElement.getAttribute("lang") || "").toLowerCase();
    for (const run of textRuns()) {
      const selector = () => selectorOf(run.block);
      const lang = run.lang || root;
      if (latinPassage(run.prose) && (lang === "" || lang.startsWith("ja"))) {
        found.push({ rule: "latin-without-lang", target: selector(), text: excerpt(run.prose, 0, 60) });
      } else if (HAS_KANA.test(run.prose) && lang && !lang.startsWith("ja")) {
        found.push({ rule: "japanese-marked-other", target: selector(), text: excerpt(run.prose, 0, 40), lang });
      }
    }
    return found;
  }

  function layoutSpaces() {
    const found = [];
    for (const run of textRuns()) {
      for (const m of run.text.matchAll(SPACED)) {
        found.push({ target: selectorOf(run.block), text: excerpt(run.text, m.index, m[0].length), match: m[0] });
      }
    }
    return found;
  }

  function hasBackgroundImage(el) {
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(el, pseudo);
      if (s.backgroundImage.includes("url(")) return true;
      if (pseudo && s.content.includes("url(")) return true;
    }
    return false;
  }

  /** How much of each kind of content a criterion may apply to (0 = not applicable). */
  function evidence() {
    const q = (sel) => document.querySelectorAll(sel).length;
    const all = [...document.body.querySelectorAll("*")];
    const refresh = [...document.querySelectorAll("meta[http-equiv='refresh' i]")];
    const forms = [...document.forms];
    return {
      media: q("audio, video, object, embed, iframe, bgsound"),
      animation:
        document.getAnimations().length +
        q("marquee, blink, img[src$='.gif' i], img[src$='.apng' i], img[src$='.webp' i]"),
      time_limit: refresh.filter((m) => parseFloat(m.content) > 0).length,
      images:
        q("body img, body svg, body canvas, body picture, input[type=image], area, [role=img]") +
        all.filter(hasBackgroundImage).length,
      input_errors: q(
        "[required], [pattern], input[min], input[max], [minlength], [maxlength], " +
          "input[type=email], input[type=url], input[type=number], input[type=tel], " +
          "input[type=date], input[type=datetime-local], input[type=month], " +
          "input[type=week], input[type=time], [aria-invalid], [aria-errormessage]",
      ),
      transactions:
        forms.filter((f) => (f.getAttribute("method") || "get").toLowerCase() !== "get").length +
        q("input[type=password], input[type=file]"),
      form_controls: q("input:not([type=hidden]), select, textarea"),
      scripts: q("script[src], script:not([type]), script[type=module], script[type='text/javascript']"),
      redirect: refresh.length,
    };
  }

  /** The repeated navigation (banner and footer): what 3.2.3 asks to stay the same. */
  function navigation() {
    const parts = [];
    for (const region of document.querySelectorAll("body > header, body > footer")) {
      for (const el of region.querySelectorAll("a[href], input, button, select, label")) {
        const href = el.getAttribute("href");
        parts.push(
          `${el.localName}|${(el.textContent || "").trim()}` +
            (href ? `|${new URL(href, location.href).pathname.replace(/index\.html$/, "")}` : ""),
        );
      }
    }
    return parts;
  }

  function structure() {
    const main = document.querySelector("main");
    const before = (el) =>
      main ? !!(el.compareDocumentPosition(main) & Node.DOCUMENT_POSITION_FOLLOWING) : true;
    const blocks = [...document.querySelectorAll("header, nav, [role=banner], [role=navigation]")];
    return {
      title: document.title,
      lang: document.documentElement.getAttribute("lang"),
      // Blocks repeated on every page stand before the main content: 2.4.1 asks for a way past.
      bypass_needed: blocks.some(before) && !!main,
      search: document.querySelectorAll("[role=search] input, search input").length,
      navs: document.querySelectorAll("nav, [role=navigation]").length,
    };
  }

  /** Speaker roles and statuses must be in words, with colour only repeating them. */
  function colourOnly(words) {
    const found = [];
    for (const st of document.querySelectorAll(".statement")) {
      const tag = st.querySelector(".speaker-tag");
      const text = tag ? tag.textContent.trim() : "";
      if (!words.some((w) => text.includes(w))) {
        found.push({ target: selectorOf(tag || st), text });
      }
    }
    // A status badge shown on the page (not an empty live region waiting for news).
    for (const el of document.querySelectorAll("[class*=status], [class*=badge], [class*=chip]")) {
      const r = el.getBoundingClientRect();
      if (!visible(el) || r.width === 0 || r.height === 0) continue;
      const text = (el.textContent || "").trim() || el.getAttribute("aria-label") || "";
      if (!text) found.push({ target: selectorOf(el), text });
    }
    return found;
  }

  function visible(el) {
    if (!el.checkVisibility({ visibilityProperty: true })) return false;
    return !el.closest("[inert]");
  }

  /** Everything a keyboard user should be able to reach with Tab. */
  function focusables() {
    return [...document.querySelectorAll(FOCUSABLE)]
      .filter((el) => el.tabIndex >= 0 && !el.disabled && visible(el))
      .filter((el) => el.localName !== "summary" || el.parentElement.querySelector("summary") === el)
      .map(selectorOf);
  }

  function deepActive() {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el;
  }

  function documentIndex(el) {
    let node = el;
    while (node.getRootNode() !== document) node = node.getRootNode().host;
    return [...document.querySelectorAll("*")].indexOf(node);
  }

  /** Where focus is now, and whether a sighted keyboard user can see it. */
  function focusInfo() {
    const el = deepActive();
    if (!el || el === document.body || el === document.documentElement) return null;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const ring =
      (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) ||
      (s.boxShadow && s.boxShadow !== "none");
    const onScreen =
      r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
      r.top < window.innerHeight && r.left < window.innerWidth;
    return {
      key: selectorOf(el),
      tag: el.localName,
      text: (el.textContent || el.getAttribute("aria-label") || el.value || "").trim().slice(0, 40),
      href: el.getAttribute("href"),
      order: documentIndex(el),
      ring: !!ring,
      on_screen: onScreen,
      url: location.href,
    };
  }

  /** After following the skip link: where focus went, and is it the link's target. */
  function skipResult(href) {
    const id = decodeURIComponent((href || "").replace(/^.*#/, ""));
    const target = id ? document.getElementById(id) : null;
    const el = deepActive();
    return {
      target_exists: !!target,
      focused_target: !!target && !!el && (el === target || target.contains(el)),
      hash: location.hash,
    };
  }

  function maxSeconds(list) {
    return Math.max(
      0,
      ...list.split(",").map((v) => {
        const n = parseFloat(v);
        return v.trim().endsWith("ms") ? n / 1000 : n;
      }),
    );
  }

  /** Under prefers-reduced-motion: reduce, nothing should move. */
  function motion() {
    const found = [];
    for (const el of document.querySelectorAll("*")) {
      for (const pseudo of [null, "::before", "::after"]) {
        const s = getComputedStyle(el, pseudo);
        const transition = maxSeconds(s.transitionDuration);
        const animation = s.animationName !== "none" ? maxSeconds(s.animationDuration) : 0;
        if (transition > 0 || animation > 0) {
          found.push({ target: selectorOf(el) + (pseudo || ""), transition, animation });
        }
      }
    }
    if (getComputedStyle(document.documentElement).scrollBehavior === "smooth") {
      found.push({ target: "html", transition: 0, animation: 0, smooth: true });
    }
    return { found: found.slice(0, 20), running: document.getAnimations().length };
  }

  /** Text cut off by a box too small for it (overflow hidden/clip), e.g. at 200 % text. */
  function clipped() {
    const found = [];
    for (const el of document.body.querySelectorAll("*")) {
      const s = getComputedStyle(el);
      const hides = (v) => v === "hidden" || v === "clip";
      if (!hides(s.overflowX) && !hides(s.overflowY) && s.textOverflow !== "ellipsis") continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue; // visually hidden on purpose
      if (!(el.textContent || "").trim()) continue;
      const x = hides(s.overflowX) && el.scrollWidth > el.clientWidth + 1;
      const y = hides(s.overflowY) && el.scrollHeight > el.clientHeight + 1;
      if (x || y) found.push({ target: selectorOf(el), text: el.textContent.trim().slice(0, 40) });
    }
    return found;
  }

  /** Does anything make the page scroll sideways at this width; who sticks out. */
  function reflow() {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    const out = [];
    if (scrollWidth > width) {
      for (const el of document.body.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        if (r.right <= width + 1 || r.width === 0) continue;
        if ([...el.children].some((c) => c.getBoundingClientRect().right > width + 1)) continue;
        out.push({ target: selectorOf(el), right: Math.round(r.right) });
        if (out.length >= 5) break;
      }
    }
    return { width, scroll_width: scrollWidth, offenders: out, clipped: clipped() };
  }

  /** Every table sits in a box that scrolls sideways; a box that does scroll can be
   *  focused, so that keyboard users can scroll it too. */
  function tables() {
    const out = [];
    for (const table of document.querySelectorAll("table")) {
      if (!visible(table)) continue;
      let box = table;
      while (box && box !== document.body) {
        const o = getComputedStyle(box).overflowX;
        if (o === "auto" || o === "scroll") break;
        box = box.parentElement;
      }
      const scroller = box && box !== document.body ? box : null;
      out.push({
        target: selectorOf(table),
        scroller: !!scroller,
        overflows: scroller
          ? scroller.scrollWidth > scroller.clientWidth + 1
          : table.getBoundingClientRect().right > window.innerWidth + 1,
        focusable: !!scroller && scroller.tabIndex >= 0,
        named: !!scroller && !!(scroller.getAttribute("aria-label") || scroller.getAttribute("aria-labelledby")),
      });
    }
    return out;
  }

  function parseColor(value) {
    const m = /^rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+%?))?\)$/.exec(value);
    if (!m) return null;
    let alpha = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith("%")) alpha /= 100;
    return [+m[1], +m[2], +m[3], alpha];
  }

  function over(top, bottom) {
    const a = top[3] + bottom[3] * (1 - top[3]);
    const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / (a || 1);
    return [mix(0), mix(1), mix(2), a];
  }

  /** WCAG 2 relative luminance of an sRGB colour. */
  function luminance(rgb) {
    const f = (v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
  }

  /** The colour behind an element when it is plain: null when an image, a gradient,
   *  opacity or nothing opaque makes it something this function cannot know. */
  function backgroundOf(el) {
    let colour = [0, 0, 0, 0];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== "none" || parseFloat(s.opacity) < 1) return null;
      const c = parseColor(s.backgroundColor);
      if (c && c[3] > 0) colour = over(colour, c);
      if (colour[3] >= 1) return colour;
    }
    return null;
  }

  /** Text colour against background, as WCAG computes it; null when undecidable. */
  function contrast(selector) {
    const el = document.querySelector(selector);
    if (!el) return null;
    const s = getComputedStyle(el);
    const bg = backgroundOf(el);
    let fg = parseColor(s.color);
    if (!bg || !fg) return null;
    fg = over(fg, bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const size = parseFloat(s.fontSize);
    const bold = parseInt(s.fontWeight, 10) >= 700;
    return { ratio: (hi + 0.05) / (lo + 0.05), large: size >= 24 || (bold && size >= 18.66) };
  }

  function setRootFontSize(value) {
    document.documentElement.style.fontSize = value;
    return getComputedStyle(document.body).fontSize;
  }

  function openDetails() {
    const closed = [...document.querySelectorAll("details:not([open])")];
    closed.forEach((d) => { d.open = true; });
    return closed.length;
  }

  window.__siteAudit = {
    selectorOf, languageFindings, layoutSpaces, evidence, navigation, structure, colourOnly,
    focusables, focusInfo, skipResult, motion, clipped, reflow, tables, setRootFontSize,
    openDetails, contrast,
  };
})();
