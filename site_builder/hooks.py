"""Publishing by `git push` to a bare repository on the municipality's own server.

``site-builder install-hooks BARE_REPO --releases DIR`` writes two hooks that run
``python -m site_builder.hooks``:

pre-receive
    For the published branch: refuses a deletion; exports the pushed commit
    (``git archive``) into a temporary folder, checks and builds it into
    DIR/incoming/<commit>/, and refuses the push with every problem located as
    ``path:line:column`` (git shows the hook's output as ``remote: …``). Nothing
    goes live here: git may still refuse the ref update afterwards (another push
    to the branch won the race), and the site must never show a commit that the
    repository does not have.
post-receive
    After git has moved the branch: makes live whatever the branch points at now
    (the build prepared by pre-receive; a fresh one if a concurrent push cleared
    it), by one symlink swap, and prunes old releases. Reading the branch under the
    lock, rather than trusting this push's own line, is what keeps the site equal to
    the branch when two pushes race: the last post-receive to run sees the last
    ref update.

Both hold DIR/.lock while they build or swap, so two pushes are serialised; a
push that has to wait says so.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tarfile
import tempfile
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .model import ContentError
from .publish import (
    COMMIT_CHARS,
    INCOMING,
    MIN_KEEP,
    PublishError,
    activate,
    clear_incoming,
    current_release,
    init_releases,
    prepare_release,
    prune,
    publish_lock,
)

ZERO = "0" * 40
HOOKS = ("pre-receive", "post-receive")
MARKER = "site-builder-hook"  # marks a hook file as ours, so install-hooks may rewrite it
HOOK_SCRIPT = """\
#!/bin/sh
# {marker}: written by `site-builder install-hooks`. Run that command again to
# change these settings rather than editing this file.
exec {command}
"""


@dataclass(frozen=True)
class Settings:
    """What install-hooks was told; the hooks receive it on their command line."""

    releases: Path
    keep: int
    branch: str

    @property
    def ref(self) -> str:
        return f"refs/heads/{self.branch}"


@dataclass(frozen=True)
class RefUpdate:
    """One line of a receive hook's input: `old new ref`."""

    old: str
    new: str
    ref: str

    @property
    def deletes(self) -> bool:
        return self.new.strip("0") == ""


def parse_updates(lines: Iterable[str]) -> list[RefUpdate]:
    updates = []
    for line in lines:
        fields = line.split()
        if len(fields) == 3:
            updates.append(RefUpdate(*fields))
    return updates


# --------------------------------------------------------------------------- installing


def install_hooks(repository: Path, settings: Settings, python: str = sys.executable) -> list[Path]:
    """Write pre-receive and post-receive into a bare repository; return their paths."""
    if settings.keep < MIN_KEEP:
        raise PublishError(
            f"--keep {settings.keep}: keep at least {MIN_KEEP} releases "
            "(the live one and one to roll back to)"
        )
    if _git(repository, "rev-parse", "--is-bare-repository").strip() != "true":
        raise PublishError(
            f"{repository} is not a bare git repository "
            f"(make one with: git init --bare {repository})"
        )
    hooks_dir = Path(_git(repository, "rev-parse", "--git-path", "hooks").strip())
    if not hooks_dir.is_absolute():
        hooks_dir = repository / hooks_dir
    paths = [hooks_dir / name for name in HOOKS]
    for path in paths:
        if path.exists() and MARKER not in path.read_text(encoding="utf-8", errors="replace"):
            raise PublishError(
                f"{path} exists and was not written by site-builder: "
                "move it away (or merge it by hand) and run install-hooks again"
            )
    releases = settings.releases.resolve()
    init_releases(releases)
    hooks_dir.mkdir(parents=True, exist_ok=True)
    for name, path in zip(HOOKS, paths, strict=True):
        argv = [python, "-m", "site_builder.hooks", name, "--releases", str(releases)]
        argv += ["--keep", str(settings.keep), "--branch", settings.branch]
        command = " ".join(shlex.quote(arg) for arg in argv)
        path.write_text(HOOK_SCRIPT.format(marker=MARKER, command=command), encoding="utf-8")
        path.chmod(0o755)
    return paths


# --------------------------------------------------------------------------- the hooks


def pre_receive(updates: Sequence[RefUpdate], settings: Settings) -> int:
    """Check the published branch's new commit; 1 (git refuses the push) on any problem."""
    for update in updates:
        if update.ref != settings.ref:
            continue
        if update.deletes:
            say(
                f"refusing to delete the branch {settings.branch}: the published site is "
                "built from it. To take a page down, delete its record and push."
            )
            return 1
        try:
            with publish_lock(settings.releases, on_wait=_say_waiting):
                _prepare(settings, update.new)
        except ContentError as err:
            for problem in err.problems:
                say(str(problem))
            count = len(err.problems)
            say(
                f"push refused: {count} problem{'s' if count != 1 else ''} in commit "
                f"{update.new[:COMMIT_CHARS]}; nothing was published. "
                f"Fix {'them' if count != 1 else 'it'}, commit, and push again."
            )
            return 1
        say(f"checked {update.new[:COMMIT_CHARS]}: no problems")
    return 0


def post_receive(updates: Sequence[RefUpdate], settings: Settings) -> int:
    """Make live what the published branch points at now."""
    if not any(u.ref == settings.ref and not u.deletes for u in updates):
        return 0
    with publish_lock(settings.releases, on_wait=_say_waiting):
        commit = _git(Path("."), "rev-parse", "--verify", "--quiet", settings.ref).strip()
        live = current_release(settings.releases)
        if live is not None and live.commit == commit[:COMMIT_CHARS]:
            clear_incoming(settings.releases)
            say(f"{live.name} is already live")
            return 0
        prepared = settings.releases / INCOMING / commit
        if not prepared.is_dir():
            try:
                prepared = _prepare(settings, commit)
            except ContentError as err:  # only if the checks changed since pre-receive
                for problem in err.problems:
                    say(str(problem))
                say(f"{commit[:COMMIT_CHARS]} was not published: fix the problems and push")
                return 1
        release = activate(settings.releases, prepared, commit)
        deleted = prune(settings.releases, settings.keep)
        clear_incoming(settings.releases)
    say(f"published {release.name}: the site now shows commit {commit[:COMMIT_CHARS]}")
    if deleted:
        say("removed old releases: " + ", ".join(r.name for r in deleted))
    return 0


def _prepare(settings: Settings, commit: str) -> Path:
    with tempfile.TemporaryDirectory(prefix="site-builder-push-") as tmp:
        export_commit(commit, Path(tmp))
        return prepare_release(settings.releases, load_config(Path(tmp)), commit)


def export_commit(commit: str, target: Path) -> None:
    """Write the files of `commit` into `target` (no .git, nothing left in the repository).

    In pre-receive the pushed objects are still in git's quarantine; `git archive`
    reads them through the environment git gives the hook. Links that point outside
    the tree are refused (tarfile's "data" filter), not followed.
    """
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    unpacked: Exception | None = None
    with subprocess.Popen(
        ["git", "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    ) as archive:
        assert archive.stdout is not None and archive.stderr is not None
        try:
            with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
                tar.extractall(target, **safe)  # type: ignore[arg-type]
        except tarfile.TarError as err:
            unpacked = err
            archive.stdout.read()  # let git finish writing
        error = archive.stderr.read().decode(errors="replace").strip()
    if archive.returncode != 0:
        raise PublishError(f"git archive {commit} failed: {error}")
    if unpacked is not None:
        raise PublishError(f"commit {commit[:COMMIT_CHARS]} cannot be exported: {unpacked}")


def _git(repository: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repository), *args],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise PublishError(f"git {' '.join(args)} failed in {repository}: {result.stderr.strip()}")
    return result.stdout


def say(message: str) -> None:
    """Hook output goes to the pusher's terminal, each line prefixed `remote: ` by git."""
    print(message, file=sys.stderr, flush=True)


def _say_waiting() -> None:
    say("another publish is running; waiting for it to finish…")


# --------------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_builder.hooks")
    parser.add_argument("hook", choices=HOOKS)
    parser.add_argument("--releases", type=Path, required=True)
    parser.add_argument("--keep", type=int, required=True)
    parser.add_argument("--branch", required=True)
    args = parser.parse_args(argv)
    settings = Settings(args.releases, args.keep, args.branch)
    updates = parse_updates(sys.stdin)
    run = pre_receive if args.hook == "pre-receive" else post_receive
    try:
        return run(updates, settings)
    except PublishError as err:
        say(f"site-builder: {err}")
        return 1
    except Exception as err:  # refuse the push rather than publish something unchecked
        if os.environ.get("SITE_BUILDER_DEBUG"):
            traceback.print_exc()
        say(
            f"site-builder: internal error: {type(err).__name__}: {err}\n"
            "This is a bug in site-builder, not in your records; nothing was published."
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
