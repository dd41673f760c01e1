"""Fixtures shared by the tests.

Sections: browser tests (Playwright driving Debian's /usr/bin/chromium; `python3 dev.py
setup --browser` installs it) and local HTTP serving. Add new fixtures under a section
header of their own.
"""

import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

# --------------------------------------------------------------------------- marks

BROWSER_FIXTURES = frozenset({"browser", "page"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a browser fixture `browser` (`-m "not browser"` skips)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- HTTP serving


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files from `directory=` without logging each request."""

    extensions_map = {  # noqa: RUF012 - extends the class attribute on purpose
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".svg": "image/svg+xml",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        # A browser that drops a connection it no longer needs is not an error.
        pass


@pytest.fixture
def serve_dir() -> Iterator[Callable[[str | Path], str]]:
    """Factory: `base = serve_dir(path)` serves `path` on 127.0.0.1 at an ephemeral port.

    Returns the base URL without a trailing slash (`f"{base}/index.html"`). Each server
    runs in a background thread and is shut down when the test ends.
    """
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def serve(directory: str | Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = _QuietServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (Playwright sync API)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `python3 dev.py setup --browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh ja-JP context and page; the test fails if the page logged a console error,
    threw an uncaught exception, or had a request fail."""
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            problems.append(f"console error: {message.text}" + (f" ({where})" if where else ""))

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))

    def on_request_failed(request) -> None:
        # Leaving a page cuts its open event stream (the preview's live reload): expected.
        if request.resource_type == "eventsource" and request.failure == "net::ERR_ABORTED":
            return
        problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    yield page
    context.close()
    if problems:
        pytest.fail("the page reported problems:\n  " + "\n  ".join(problems), pytrace=False)


# --------------------------------------------------------------------------- content trees

REPO = Path(__file__).resolve().parent.parent
MINIMAL_CONFIG = "site:\n  title: テストサイト\nsearch:\n  enabled: false\n"


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Factory: `root = make_site({"content/a/municipality.yaml": "name: 市"})`.

    Writes the files (str as UTF-8, bytes as they are) and a minimal config.yaml into a
    fresh project folder whose themes/ is the repository's; returns the folder.
    """

    def make(files: dict[str, str | bytes], config: str = MINIMAL_CONFIG) -> Path:
        (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
        if not (tmp_path / "themes").exists():
            (tmp_path / "themes").symlink_to(REPO / "themes")
        for rel, data in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return tmp_path

    return make


def _example_project(root: Path, config: Callable[[str], str] = lambda text: text) -> Path:
    """The example site in the project folder root (content/ and themes/ linked), its
    config.yaml the repository's as changed by `config`; returns root."""
    for name in ("content", "themes"):
        (root / name).symlink_to(REPO / name)
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(config(text), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def example_project() -> Callable[..., Path]:
    """Factory: `example_project(folder, lambda config: config + "…")` puts the example
    site in a project folder with a changed config.yaml (for builds of other settings)."""
    return _example_project


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site (content/ of the repository) built once, with its search index,
    into a temporary project folder; returns that folder (output/ inside)."""
    from site_builder.build import build
    from site_builder.config import load_config

    root = _example_project(tmp_path_factory.mktemp("example"))
    build(load_config(root))
    return root


# --------------------------------------------------------------------------- publishing by git push


class PushSite:
    """A bare repository with site-builder's hooks, a clone holding the example site, and
    the releases folder the hooks publish to (what a municipality's server has)."""

    def __init__(self, root: Path, search: bool) -> None:
        from site_builder.hooks import Settings, install_hooks

        self.bare = root / "site.git"
        self.work = root / "work"
        self.releases = root / "www"
        gitconfig = root / "gitconfig"
        gitconfig.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "書記",
            "GIT_AUTHOR_EMAIL": "clerk@example.org",
            "GIT_COMMITTER_NAME": "書記",
            "GIT_COMMITTER_EMAIL": "clerk@example.org",
            "GIT_AUTHOR_DATE": "2025-11-17T10:00:00+09:00",
            "GIT_COMMITTER_DATE": "2025-11-17T10:00:00+09:00",
        }
        self.git("init", "--quiet", "--bare", str(self.bare), cwd=root)
        install_hooks(self.bare, Settings(self.releases, keep=3, branch="main"))
        self.git("clone", "--quiet", str(self.bare), str(self.work), cwd=root)
        shutil.copytree(REPO / "content", self.work / "content")
        shutil.copytree(REPO / "themes", self.work / "themes")
        config = (REPO / "config.yaml").read_text(encoding="utf-8")
        if not search:
            config = config.replace("  enabled: true", "  enabled: false")
        (self.work / "config.yaml").write_text(config, encoding="utf-8")

    def git(
        self, *args: str, cwd: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd or self.work,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{result.stderr}")
        return result

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        """Write `files` (path → text) into the clone, commit everything; return the id."""
        for rel, text in (files or {}).items():
            (self.work / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.work / rel).write_text(text, encoding="utf-8")
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").stdout.strip()

    def push(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`git push origin main` (or `args`); returns the result, refused or not."""
        return self.git("push", "origin", *(args or ("main",)), check=False)

    def remote_lines(self, result: subprocess.CompletedProcess[str]) -> list[str]:
        """What the hooks printed, without git's `remote: ` prefix and padding."""
        prefix = "remote: "
        return [
            line[len(prefix) :].rstrip()
            for line in result.stderr.splitlines()
            if line.startswith(prefix)
        ]

    @property
    def live(self) -> Path:
        """The release the web server serves now."""
        return (self.releases / "current").resolve()


@pytest.fixture
def push_site(tmp_path: Path) -> Callable[..., PushSite]:
    """Factory: `site = push_site()` (search off, for speed) or `push_site(search=True)`."""
    return lambda search=False: PushSite(tmp_path, search)
