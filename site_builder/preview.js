// The preview's side of live reload (served by site_builder/serve.py, never written to
// output/). Keeps one Server-Sent Events connection; after a rebuild it shows the new
// page keeping the scroll position (its <main> swapped in, or the page reloaded), or
// swaps only the stylesheets; when the records are invalid it shows every problem in an
// overlay until they are fixed.
(() => {
  "use strict";
  const script = document.currentScript;
  let epoch = Number(script.dataset.epoch);
  const scrollKey = "site-builder-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = saved.split(",").map(Number);
    window.scrollTo(x, y);
  }

  function overlay(problems) {
    let box = document.getElementById("site-builder-overlay");
    if (!problems.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("section");
      box.id = "site-builder-overlay";
      box.setAttribute("role", "alert");
      box.setAttribute("aria-labelledby", "site-builder-overlay-title");
      box.style.cssText =
        "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#fff;color:#1a1a1c;border-top:6px solid #ec0000;padding:16px 20px;" +
        "font:16px/1.6 system-ui,sans-serif;box-shadow:0 -4px 16px rgba(0,0,0,.3)";
      document.body.appendChild(box);
    }
    const title = document.createElement("h2");
    title.id = "site-builder-overlay-title";
    title.style.cssText = "margin:0 0 8px;font-size:1.125rem;color:#ce0000";
    title.textContent = `記録に ${problems.length} 件の問題があります（最後に正しく生成したページを表示中）`;
    const list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.25em";
    for (const problem of problems) {
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = problem.text;
      code.style.cssText = "white-space:pre-wrap;word-break:break-all";
      item.appendChild(code);
      list.appendChild(item);
    }
    const hint = document.createElement("p");
    hint.style.margin = "8px 0 0";
    hint.textContent = "ファイルを修正して保存すると、この表示は自動で消えます。";
    box.replaceChildren(title, list, hint);
  }

  function swapStylesheets(stamp) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("v", stamp);
      link.href = url.href;
    }
  }

  function reload() {
    sessionStorage.setItem(scrollKey, `${window.scrollX},${window.scrollY}`);
    location.reload();
  }

  // What a page has around <main>: its head (but the title) and the rest of the body.
  // The preview's own script tag carries the build number and is left out.
  function frame(doc) {
    const parts = [...doc.head.children].filter((e) => e.tagName !== "TITLE");
    for (const element of doc.body.children) {
      const ours = element.id === "site-builder-overlay" || element.src === script.src;
      if (element.tagName !== "MAIN" && !ours) parts.push(element);
    }
    return parts.map((e) => e.outerHTML).join("\n");
  }

  function runsScripts(doc) {
    return [...doc.scripts].some(
      (s) => s.src !== script.src && ["", "module", "text/javascript"].includes(s.type),
    );
  }

  // After an edit the rebuilt page is fetched and its <main> put in place of ours: no
  // navigation, so nothing else to load again and the scroll position stays. A page
  // whose frame changed (a template, a title in the breadcrumbs) or that runs scripts
  // of its own (search) is reloaded whole.
  async function refresh(to) {
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      const main = document.querySelector("body > main");
      const fresh = next.querySelector("body > main");
      if (
        !response.ok || !main || !fresh || runsScripts(document) || runsScripts(next) ||
        frame(document) !== frame(next)
      ) {
        return reload();
      }
      document.title = next.title;
      main.replaceWith(document.adoptNode(fresh));
      epoch = to;
    } catch {
      reload();
    }
  }

  const events = new EventSource(script.dataset.events);
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    overlay(state.problems);
    if (state.problems.length || state.epoch === epoch) return;
    if (state.kind === "css") {
      epoch = state.epoch;
      swapStylesheets(state.epoch);
      return;
    }
    refresh(state.epoch);
  });
})();
