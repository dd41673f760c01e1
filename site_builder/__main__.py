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
    from .build import build

    config = load_config(args.root)
    started = time.perf_counter()
    built = build(config, drafts=args.drafts, search=False if args.no_search else None)
    print(
        f"built {len(built.files)} pages into {config.output_dir}/ "
        f"in {time.perf_counter() - started:.2f} s"
    )
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .build import check

    config = load_config(args.root)
    site = check(config, drafts=args.drafts)
    if args.format == "text":
        print(f"ok: {len(site.records.all())} records, no problems")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(load_config(args.root), host=args.host, port=args.port, open_browser=False)


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
    return parser


if __name__ == "__main__":
    sys.exit(main())
