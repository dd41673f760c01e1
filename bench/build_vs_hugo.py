#!/usr/bin/env python3
"""Our build and Hugo's, side by side in one run, on the same synthetic records.

    python3 bench/build_vs_hugo.py --meetings 1000 10000     # add 100000 with --large
    python3 bench/build_vs_hugo.py --meetings 10000 --profile  # + cProfile of our build

For each N: generate the archive once (bench/generate.py → bench/archive-N/), export
it to Hugo (bench/hugo_export.py → bench/archive-N-hugo/), then time, each in a
child process and from a cold state (output and any cache removed first):

1. ours without the search index: ``site-builder build --no-search``;
2. Hugo: ``hugo --quiet -s DIR --destination OUT`` with a fresh --cacheDir;
3. ours with the index (the published build: Pagefind included; our build prints the
   index's own time, kept as the run's summary);
4. ours again with nothing changed (the rebuild an incremental cache should make cheap),
   and again after one meeting is edited (only its part of the search index is made).

``--runs`` picks some of them (no-search hugo search rebuild edited); at 100,000
meetings, where one of our builds takes an hour and more, ``--runs search hugo`` gives
both builds to compare, and the build without the index is the one with it less the
index's time (in the summary).

Each run reports wall time, CPU time (user+sys of the child and the children it
waited for, from os.wait4), peak memory, output size, file and page counts, pages/s.
Peak memory is given two ways: ru_maxrss (the largest single process of the tree:
what wait4 reports) and the peak of the whole process tree's memory sampled every
5 s as the sum of each process's PSS (forked workers share their parent's pages,
which a sum of RSS would count once per process), or ru_maxrss if that is larger:
what the machine needed when our processes and Pagefind overlap. (Reading PSS is not
free: it walks the page tables under the process's memory lock, which stalls the
build's page faults; sampled every 0.5 s it made our 10,000-meeting build 25 % slower.)
A run whose tree passes --memory-limit is killed and reported so.
Pagefind's share is (2) minus (1). A Markdown table goes to stdout; the figures and
the machine they ran on go to bench/results/ as JSON (git-ignored).

"Cold" means a fresh output and cache, not a cold OS page cache: the records were
just written, so both builds read them from memory. Hugo is installed with
``apt-get install -y hugo`` (Debian 12: 0.111.3) when it is missing.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import generate
import hugo_export

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
# What a cold build may find in our project folder: everything else is a build product.
PROJECT_INPUTS = {"config.yaml", "content", "themes"}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# The builds of one size, in this order: ours without the index, Hugo's, ours with it,
# ours again with nothing changed, ours after one meeting was edited.
RUNS = frozenset({"no-search", "hugo", "search", "rebuild", "edited"})


@dataclass
class Run:
    """One measured build."""

    name: str
    meetings: int
    wall_s: float = 0.0
    cpu_s: float = 0.0
    user_s: float = 0.0
    sys_s: float = 0.0
    maxrss_mb: float = 0.0  # ru_maxrss: the largest single process
    peak_tree_mb: float = 0.0  # sampled sum of PSS over the process tree
    output_mb: float = 0.0
    html_mb: float = 0.0  # of the HTML pages alone: ours also writes JSON/CSV exports, feeds
    files: int = 0
    html_pages: int = 0
    pages_per_s: float = 0.0
    load_before: float = 0.0  # 1-minute load average when it started: others share the CPUs
    load_after: float = 0.0
    exit_code: int = 0
    timed_out: bool = False
    memory_killed: bool = False  # its process tree passed --memory-limit and was killed
    stderr_tail: str = ""
    summary: str = ""  # the last line the build printed: ours says how long its index took


@dataclass
class Round:
    """Everything measured for one archive size."""

    meetings: int
    generate_s: float
    export_s: float
    content_mb: float
    content_files: int
    runs: list[Run] = field(default_factory=list)


# --- measuring a child process -----------------------------------------------------------


def measure(
    name: str, meetings: int, cmd: list[str], output: Path, timeout: float | None, limit_mb: float
) -> Run:
    """Run cmd; wall, CPU and memory of it and its children; the size of `output`. The
    process tree is killed if its memory passes limit_mb, before the kernel's OOM killer
    picks a victim on a machine without swap."""
    run = Run(name, meetings)
    log = output.parent / f".bench-{name.replace(' ', '-')}.log"
    run.load_before = os.getloadavg()[0]
    out_log = log.with_suffix(".out")
    with open(log, "wb") as err, open(out_log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, start_new_session=True)
        sampler = TreeSampler(proc.pid, limit_mb * 2**20, run)
        sampler.start()
        timer = threading.Timer(timeout, _kill, (proc.pid, run)) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        run.wall_s = time.perf_counter() - started
        if timer:
            timer.cancel()
        sampler.stop()
    run.load_after = os.getloadavg()[0]
    proc.returncode = os.waitstatus_to_exitcode(status)  # wait4 reaped it, not Popen
    run.exit_code = proc.returncode
    run.user_s, run.sys_s = usage.ru_utime, usage.ru_stime
    run.cpu_s = usage.ru_utime + usage.ru_stime
    run.maxrss_mb = usage.ru_maxrss / 1024  # KiB on Linux
    run.peak_tree_mb = max(sampler.peak_bytes / 2**20, run.maxrss_mb)
    run.stderr_tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    lines = out_log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    run.summary = lines[-1] if lines else ""
    log.unlink()
    out_log.unlink()
    if output.is_dir():
        run.files, size, run.html_pages, html = tree_size(output)
        run.output_mb, run.html_mb = size / 2**20, html / 2**20
        run.pages_per_s = run.html_pages / run.wall_s if run.wall_s else 0.0
    return run


def _kill(pid: int, run: Run) -> None:
    run.timed_out = True
    os.killpg(pid, 9)  # the run's session: the build, its workers and Pagefind


class TreeSampler(threading.Thread):
    """Samples the resident memory of a process and all its descendants, and kills them
    all when it passes limit_bytes."""

    def __init__(self, pid: int, limit_bytes: float, run: Run, interval: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.limit_bytes = limit_bytes
        self.measured = run
        self.interval = interval
        self.peak_bytes = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_bytes = max(self.peak_bytes, self.tree_rss())
            if self.peak_bytes > self.limit_bytes and not self.measured.memory_killed:
                self.measured.memory_killed = True
                os.killpg(self.pid, 9)
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def tree_rss(self) -> int:
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as f:
                        stat = f.read()
                except OSError:
                    continue
                fields = stat[stat.rfind(b")") + 2 :].split()
                parents[int(entry.name)] = int(fields[1])
        tree, frontier = {self.pid}, [self.pid]
        while frontier:
            pid = frontier.pop()
            children = [c for c, p in parents.items() if p == pid and c not in tree]
            tree.update(children)
            frontier.extend(children)
        return sum(_pss(pid) for pid in tree)


def _pss(pid: int) -> int:
    """A process's proportional set size: its own pages plus its share of the pages it
    shares. Forked render workers share most of their parent's memory, which a sum of
    RSS would count once per process; the sum of PSS is what the machine holds."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:  # no smaps_rollup: RSS
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def tree_size(path: Path) -> tuple[int, int, int, int]:
    """(files, bytes, HTML pages, bytes of HTML) under path."""
    files = size = pages = html = 0
    for folder, _dirs, names in os.walk(path):
        for name in names:
            files += 1
            n = os.lstat(os.path.join(folder, name)).st_size
            size += n
            if name.endswith(".html"):
                pages += 1
                html += n
    return files, size, pages, html


# --- the builds -------------------------------------------------------------------------


def clean_project(project: Path) -> None:
    """Remove every build product (output/, staging dirs, caches) from our project."""
    for entry in project.iterdir():
        if entry.name in PROJECT_INPUTS:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def ours(project: Path, *args: str) -> list[str]:
    return [
        str(hugo_export.VENV_PYTHON),
        "-m",
        "site_builder",
        "--root",
        str(project),
        "build",
        *args,
    ]


def hugo_cmd(site: Path, destination: Path, cache: Path) -> list[str]:
    return [
        "hugo", "--quiet", "-s", str(site), "--destination", str(destination),
        "--cacheDir", str(cache),
    ]  # fmt: skip


def run_round(
    meetings: int,
    seed: int,
    timeout: float | None,
    limit_mb: float,
    options: tuple[str, ...] = (),
    runs: frozenset[str] = RUNS,
) -> Round:
    """options: given to each of our builds (--jobs N); runs: those of RUNS to make."""
    project = BENCH / f"archive-{meetings}"
    site = BENCH / f"archive-{meetings}-hugo"
    say(f"N={meetings}: generating {project.relative_to(ROOT)}")
    started = time.perf_counter()
    generate.generate(project, meetings, seed)
    generated = time.perf_counter() - started
    files, size, _, _ = tree_size(project / "content")
    exported = 0.0
    if "hugo" in runs:  # 16 minutes at 100,000 meetings
        say(f"N={meetings}: exporting to Hugo {site.relative_to(ROOT)}")
        started = time.perf_counter()
        # In a child process: the export holds the checked records (5.8 GB at 100,000
        # meetings), which this process would keep while the builds it measures run.
        export = [str(hugo_export.VENV_PYTHON), str(BENCH / "hugo_export.py")]
        cmd = [*export, "--project", str(project), "--out", str(site)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        exported = time.perf_counter() - started
    result = Round(meetings, generated, exported, size / 2**20, files)

    def record(run: Run) -> None:
        result.runs.append(run)
        state = (
            "TIMEOUT"
            if run.timed_out
            else "KILLED at the memory limit"
            if run.memory_killed
            else f"exit {run.exit_code}"
        )
        say(
            f"N={meetings}: {run.name}: {run.wall_s:.1f} s wall, {run.cpu_s:.1f} s CPU, "
            f"{run.peak_tree_mb:.0f} MB peak, {run.html_pages} pages ({state}; load "
            f"{run.load_before:.1f} → {run.load_after:.1f})"
            + (f"; it said: {run.summary}" if run.summary.startswith("built") else "")
        )
        if run.exit_code and not run.timed_out:
            say(run.stderr_tail.strip())

    output = project / "output"
    limits = (timeout, limit_mb)
    if "no-search" in runs:
        clean_project(project)
        cmd = ours(project, *options, "--no-search")
        record(measure("ours --no-search", meetings, cmd, output, *limits))
    if "hugo" in runs:  # next: the figures to compare first, should a long run be cut
        destination = site / "public"
        cache = site / ".hugo-cache"
        for stale in (destination, cache, site / "resources"):
            shutil.rmtree(stale, ignore_errors=True)
        hugo = hugo_cmd(site, destination, cache)
        record(measure("hugo", meetings, hugo, destination, *limits))
        shutil.rmtree(destination, ignore_errors=True)  # the disk: 100,000 meetings' are 40 GB
    if "search" in runs:
        clean_project(project)
        record(measure("ours + search", meetings, ours(project, *options), output, *limits))
    if "rebuild" in runs and output.is_dir():
        record(measure("ours rebuild", meetings, ours(project, *options), output, *limits))
    if "edited" in runs and output.is_dir():
        edited = edit_one_meeting(project)
        original = edited.read_bytes()
        with edited.open("a", encoding="utf-8") as f:
            f.write("\n○ 追記の確認のための発言です。\n")
        cmd = ours(project, *options)
        record(measure("ours, one meeting edited", meetings, cmd, output, *limits))
        edited.write_bytes(original)
    return result


def edit_one_meeting(project: Path) -> Path:
    """The meeting a clerk edits between two builds: the middle one of the archive. The
    build after a statement is appended to it renders everything again (the cache is
    per build) but indexes only that meeting's part of the search index (search.py)."""
    meetings = sorted((project / "content").glob("*/meetings/*/*.md"))
    return meetings[len(meetings) // 2]


# --- reporting ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": memory,
        "cpu": cpu,
        "kernel": platform.release(),
        "python": _output([str(hugo_export.VENV_PYTHON), "--version"]),
        "hugo": _output(["hugo", "version"]),
        "pagefind": _output([str(hugo_export.VENV_PYTHON), "-m", "pagefind", "--version"]),
    }


def _output(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError as err:
        return f"unavailable ({err})"


def table(rounds: list[Round]) -> str:
    lines = [
        "| meetings | build | wall s | CPU s | peak MB (tree) | max RSS MB | output MB "
        "| HTML MB | files | HTML pages | pages/s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rounds:
        for run in r.runs:
            wall = f"> {run.wall_s:.0f} (timeout)" if run.timed_out else f"{run.wall_s:.1f}"
            if run.exit_code and not run.timed_out:
                wall += f" (exit {run.exit_code})"
            lines.append(
                f"| {r.meetings:,} | {run.name} | {wall} | {run.cpu_s:.1f} | "
                f"{run.peak_tree_mb:.0f} | {run.maxrss_mb:.0f} | {run.output_mb:.0f} | "
                f"{run.html_mb:.0f} | "
                f"{run.files:,} | {run.html_pages:,} | {run.pages_per_s:.0f} |"
            )
    return "\n".join(lines)


def ratios(rounds: list[Round]) -> str:
    """The targets' ratios, each where its runs were made ("–" where not): so that
    `--runs no-search hugo` gives the ratio without the index."""
    lines = [
        "| meetings | ours/Hugo wall (no search) | ours/Hugo CPU (no search) "
        "| ours/Hugo wall (with search) | ours/Hugo peak memory (with search) "
        "| Pagefind share of wall | Pagefind share of CPU | rebuild/cold |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rounds:
        runs = {run.name: run for run in r.runs}
        plain, full, hugo, rebuild = (
            runs.get(name) for name in ("ours --no-search", "ours + search", "hugo", "ours rebuild")
        )
        cells = [
            plain and hugo and f"{plain.wall_s / hugo.wall_s:.2f}",
            plain and hugo and f"{plain.cpu_s / hugo.cpu_s:.2f}",
            full and hugo and f"{full.wall_s / hugo.wall_s:.2f}",
            full and hugo and f"{full.peak_tree_mb / hugo.peak_tree_mb:.2f}",
            plain and full and f"{(full.wall_s - plain.wall_s) / full.wall_s:.0%}",
            plain and full and f"{(full.cpu_s - plain.cpu_s) / full.cpu_s:.0%}",
            rebuild and full and f"{rebuild.wall_s / full.wall_s:.0%}",
        ]
        if any(cells):
            lines.append(f"| {r.meetings:,} | " + " | ".join(c or "–" for c in cells) + " |")
    if len(lines) == 2:
        return "No ratios: they need two of the runs no-search, search and hugo at one size."
    return "\n".join(lines)


def profile(meetings: int, top: int = 25) -> str:
    """cProfile of our build without search: the stages and the top functions. On one
    process (--jobs 1), since cProfile sees only the process it runs in."""
    project = BENCH / f"archive-{meetings}"
    out = RESULTS / f"profile-{meetings}.prof"
    clean_project(project)
    cmd = [str(hugo_export.VENV_PYTHON), "-m", "cProfile", "-o", str(out)]
    cmd += ours(project, "--no-search", "--jobs", "1")[1:]
    say(f"N={meetings}: profiling {' '.join(cmd[3:])}")
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    stats = pstats.Stats(str(out))
    total = stats.total_tt  # type: ignore[attr-defined]
    lines = [f"cProfile of `site-builder build --no-search`, {meetings:,} meetings: {total:.1f} s"]
    lines += ["", "| stage (a call in build.py) | cumulative s | share |", "|---|---:|---:|"]
    raw = stats.stats  # type: ignore[attr-defined]
    for stage in (s for s in pipeline_stages() if not s[0].isupper()):
        hits = [v for k, v in raw.items() if k[2] == stage and "site_builder" in k[0]]
        if hits:
            cumulative = max(v[3] for v in hits)
            lines.append(f"| {stage} | {cumulative:.1f} | {cumulative / total:.0%} |")
    lines += [
        "",
        f"Top {top} functions by own time:",
        "",
        "| function | calls | own s | share | cumulative s |",
    ]
    lines.append("|---|---:|---:|---:|---:|")
    ranked = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in ranked:
        where = f"{_short(path)}:{line}({name})"
        lines.append(
            f"| `{where}` | {calls:,} | {own:.1f} | {own / total:.0%} | {cumulative:.1f} |"
        )
    return "\n".join(lines)


def pipeline_stages() -> list[str]:
    """The functions that site_builder/build.py's check(), build() and write_files()
    call, in order: read from the source so that the profile follows the pipeline as it
    changes."""
    tree = ast.parse((ROOT / "site_builder" / "build.py").read_text(encoding="utf-8"))
    names: dict[str, None] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in ("check", "build", "write_files"):
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
                    names.setdefault(call.func.id)
    return [n for n in names if n not in ("check", "write_files")]


def _short(path: str) -> str:
    for marker in ("site-packages/", "site_builder/", "lib/python3"):
        if marker in path:
            return path[path.index(marker) :]
    return path


def ensure_hugo() -> None:
    """Install Debian's hugo when it is missing (the benchmark's only system package)."""
    if shutil.which("hugo"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    say("installing Debian's hugo: apt-get install -y hugo")
    install = [*sudo, "apt-get", "install", "-y", "hugo"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update"], check=True)
        subprocess.run(install, check=True)


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--meetings", type=int, nargs="+", default=[1000, 10000], help="sizes (1000 10000)"
    )
    parser.add_argument("--large", action="store_true", help="also 100000 meetings")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--timeout", type=float, default=3 * 3600, help="seconds per build before it is killed"
    )
    parser.add_argument(
        "--runs",
        nargs="+",
        choices=sorted(RUNS),
        default=sorted(RUNS),
        help="the builds to make (all): no-search, hugo, search, rebuild, edited",
    )
    parser.add_argument(
        "--no-rebuild",
        action="store_true",
        help="skip the rebuilds (nothing changed; one meeting edited)",
    )
    parser.add_argument(
        "--memory-limit",
        type=float,
        default=20.0,
        help="GB a build's processes may hold together before they are killed (20)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="processes for our build (its default: the cores, at most 8, as many as the "
        "free memory holds; 1 makes runs at different sizes comparable)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile our build at the largest size"
    )
    args = parser.parse_args(argv)
    hugo_export.ensure_site_builder()
    ensure_hugo()
    sizes = sorted({*args.meetings, *([100000] if args.large else [])})
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = machine()
    say("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    limit_mb = args.memory_limit * 1024
    options = ("--jobs", str(args.jobs)) if args.jobs else ()
    runs = frozenset(args.runs) - ({"rebuild", "edited"} if args.no_rebuild else set())
    say(f"our build: site-builder build {' '.join(options)}".rstrip())
    rounds = [run_round(n, args.seed, args.timeout, limit_mb, options, runs) for n in sizes]
    report = f"{table(rounds)}\n\n{ratios(rounds)}\n\n" + "\n".join(
        f"{r.meetings:,} meetings: {r.content_files:,} record files, {r.content_mb:.0f} MB; "
        f"generated in {r.generate_s:.0f} s"
        + (f", exported to Hugo in {r.export_s:.0f} s" if r.export_s else "")
        for r in rounds
    )
    report += "\n"
    if len(rounds) > 1:
        a, b = rounds[-2], rounds[-1]
        for name in ("ours --no-search", "ours + search", "hugo"):
            ra = next((r for r in a.runs if r.name == name), None)
            rb = next((r for r in b.runs if r.name == name), None)
            if ra and rb and ra.wall_s:
                report += (
                    f"\n{name}: {b.meetings:,} meetings took {rb.wall_s / ra.wall_s:.1f}× "
                    f"the time of {a.meetings:,} ({b.meetings / a.meetings:.0f}× the meetings)"
                )
        report += "\n"
    profiled = profile(sizes[-1]) if args.profile else ""
    print(report)
    if profiled:
        print(profiled)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"build_vs_hugo-{stamp}.json"
    path.write_text(
        json.dumps(
            {
                "machine": info,
                "seed": args.seed,
                "jobs": args.jobs,
                "rounds": [asdict(r) for r in rounds],
                "report": report,
                "profile": profiled,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    say(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
