#!/usr/bin/env python3
"""The one entry point for working on site_builder, from a machine that has only Python.

    python3 dev.py serve [args...]        set up .venv, then: site-builder serve [args...]
    python3 dev.py test [pytest args...]  set up everything, then: ruff (check, format), pytest
    python3 dev.py setup [--browser]      only set up (.venv; with --browser also the
                                          Debian packages and node_modules the tests use)

Every setup step is skipped when it is already satisfied, so a re-run costs well under a
second; a step that does work prints one line starting with "dev.py:".

- .venv is made with the interpreter running this script; `pip install -e '.[test]'` is
  re-run only when pyproject.toml changes (a hash is kept in .venv/.dev-stamp).
- Browser tests need Debian's chromium, fonts-noto-cjk (Japanese glyphs), a Java runtime
  (the Nu Html Checker) and nginx; they are installed with apt-get (through sudo when not
  root) only if `dpkg -s` reports one missing. Playwright drives /usr/bin/chromium: never
  run `playwright install`.
- node_modules comes from package-lock.json via `npm ci` (a hash is kept in
  node_modules/.dev-stamp).

Stdlib only; Python >= 3.11.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - a clear message on an older python3
    sys.exit(f"dev.py needs Python 3.11 or newer; this is {sys.version.split()[0]}")

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_BIN = VENV / "bin"
VENV_PYTHON = VENV_BIN / "python"
VENV_STAMP = VENV / ".dev-stamp"
NODE_MODULES = ROOT / "node_modules"
NPM_STAMP = NODE_MODULES / ".dev-stamp"

# Debian packages the browser tests need.
DEBIAN_PACKAGES = ("chromium", "fonts-noto-cjk", "default-jre-headless", "nginx")
# Paths that `ruff check` covers (those that exist: a fresh clone has no empty folders).
LINT_PATHS = ("site_builder", "tests", "bench", "dev.py")
# Bump to force every machine to redo the pip install once.
STAMP_VERSION = "1"

USAGE = """\
usage: python3 dev.py serve [args...]
       python3 dev.py test [pytest args...]
       python3 dev.py setup [--browser]"""


class SetupError(Exception):
    """A setup step failed; the message says what to do."""


def say(message: str) -> None:
    print(f"dev.py: {message}", flush=True)


def run(cmd: Sequence[str | os.PathLike[str]], *, what: str, **kwargs) -> None:
    """Run an install command; raise SetupError naming `what` if it fails."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    try:
        result = subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False, **kwargs)
    except FileNotFoundError as exc:
        raise SetupError(f"{what}: {exc}") from exc
    if result.returncode != 0:
        shown = " ".join(str(c) for c in cmd)
        raise SetupError(f"{what} failed (exit {result.returncode}): {shown}")


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def read_stamp(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


# --------------------------------------------------------------------------- Debian


def missing_debian_packages(packages: Sequence[str]) -> list[str]:
    """The packages of `packages` that `dpkg -s` does not report as installed."""
    result = subprocess.run(
        ["dpkg", "-s", *packages],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    installed: set[str] = set()
    for paragraph in result.stdout.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in paragraph.splitlines() if ": " in line)
        status = fields.get("Status", "").split()
        if status and status[-1] == "installed":
            installed.add(fields.get("Package", ""))
    return [p for p in packages if p not in installed]


def apt_install(packages: Sequence[str], why: str) -> None:
    """apt-get update + install `packages`, as root or through sudo."""
    names = " ".join(packages)
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise SetupError(
            f"{why} needs the Debian packages {names}, and this machine has no "
            "apt-get: install them (or their equivalents) by hand."
        )
    prefix: list[str] = []
    stdin = subprocess.DEVNULL
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise SetupError(
                f"{why} needs the Debian packages {names}; this user is not root and "
                f"there is no sudo. As root run: apt-get install {names}"
            )
        if sys.stdin is not None and sys.stdin.isatty():
            prefix = ["sudo"]
            stdin = None  # let sudo ask for a password
        else:
            prefix = ["sudo", "-n"]
    prefix += ["env", "DEBIAN_FRONTEND=noninteractive"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say(f"installing Debian packages: {names}")
    run([*prefix, "apt-get", "update", "-q"], what="apt-get update", env=env, stdin=stdin)
    run(
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        what=f"apt-get install {names}",
        env=env,
        stdin=stdin,
    )


def ensure_debian_packages() -> None:
    if shutil.which("dpkg") is None:
        raise SetupError(
            "the browser tests need the Debian packages "
            f"{' '.join(DEBIAN_PACKAGES)} (and node/npm); this is not a Debian "
            "machine: install their equivalents by hand."
        )
    wanted = list(DEBIAN_PACKAGES)
    if shutil.which("npm") is None:
        wanted += ["nodejs", "npm"]
    missing = missing_debian_packages(wanted)
    if not missing:
        return
    apt_install(missing, "the browser tests")
    still = missing_debian_packages(missing)
    if still:
        raise SetupError(f"apt-get finished but these are still missing: {' '.join(still)}")


# --------------------------------------------------------------------------- .venv


def ensure_ensurepip() -> None:
    """Debian's own python3 ships `venv` without ensurepip (package python3-venv)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import ensurepip"],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if probe.returncode == 0:
        return
    if sys.prefix == "/usr" and shutil.which("apt-get"):
        v = sys.version_info
        apt_install([f"python3.{v.minor}-venv"], "creating .venv")
        return
    raise SetupError(
        f"{sys.executable} cannot create a virtual environment (no ensurepip): "
        "install its venv support (on Debian: apt-get install python3-venv)."
    )


def ensure_venv() -> None:
    if not VENV_PYTHON.exists():
        ensure_ensurepip()
        say(f"creating .venv with {sys.executable} ({sys.version.split()[0]})")
        try:
            run([sys.executable, "-m", "venv", "--clear", VENV], what="python3 -m venv")
        except SetupError:
            shutil.rmtree(VENV, ignore_errors=True)
            raise
    want = digest(
        STAMP_VERSION.encode(),
        (ROOT / "pyproject.toml").read_bytes(),
    )
    if read_stamp(VENV_STAMP) == want:
        return
    say("pip install -e '.[test]' (pyproject.toml changed)")
    VENV_STAMP.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }
    run(
        [VENV_PYTHON, "-m", "pip", "install", "-q", "-e", ".[test]"],
        what="pip install -e '.[test]'",
        env=env,
    )
    VENV_STAMP.write_text(want + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- npm


def ensure_node_modules() -> None:
    lock = ROOT / "package-lock.json"
    if not lock.exists():
        raise SetupError("package-lock.json is missing: run `npm install` once and commit it")
    want = digest(
        STAMP_VERSION.encode(),
        (ROOT / "package.json").read_bytes(),
        lock.read_bytes(),
    )
    if read_stamp(NPM_STAMP) == want:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError("npm is missing (the Debian packages nodejs and npm provide it)")
    say("npm ci (package-lock.json changed)")
    # --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime from
    # outside the registries; the tests run Debian's java on the bundled vnu.jar instead.
    run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        what="npm ci",
    )
    NPM_STAMP.write_text(want + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- commands


def setup(browser: bool) -> None:
    ensure_venv()
    if browser:
        ensure_debian_packages()  # first: npm may come from it
        ensure_node_modules()


def cmd_serve(args: list[str]) -> int:
    setup(browser=False)
    exe = VENV_BIN / "site-builder"
    os.execv(exe, [str(exe), "serve", *args])
    return 1  # not reached


def cmd_test(args: list[str]) -> int:
    setup(browser=True)
    lint_paths = [p for p in LINT_PATHS if (ROOT / p).exists()]
    ruff = subprocess.run([VENV_BIN / "ruff", "check", *lint_paths], cwd=ROOT, check=False)
    layout = subprocess.run(
        [VENV_BIN / "ruff", "format", "--check", *lint_paths], cwd=ROOT, check=False
    )
    tests = subprocess.run([VENV_PYTHON, "-m", "pytest", *args], cwd=ROOT, check=False)
    if ruff.returncode != 0:
        say(f"ruff check failed (exit {ruff.returncode})")
    if layout.returncode != 0:
        say(f"ruff format --check failed (exit {layout.returncode}): run `ruff format`")
    if tests.returncode == 5:
        say("pytest collected no tests: counted as a failure")
    elif tests.returncode != 0:
        say(f"pytest failed (exit {tests.returncode})")
    return tests.returncode or ruff.returncode or layout.returncode


def cmd_setup(args: list[str]) -> int:
    if any(a != "--browser" for a in args):
        print(USAGE, file=sys.stderr)
        return 2
    setup(browser="--browser" in args)
    return 0


COMMANDS = {"serve": cmd_serve, "test": cmd_test, "setup": cmd_setup}


def main(argv: list[str]) -> int:
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0
    command = COMMANDS.get(argv[0])
    if command is None:
        print(f"dev.py: unknown command {argv[0]!r}\n{USAGE}", file=sys.stderr)
        return 2
    try:
        return command(argv[1:])
    except SetupError as exc:
        say(f"setup failed: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
