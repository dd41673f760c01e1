"""The command line: the only place that prints problems and sets exit codes.

Exit status: 0 ok, 1 content errors (every problem printed as path:line:column),
2 usage errors. No traceback reaches a clerk: an unexpected failure prints one
line and asks to be reported; SITE_BUILDER_DEBUG=1 shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from .config import load_config
from .model import ContentError, Problem

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except ContentError as err:
        report(err.problems, getattr(args, "format", "text"))
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        if os.environ.get("SITE_BUILDER_DEBUG"):
            traceback.print_exc()
        print(
            f"site-builder: internal error: {type(err).__name__}: {err}\n"
            "This is a bug in site-builder, not in your records; please report it "
            "(run with SITE_BUILDER_DEBUG=1 for details).",
            file=sys.stderr,
        )
        return EXIT_CONTENT


def report(problems: list[Problem], fmt: str = "text") -> None:
    """Print every problem; GitHub's format becomes annotations on the offending line."""
    for p in problems:
        if fmt == "github":
            message = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            loc = p.location
            print(f"::error file={loc.path},line={loc.line},col={loc.column}::{message}")
        else:
            print(p, file=sys.stderr)
    count = len(problems)
    print(
        f"{count} problem{'s' if count != 1 else ''} found; nothing was published.", file=sys.stderr
    )


def _build(args: argparse.Namespace) -> int:
    from . import cache
    from .build import available_cores, build

    config = load_config(args.root)
    started = time.perf_counter()
    search = config.search.enabled and not args.no_search
    # The inputs as they are before the key is made: a file written after that shows.
    inputs = None if args.force else cache.snapshot(config)
    key = None if args.force else cache.build_key(config, args.drafts, search)
    if key and cache.up_to_date(config, key):
        print(
            f"{config.output_dir}/ is up to date: nothing changed since the last build "
            f"(checked in {time.perf_counter() - started:.2f} s; --force builds anyway)"
        )
        return EXIT_OK
    jobs = args.jobs or available_cores()
    built = build(config, drafts=args.drafts, search=search, jobs=jobs)
    if key and cache.snapshot(config) == inputs:  # none written meanwhile
        cache.remember(config, key)
    pages = sum(1 for path in built.files if path.endswith(".html"))
    index = f" (the search index {built.index_seconds:.2f} s)" if built.index_seconds else ""
    print(
        f"built {pages} pages and {len(built.files) - pages} data files into "
        f"{config.output_dir}/ in {time.perf_counter() - started:.2f} s{index}"
    )
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .build import available_cores, check

    config = load_config(args.root)
    site = check(config, drafts=args.drafts, jobs=available_cores())
    if args.format == "text":
        print(f"ok: {len(site.records.all())} records, no problems")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(load_config(args.root), host=args.host, port=args.port, open_browser=False)


def _install_hooks(args: argparse.Namespace) -> int:
    from .hooks import Settings, install_hooks
    from .publish import CURRENT, PublishError

    settings = Settings(args.releases.resolve(), args.keep, args.branch)
    try:
        paths = install_hooks(args.repository, settings)
    except PublishError as err:
        print(f"site-builder: {err}", file=sys.stderr)
        return EXIT_CONTENT
    for path in paths:
        print(f"installed {path}")
    print(
        f"a push to {args.branch} is now checked, then published to "
        f"{settings.releases / CURRENT} (point the web server's root there)"
    )
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    from .publish import PublishError, current_release, list_releases, rollback

    if args.list:
        live = current_release(args.releases)
        for release in list_releases(args.releases):
            print(f"{'*' if live and release.name == live.name else ' '} {release.name}")
        return EXIT_OK
    try:
        was, now = rollback(args.releases, args.to)
    except PublishError as err:
        print(f"site-builder: {err}", file=sys.stderr)
        return EXIT_CONTENT
    print(f"now live: {now.name} (was {was.name})")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from . import wareki
    from .scaffold import scaffold

    day = None
    if args.date:
        try:
            day = wareki.parse_date(args.date)
        except ValueError as err:
            print(f"site-builder new: --date: {err}", file=sys.stderr)
            return EXIT_USAGE
    made = scaffold(load_config(args.root), args.kind, args.target, day, args.title, args.after)
    where = made.path.relative_to(args.root) if made.path.is_relative_to(args.root) else made.path
    print(f"{where.as_posix()}:{made.line}: new {args.kind}: {made.summary}")
    return EXIT_OK


def _audit(args: argparse.Namespace) -> int:
    from . import wareki
    from .audit import REPORT_JSON, AuditError, audit_and_publish
    from .pages import REPORT_URL

    config = load_config(args.root)
    site_dir = (args.output or config.output_path).resolve()
    day = None
    if args.date:
        try:
            day = wareki.parse_date(args.date)
        except ValueError as err:
            print(f"site-builder audit: --date: {err}", file=sys.stderr)
            return EXIT_USAGE
    started = time.perf_counter()
    try:
        result = audit_and_publish(config, site_dir, date=day)
    except AuditError as err:
        print(f"site-builder audit: {err}", file=sys.stderr)
        return EXIT_CONTENT
    shown = args.output or Path(config.output_dir)
    files = {p.url: p.file for p in result.pages}  # a stylesheet's address is its file
    for finding in result.findings:
        file = files.get(finding.page) or finding.page.removeprefix(config.base_path)
        print(f"{shown.as_posix()}/{file}: {finding}", file=sys.stderr)
    counts = result.counts()
    report = REPORT_URL.strip("/") + "/index.html"
    print(
        f"audited {len(result.pages)} pages in {time.perf_counter() - started:.0f} s: "
        f"{counts['axe']} axe violations, {counts['vnu']} validator errors, "
        f"{counts['other']} other problems; {len(result.reviews)} places for a person to "
        f"review\nreport: {shown.as_posix()}/{report} (and {REPORT_JSON} beside it)"
    )
    return EXIT_OK if result.ok else EXIT_CONTENT


def _positive(value: str) -> int:
    """argparse type: a whole number of at least 1 (a usage error otherwise)."""
    if not value.isdecimal() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder",
        description="Publish the records of councils and committees as an accessible, "
        "searchable static site.",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="project folder holding config.yaml (default: the current folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", help="check the records and write the site to output/")
    build.add_argument("--drafts", action="store_true", help="include records marked draft")
    build.add_argument("--no-search", action="store_true", help="skip the search index")
    build.add_argument(
        "--force",
        action="store_true",
        help="build even when nothing changed since the last build",
    )
    build.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="build on N processes: N validate and link the records, then N-1 render the "
        "pages while this one makes the data files (default: the cores available, at most 8; "
        "1: this process only); fewer if the free memory would not hold them; the output "
        "is the same",
    )
    build.set_defaults(run=_build)

    check = sub.add_parser("check", help="check the records only; print every problem")
    check.add_argument("--drafts", action="store_true", help="include records marked draft")
    check.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: print problems as GitHub Actions annotations",
    )
    check.set_defaults(run=_check)

    serve = sub.add_parser("serve", help="preview: build, serve and rebuild on every edit")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000)")
    serve.set_defaults(run=_serve)

    hooks = sub.add_parser(
        "install-hooks", help="publish by git push: install checking hooks into a bare repo"
    )
    hooks.add_argument("repository", type=Path, metavar="BARE_REPO", help="bare git repository")
    hooks.add_argument(
        "--releases",
        type=Path,
        required=True,
        help="folder for the releases; the web server serves its 'current' link",
    )
    hooks.add_argument("--keep", type=int, default=5, help="releases kept for rollback (5)")
    hooks.add_argument("--branch", default="main", help="the branch that is published (main)")
    hooks.set_defaults(run=_install_hooks)

    back = sub.add_parser("rollback", help="make the previous release live again")
    back.add_argument("--releases", type=Path, required=True, help="the releases folder")
    back.add_argument("--to", metavar="RELEASE", help="a release name or number (see --list)")
    back.add_argument("--list", action="store_true", help="list the releases; * marks the live one")
    back.set_defaults(run=_rollback)

    new = sub.add_parser(
        "new", help="start a record: next number, today's date (meeting, wg, plan-item)"
    )
    new.add_argument("kind", choices=("meeting", "wg", "plan-item"), help="what to make")
    new.add_argument(
        "target",
        metavar="MUNICIPALITY/SLUG",
        help="meeting: the body (maebashi/dx-committee); wg: the new WG's slug; "
        "plan-item: the plan (musashimurayama/dx-plan)",
    )
    new.add_argument(
        "--title",
        help="meeting title (default: 令和N年度第N回<body>); "
        "the WG's name or the item's title (required for those)",
    )
    new.add_argument("--date", help="meeting date instead of today (2025-11-17 or 令和7年11月17日)")
    new.add_argument("--after", type=int, metavar="N", help="plan-item: put it in 項番N's pillar")
    new.set_defaults(run=_new)

    audit = sub.add_parser(
        "audit",
        help="test every built page for accessibility (JIS X 8341-3 AA) and write the "
        "test results page (試験結果) into the site",
    )
    audit.add_argument(
        "--output", type=Path, metavar="DIR", help="the built site (default: output_dir)"
    )
    audit.add_argument("--date", help="the test date the report shows (default: today)")
    audit.set_defaults(run=_audit)
    return parser


if __name__ == "__main__":
    sys.exit(main())
