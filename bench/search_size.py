"""How big the search index is, and what a browser downloads for its first query.

    python3 bench/search_size.py                   # the example site
    python3 bench/search_size.py --meetings 10000  # and a generated archive (bench/generate.py)

Builds the site with its index (`site-builder build`), then reports the index on disk
(output/pagefind/: files and bytes, by kind) and, for each query in QUERIES, what a
browser with an empty cache transfers to show the first results on the search page:
every response's bytes (counted by the server, so that the requests Pagefind's Web
Worker makes count too), split into the page
itself (HTML, CSS, search.js) and the search bundle (pagefind.js, its worker and wasm,
the metadata, index chunks, filter chunks, fragments), and the time until the results
are announced. The server is Python's, without HTTP compression; "gzip" adds what the
text files (HTML, CSS, JS) would be with it, as nginx would serve them (Pagefind's own
chunks and fragments are gzip-compressed already). Prints a table; writes JSON to
bench/results/search_size-<meetings>.json.

The generated archive is written to --work (default: a temporary folder) and built
there; building 10,000 meetings with their index takes a long while (see docs/search.md).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# A word, a compound, a phrase, a full-width query, a synonym, and no result at all.
QUERIES = ("マイナンバーカード", "歴史資料", "行政改革推進委員会", "ＤＸ", "マイナ", "ほげほげ")
DONE = (
    "() => /検索結果|見つかりませんでした/.test(document.getElementById('search-status')"
    ".textContent) && !document.getElementById('search-results').hasAttribute('aria-busy')"
)


# --- a site to measure -------------------------------------------------------------


def example_project(where: Path) -> Path:
    """The repository's example site, in a project folder of its own."""
    root = where / "example"
    root.mkdir(parents=True)
    for name in ("content", "themes"):
        (root / name).symlink_to(REPO / name)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return root


def generated_project(where: Path, meetings: int, per_municipality: int | None = None) -> Path:
    """A synthetic archive of `meetings` meetings (bench/generate.py), made once;
    `per_municipality` meetings a municipality (generate.py's default if None)."""
    shape = [] if per_municipality is None else ["--per-municipality", str(per_municipality)]
    root = where / "-".join(["archive", str(meetings), *shape[1:]])
    if not (root / "config.yaml").is_file():
        generate = [sys.executable, str(REPO / "bench" / "generate.py")]
        command = [*generate, "--meetings", str(meetings), *shape, "--out", str(root)]
        subprocess.run(command, check=True)
    return root


def build(root: Path) -> dict:
    """`site-builder build` with its index; wall time and the peak memory of the build
    and of Pagefind (the largest child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), "build"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "peak_child_rss_mb": round(after.ru_maxrss / 1024),
    }


# --- the index on disk --------------------------------------------------------------


def bundle_kind(name: str) -> str:
    """What a file of the search bundle is, by its name."""
    for pattern, kind in (
        (r"\.pf_fragment$", "fragments"),
        (r"\.pf_index$", "index chunks"),
        (r"\.pf_filter$", "filter chunks"),
        (r"\.pf_meta$", "metadata"),
        (r"^wasm\.|\.wasm$", "wasm"),
        (r"^pagefind(-worker)?\.js$", "pagefind.js + worker"),
        (r"-ui\.|-highlight\.|playground", "unused UI files"),
    ):
        if re.search(pattern, name):
            return kind
    return "other"


def index_on_disk(output: Path) -> dict:
    bundle = output / "pagefind"
    files = [p for p in bundle.rglob("*") if p.is_file()]
    by_kind: dict[str, dict[str, int]] = {}
    for path in files:
        kind = by_kind.setdefault(bundle_kind(path.name), {"files": 0, "bytes": 0})
        kind["files"] += 1
        kind["bytes"] += path.stat().st_size
    html = [p for p in output.rglob("*.html")]
    return {
        "bytes": sum(p.stat().st_size for p in files),
        "files": len(files),
        "by_kind": dict(sorted(by_kind.items())),
        "pages_indexed": by_kind.get("fragments", {}).get("files", 0),
        "html_pages": len(html),
        "html_bytes": sum(p.stat().st_size for p in html),
    }


# --- the first query ----------------------------------------------------------------


class _Counting(SimpleHTTPRequestHandler):
    """Serves files and records (path, body bytes) of every response, so that requests
    a Web Worker makes (Pagefind searches in one) are counted as well."""

    extensions_map = {  # noqa: RUF012 - extends the class attribute on purpose
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".svg": "image/svg+xml",
    }
    sent: list[tuple[str, int]]

    def copyfile(self, source, outputfile) -> None:
        data = source.read()
        outputfile.write(data)
        self.sent.append((urlsplit(self.path).path, len(data)))

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str, list[tuple[str, int]]]:
    """A static server on 127.0.0.1 (a thread): it, its base URL, and its log of
    (path, bytes) responses."""
    sent: list[tuple[str, int]] = []
    handler = type("Handler", (_Counting,), {"sent": sent})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", sent


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def filtered(query: str) -> tuple[str, dict[str, str]]:
    """A query as the bench scripts take it: the words, then any filters of the search
    page after '&' (歴史資料&municipality=青井市)."""
    words, *filters = query.split("&")
    return words, dict(f.split("=", 1) for f in filters)


def first_query(browser, base: str, sent: list, output: Path, query: str) -> dict:
    """What an empty-cache browser transfers to show the first results of query."""
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    sent.clear()
    started = time.perf_counter()
    words, filters = filtered(query)
    address = "&".join(f"{k}={quote(v)}" for k, v in {"q": words, **filters}.items())
    page.goto(f"{base}/search/?{address}")
    page.wait_for_function(DONE, timeout=600_000)
    elapsed = time.perf_counter() - started
    status = page.inner_text("#search-status")
    context.close()
    parts: dict[str, dict[str, int]] = {}
    gzipped = 0
    for path, size in sent:
        kind = bundle_kind(path.rsplit("/", 1)[-1]) if "/pagefind/" in path else "page"
        part = parts.setdefault(kind, {"requests": 0, "bytes": 0})
        part["requests"] += 1
        part["bytes"] += size
        file = output / unquote(path).lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        text = re.search(r"\.(html|css|js|json)$", file.name) and file.is_file()
        gzipped += len(gzip.compress(file.read_bytes(), 6)) if text else size
    return {
        "query": query,
        "status": status,
        "ms_to_results": round(elapsed * 1000),
        "requests": len(sent),
        "bytes": sum(size for _, size in sent),
        "bytes_gzip": gzipped,
        "by_kind": dict(sorted(parts.items())),
    }


PAGEFIND_AS_IS = """async (query) => {
  const pf = await import('/pagefind/pagefind.js');
  const found = await pf.search(query.normalize('NFKC'));
  await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  return found.results.length;
}"""


def pagefind_as_is(browser, base: str, sent: list, query: str) -> dict:
    """The same first query through Pagefind's own segmentation (its JS API, with the
    data of the first ten results, as its Default UI would show them), for comparison."""
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base}/404.html")
    sent.clear()
    started = time.perf_counter()
    results = page.evaluate(PAGEFIND_AS_IS, query)
    elapsed = time.perf_counter() - started
    context.close()
    return {
        "results": results,
        "ms": round(elapsed * 1000),
        "requests": len(sent),
        "bytes": sum(size for _, size in sent),
    }


def measure(
    root: Path, label: str, queries: tuple[str, ...] = QUERIES, reuse: bool = False
) -> dict:
    from playwright.sync_api import sync_playwright

    output = root / "output"
    if reuse and (output / "pagefind").is_dir():
        print(f"[{label}] measuring the build in {output} …", flush=True)
        shutil.copytree(
            REPO / "themes" / "default" / "static", output / "static", dirs_exist_ok=True
        )
        built = {"reused": True}
    else:
        print(f"[{label}] building {root} …", flush=True)
        built = build(root)
    result = {"site": label, "build": built, "index": index_on_disk(output), "queries": []}
    server, base, sent = serve(output)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for query in queries:
                measured = first_query(browser, base, sent, output, query)
                measured["pagefind_as_is"] = pagefind_as_is(browser, base, sent, query)
                result["queries"].append(measured)
            browser.close()
    finally:
        server.shutdown()
    report(result)
    return result


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 10 * 1024 else f"{n / 1024:,.1f} KB"


def report(result: dict) -> None:
    index = result["index"]
    print(
        f"\n{result['site']}: {index['pages_indexed']} pages indexed of {index['html_pages']} "
        f"({kb(index['html_bytes'])} of HTML); build {result['build'].get('wall_s', '(reused)')} s"
    )
    print(f"  index on disk: {kb(index['bytes'])} in {index['files']} files")
    for kind, part in index["by_kind"].items():
        print(f"    {kind:22} {part['files']:6} files {kb(part['bytes']):>12}")
    print("  first query (empty cache):")
    for q in result["queries"]:
        pf = sum(p["bytes"] for k, p in q["by_kind"].items() if k != "page")
        print(
            f"    {q['query']:12} {q['requests']:3} requests {kb(q['bytes']):>9} "
            f"(search bundle {kb(pf)}; with gzip {kb(q['bytes_gzip'])}) "
            f"{q['ms_to_results']:5} ms  {q['status']}"
        )
        base = q["pagefind_as_is"]
        print(
            f"    {'':12} Pagefind as is: {base['requests']:3} requests {kb(base['bytes']):>9}, "
            f"{base['ms']:5} ms, {base['results']} results"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, help="also measure a generated archive of N")
    parser.add_argument("--work", type=Path, help="where to generate and build (default: tmp)")
    parser.add_argument("--skip-example", action="store_true", help="only the generated archive")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the archive's existing build (refreshing its copy of the theme's "
        "static files) instead of building it again",
    )
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="search-size-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    if not args.skip_example:
        results.append(measure(example_project(Path(tempfile.mkdtemp(dir=work))), "example"))
    if args.meetings:
        root = generated_project(work, args.meetings)
        results.append(measure(root, f"generated, {args.meetings} meetings", reuse=args.reuse))
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"search_size-{args.meetings or 'example'}.json"
    (RESULTS / name).write_text(
        json.dumps({"machine": machine(), "results": results}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote bench/results/{name}")
    return 0


def machine() -> dict:
    from site_builder.search import pagefind_binary

    version = subprocess.run(
        [str(pagefind_binary()), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)
    return {
        "nproc": os.cpu_count(),
        "pagefind": version,
        "chromium": chromium.stdout.strip(),
        "python": sys.version.split()[0],
    }


if __name__ == "__main__":
    sys.exit(main())
