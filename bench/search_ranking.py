"""Where does search rank the wrong page first? Pagefind's query segmentation, measured.

    python3 bench/search_ranking.py                 # the example site, built here
    python3 bench/search_ranking.py --site DIR      # an output/ folder built already
    python3 bench/search_ranking.py --site DIR --sample 300

Pagefind's indexer segments Japanese with its own dictionaries (and a Chinese one for a
run of kanji with no kana around it); the browser segments the query with
Intl.Segmenter. Where the two disagree, a page that holds the query is not found, or
ranks below others. Two sets of queries, each with the one page it should bring first:

- titles: the title of every indexed page (a plan item by its title without 項番);
- terms: every run of kanji, katakana, Latin letters and digits (2–10 characters) that
  occurs in the indexed text of exactly one page — the words a citizen copies from a
  record, each of which only one page holds.

Each query is run with Pagefind's own segmentation (its JS API, as the Default UI would)
and through search.js with some of its segmentations switched off, so that what each
one adds shows. For each, the share of queries whose page comes first, comes lower, or
is not found, by the kind of query (kanji only, katakana only, mixed). Prints a table;
writes JSON to bench/results/search_ranking-<site>.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_size import RESULTS, build, example_project, launch, serve

RUN = re.compile(r"[\u4E00-\u9FFF々〆ヶ\u30A1-\u30FFA-Za-z0-9]+")
KANJI = re.compile(r"[\u4E00-\u9FFF々〆ヶ]+")
KATAKANA = re.compile(r"[\u30A1-\u30FF]+")

# name → search.js options (None: Pagefind's own segmentation, its JS API directly)
STRATEGIES: dict[str, dict | None] = {
    "Pagefind as is": None,
    "search.js: browser words only": {"ways": ["browser"], "verify": 0},
    "+ script runs": {"ways": ["browser", "runs"], "verify": 0},
    "+ single kanji and digits": {"ways": ["browser", "runs", "kanji"], "verify": 0},
    "+ first letters": {"ways": ["browser", "runs", "kanji", "starts"], "verify": 0},
    "+ checking the best 20 (shipped)": {},
}

PAGEFIND = """async ([cases]) => {
  const pf = await import('/pagefind/pagefind.js');
  await pf.options({exactDiacritics: true});
  const ranks = [];
  for (const [query, url] of cases) {
    const found = await pf.search(query.normalize('NFKC'));
    let rank = -1;
    for (let i = 0; i < found.results.length && rank < 0; i++) {
      if ((await found.results[i].data()).url === url) rank = i;
    }
    ranks.push(rank);
  }
  return ranks;
}"""
SEARCH_JS = """async ([cases, options]) => {
  const s = await import('/static/search.js');
  const pf = await s.openIndex(['/pagefind/']);
  const ranks = [];
  for (const [query, url] of cases) {
    const found = await s.searchSite(pf, query, options);
    let rank = -1;
    for (let i = 0; i < found.results.length && rank < 0; i++) {
      if ((await s.resultData(found.results[i])).url === url) rank = i;
    }
    ranks.push(rank);
  }
  return ranks;
}"""


def indexed_pages(output: Path) -> dict[str, dict]:
    """url → Pagefind's record of the page (its text, with words split by U+200B)."""
    pages = {}
    for path in sorted((output / "pagefind" / "fragment").iterdir()):
        record = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        pages[record["url"]] = record
    return pages


def title_cases(pages: dict[str, dict]) -> list[tuple[str, str]]:
    cases = []
    for url, record in pages.items():
        title = re.sub(r"^項番\d+ ", "", record["meta"].get("title", ""))
        if title:
            cases.append((title, url))
    return sorted(cases)


def term_cases(pages: dict[str, dict]) -> list[tuple[str, str]]:
    texts = {url: r["content"].replace("\u200b", "") for url, r in pages.items()}
    seen: Counter[str] = Counter()
    where: dict[str, str] = {}
    for url, text in texts.items():
        for term in set(RUN.findall(text)):
            if 2 <= len(term) <= 10 and not re.fullmatch(r"[A-Za-z0-9]+", term):
                seen[term] += 1
                where[term] = url
    unique = [t for t, n in seen.items() if n == 1]
    # a run may still occur inside a longer run of another page
    return sorted((t, where[t]) for t in unique if sum(t in text for text in texts.values()) == 1)


def kind_of(query: str) -> str:
    if KANJI.fullmatch(query):
        return "kanji"
    if KATAKANA.fullmatch(query):
        return "katakana"
    return "mixed"


def run(output: Path, cases: list[tuple[str, str]]) -> dict[str, list[int]]:
    """strategy → rank of the expected page for each case (-1: not found)."""
    from playwright.sync_api import sync_playwright

    server, base, _ = serve(output)
    ranks = {}
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for name, options in STRATEGIES.items():
                page = browser.new_page()
                page.goto(f"{base}/404.html")
                script = PAGEFIND if options is None else SEARCH_JS
                ranks[name] = page.evaluate(script, [cases, options or {}])
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return ranks


def summary(cases: list[tuple[str, str]], ranks: list[int]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = {}
    for (query, _), rank in zip(cases, ranks, strict=True):
        outcome = "first" if rank == 0 else "lower" if rank > 0 else "not found"
        for kind in ("all", kind_of(query)):
            out.setdefault(kind, Counter())[outcome] += 1
    return {kind: dict(counts) for kind, counts in out.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site", type=Path, help="a built output/ folder (default: build the example)"
    )
    parser.add_argument(
        "--sample", type=int, help="at most this many queries per set (evenly spread)"
    )
    args = parser.parse_args(argv)
    output = args.site
    if output is None:
        root = example_project(Path(tempfile.mkdtemp(prefix="search-ranking-")))
        build(root)
        output = root / "output"
    pages = indexed_pages(output)
    report: dict[str, dict] = {"site": str(output), "pages": len(pages), "sets": {}}
    for name, cases in (("titles", title_cases(pages)), ("terms", term_cases(pages))):
        if args.sample and len(cases) > args.sample:
            step = len(cases) / args.sample
            cases = [cases[int(i * step)] for i in range(args.sample)]
        ranks = run(output, cases)
        report["sets"][name] = {
            "queries": len(cases),
            "strategies": {s: summary(cases, r) for s, r in ranks.items()},
            "misses": {
                s: [[q, u, rank] for (q, u), rank in zip(cases, r, strict=True) if rank != 0]
                for s, r in ranks.items()
            },
        }
        print(f"\n{name}: {len(cases)} queries, {len(pages)} pages indexed")
        print(f"  {'':36} {'first':>12} {'lower':>12} {'not found':>12}")
        for strategy, result in report["sets"][name]["strategies"].items():
            counts = result["all"]
            cells = [
                f"{counts.get(k, 0)} ({100 * counts.get(k, 0) / len(cases):.1f}%)"
                for k in ("first", "lower", "not found")
            ]
            print(f"  {strategy:36} " + " ".join(f"{c:>12}" for c in cells))
    RESULTS.mkdir(parents=True, exist_ok=True)
    label = "example" if args.site is None else args.site.resolve().parent.name
    path = RESULTS / f"search_ranking-{label}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {path.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
