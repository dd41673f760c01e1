"""The search index in one piece or in parts: what Pagefind costs to build, and what a
citizen's query costs, on the same pages.

    python3 bench/search_parts.py --meetings 10000            # ~40 min on a 2-core VM
    python3 bench/search_parts.py --meetings 1000 --parts 300
    python3 bench/search_parts.py --meetings 100000 --parts 2000 6000 --no-whole \
        --query 青浜市 --query 青浜市情報化推進部会        # ~4 h, 30 GB of disk

Builds a generated archive (bench/generate.py) once without its index, then indexes
the same pages in each layout, each in a child process (site_builder.search.index_site):

- "one index": a single Pagefind run over the whole site, as before parts existed
  (--no-whole leaves it out: beyond some 20,000 meetings it needs more memory than
  this machine has);
- "parts of N records": search.plan_shards with N records a part for each --parts N
  (default: config.search.shard_records).

For each: Pagefind's wall time, CPU time and peak memory (the largest process), the
index on disk, and for each query of bench/search_size.py (and each --query) what a
browser with an empty cache fetches and how long the search page takes to announce its
results (Debian's Chromium through Playwright); then, in another page, how long the
page's search (search.js's searchSite and the data of the first ten results) takes
the first time and again with everything fetched: the second figure is computing
alone. Then, with the parts: indexing again with nothing changed (every part from the
cache), and after one meeting page changed (one part indexed again). Prints a
Markdown table; writes bench/results/search_parts-<N>.json.

The layouts share the HTML (a hard-linked copy of the build); only the search page's
list of bundles differs, and is rewritten in each copy.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_size import (  # bench scripts import each other by path
    QUERIES,
    RESULTS,
    filtered,
    first_query,
    generated_project,
    index_on_disk,
    launch,
    machine,
    serve,
)

REPO = Path(__file__).resolve().parent.parent
INDEX = """
import json, sys
from pathlib import Path
from site_builder.config import load_config
from site_builder.search import Shard, index_site
root, site_dir, shards = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
index_site(Path(site_dir), load_config(Path(root)), tuple(Shard(b, tuple(f)) for b, f in shards))
"""


SHARDS = """
import json, sys
from pathlib import Path
from site_builder.build import check
from site_builder.config import load_config
from site_builder.search import plan_shards
records = check(load_config(Path(sys.argv[1]))).records
parts = {k: plan_shards(records, v) for k, v in json.loads(sys.argv[2]).items()}
print(json.dumps({k: [[s.bundle, s.folders] for s in v] for k, v in parts.items()}))
"""


SEARCH_TWICE = """async ([query, filters]) => {
  const search = await import('/static/search.js');
  const html = await (await fetch('/search/')).text();
  const form = new DOMParser().parseFromString(html, 'text/html').getElementById('search-form');
  const where = Object.entries(filters).map(([name, value]) => {
    const options = [...form.querySelector(`select[name=${name}]`).options];
    const option = options.find((o) => o.value === value);
    return (option.dataset.municipalities ?? '').split(' ').filter(Boolean);
  });
  const bundles = search.bundlesFor(form.dataset.bundles.split(' '), where);
  const pagefind = await search.openIndex(bundles, {baseUrl: form.dataset.base});
  const times = [];
  for (const _ of [1, 2]) {
    const started = performance.now();
    const found = await search.searchSite(pagefind, query, {filters});
    await Promise.all(found.results.slice(0, 10).map(search.resultData));
    times.push(Math.round(performance.now() - started));
  }
  return times;
}"""


def search_twice(browser, base: str, query: str) -> dict:
    """The page's search for query, in a page of the site without the search form (so
    that nothing else opens the index): the first time, fetching what it needs, and
    again, with all of it held: computing alone. With filters, over the parts that can
    answer it, as the search page does."""
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base}/404.html")
    first, again = page.evaluate(SEARCH_TWICE, list(filtered(query)))
    context.close()
    return {"first_ms": first, "again_ms": again}


def shards_of(root: Path, limits: dict[str, int]) -> dict[str, list]:
    """The parts of each layout, from the archive's records (site_builder.build.check),
    in a child process: the records of 10,000 meetings take 1.2 GB, which every later
    child would inherit as its starting peak (ru_maxrss) if this process held them."""
    command = [sys.executable, "-c", SHARDS, str(root), json.dumps(limits)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return json.loads(subprocess.run(command, check=True, capture_output=True, env=env).stdout)


def copy_of(output: Path, where: Path, bundles: list[str]) -> Path:
    """A hard-linked copy of the build, its search page naming these bundles."""
    shutil.rmtree(where, ignore_errors=True)
    subprocess.run(["cp", "-al", str(output), str(where)], check=True)
    page = where / "search" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.unlink()  # a new file, not the linked one
    listed = " ".join(bundles)
    page.write_text(re.sub(r'data-bundles="[^"]*"', f'data-bundles="{listed}"', html), "utf-8")
    return where


def index(root: Path, site_dir: Path, shards: list) -> dict:
    """index_site in a child process: wall s, CPU s, and the peak memory of its largest
    process (Pagefind's), from os.wait4 of that child alone."""
    started = time.perf_counter()
    command = [sys.executable, "-c", INDEX, str(root), str(site_dir), json.dumps(shards)]
    child = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(REPO)})
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"indexing failed: exit status {os.waitstatus_to_exitcode(status)}")
    return {
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "load": round(os.getloadavg()[0], 1),
    }


def queries(site_dir: Path, asked: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    server, base, sent = serve(site_dir)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            found = [
                {**first_query(browser, base, sent, site_dir, q), **search_twice(browser, base, q)}
                for q in asked
            ]
            browser.close()
    finally:
        server.shutdown()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=10000)
    parser.add_argument(
        "--parts", type=int, nargs="+", help="records a part, a layout each (default: config's)"
    )
    parser.add_argument("--no-whole", action="store_true", help="leave out the one-index layout")
    parser.add_argument(
        "--query",
        action="append",
        default=[],
        help="a query asked after the usual six; filters after '&': 歴史資料&municipality=青井市",
    )
    parser.add_argument(
        "--per-municipality",
        type=int,
        help="meetings a municipality (generate.py's default 400): fewer make more, smaller parts",
    )
    parser.add_argument("--work", type=Path, help="where to generate and build (default: tmp)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="search-parts-"))
    work.mkdir(parents=True, exist_ok=True)
    root = generated_project(work, args.meetings, args.per_municipality)
    output = root / "output"
    if not (output / "search" / "index.html").is_file():
        print(f"building {root} without its index …", flush=True)
        build = [sys.executable, "-m", "site_builder", "--root", str(root), "build", "--no-search"]
        subprocess.run(build, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    from site_builder.config import SearchConfig

    limits = {} if args.no_whole else {"one index": 10**9}
    for limit in args.parts or [SearchConfig().shard_records]:
        limits[f"parts of {limit:,} records"] = limit
    layouts = shards_of(root, limits)
    asked = [*QUERIES, *args.query]
    results = []
    for label, shards in layouts.items():
        site_dir = copy_of(output, work / f"indexed-{len(shards)}", [b for b, _ in shards])
        shutil.rmtree(root / ".cache", ignore_errors=True)  # a cold index
        print(f"[{label}] {len(shards)} part(s): indexing …", flush=True)
        result = {"layout": label, "parts": len(shards), "index": index(root, site_dir, shards)}
        result["on_disk"] = index_on_disk(site_dir)
        print(f"[{label}] {result['index']}; queries …", flush=True)
        result["queries"] = queries(site_dir, asked)
        if len(shards) > 1:
            result["again_unchanged"] = index(root, site_dir, shards)
            meeting = next((site_dir / shards[-1][1][0] / "meetings").rglob("index.html"))
            html = meeting.read_bytes()
            meeting.unlink()  # a new file, not the linked one
            meeting.write_bytes(html.replace(b"</main>", b"<p>\xe8\xbf\xbd\xe8\xa8\x98</p></main>"))
            result["again_one_page_changed"] = index(root, site_dir, shards)
        results.append(result)
    report(results, asked)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"search_parts-{args.meetings}.json"
    (RESULTS / name).write_text(
        json.dumps({"machine": machine(), "results": results}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    print(f"\nwrote bench/results/{name}")
    return 0


def report(results: list[dict], asked: list[str]) -> None:
    print("\n| layout | parts | Pagefind wall s | CPU s | peak MB | index MB | files |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        i, disk = r["index"], r["on_disk"]
        print(
            f"| {r['layout']} | {r['parts']} | {i['wall_s']} | {i['cpu_s']} | {i['peak_mb']:,} "
            f"| {disk['bytes'] / 2**20:,.0f} | {disk['files']:,} |"
        )
    header = " | ".join(f"{r['layout']}: ms (again), requests, KB" for r in results)
    print(f"\n| query | {header} |")
    print("|---|" + "---:|" * len(results))
    for n, query in enumerate(asked):
        cells = [r["queries"][n] for r in results]
        row = " | ".join(
            f"{c['ms_to_results']:,} ({c['again_ms']:,}), {c['requests']}, {c['bytes'] / 1024:,.0f}"
            for c in cells
        )
        print(f"| {query} | {row} |  ({cells[0]['status']})")
    for r in results:
        for key in ("again_unchanged", "again_one_page_changed"):
            if key in r:
                print(f"{r['layout']}, {key.replace('_', ' ')}: {r[key]}")


if __name__ == "__main__":
    sys.exit(main())
