"""Edit-to-updated-page latency of the preview, measured in Chromium.

Starts `site-builder serve` on a project, opens a meeting page in headless Chromium,
then 20 times: appends a unique sentence to that meeting's file and measures the time
until the page the browser shows contains it (watcher → settle → incremental rebuild
→ SSE → the rebuilt page fetched and its <main> swapped in, or a reload). Prints
median and p95, and writes JSON to bench/results/.

    python3 bench/preview_latency.py                      # the example site
    python3 bench/preview_latency.py --meetings 10000     # a generated archive

The example site is copied first: the bench never edits the repository's content/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def example_project(where: Path) -> Path:
    root = where / "example"
    shutil.copytree(REPO / "content", root / "content")
    (root / "themes").symlink_to(REPO / "themes")
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(config, encoding="utf-8")
    return root


def generated_project(where: Path, meetings: int) -> Path:
    root = where / f"archive-{meetings}"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "generate.py"),
            "--meetings",
            str(meetings),
            "--out",
            str(root),
        ],
        check=True,
    )
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pick_meeting(root: Path) -> tuple[Path, str]:
    """The meeting file in the middle of the archive, and its URL."""
    files = sorted((root / "content").glob("*/meetings/*/*.md"))
    path = files[len(files) // 2]
    municipality, _, body = path.relative_to(root / "content").parts[:3]
    return path, f"/{municipality}/meetings/{body}/{path.stem}/"


def measure(root: Path, edits: int) -> dict:
    from playwright.sync_api import sync_playwright

    port = free_port()
    log_file = root / "preview.log"
    log = log_file.open("w", encoding="utf-8")
    server = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "site-builder"),
            "--root",
            str(root),
            "serve",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = time.perf_counter()
        while "serving http" not in log_file.read_text(encoding="utf-8"):  # the first build
            if server.poll() is not None:
                raise SystemExit(log_file.read_text(encoding="utf-8"))
            time.sleep(0.2)
        first_build = time.perf_counter() - started
        load_before = os.getloadavg()[0]
        path, url = pick_meeting(root)
        latencies = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}{url}")
            for n in range(edits):
                marker = f"計測用の追記{n:03d}。"
                t0 = time.perf_counter()
                with path.open("a", encoding="utf-8") as f:
                    f.write(f"\n○ {marker}\n")
                page.wait_for_function(
                    f"document.body.innerText.includes('{marker}')", timeout=30_000
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.3)  # let the search refresh and the next burst stay apart
            browser.close()
    finally:
        server.terminate()  # the preview stops its background refresh too
        server.wait(timeout=60)
        log.close()
    output = log_file.read_text(encoding="utf-8")
    rebuilds = sorted(float(m) for m in re.findall(r"rebuilt in (\d+) ms", output))
    latencies.sort()
    return {
        "meetings": len(list((root / "content").glob("*/meetings/*/*.md"))),
        "edits": edits,
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[max(0, round(0.95 * len(latencies)) - 1)], 1),
        "min_ms": round(latencies[0], 1),
        "max_ms": round(latencies[-1], 1),
        "first_build_s": round(first_build, 2),
        "rebuild_median_ms": statistics.median(rebuilds) if rebuilds else None,
        "load_average_1min": [load_before, os.getloadavg()[0]],  # before and after the edits
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--meetings",
        type=int,
        default=0,
        help="generate an archive of this many meetings (default: example site)",
    )
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="disable the search index refresh (to see its cost)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        where = Path(tmp)
        root = generated_project(where, args.meetings) if args.meetings else example_project(where)
        if args.no_search:
            config = root / "config.yaml"
            text = config.read_text(encoding="utf-8").replace("enabled: true", "enabled: false")
            config.write_text(text, encoding="utf-8")
        result = measure(root, args.edits)
    result["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"preview-latency-{args.meetings or 'example'}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
