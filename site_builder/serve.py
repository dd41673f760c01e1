"""The preview: build, serve output/, rebuild on every edit, tell the browser.

One watcher (watchdog) collects changed paths; one builder thread waits for a
burst of saves to settle (SETTLE seconds of quiet), then runs one incremental
rebuild (rebuild.py) for the whole burst. The browser keeps a Server-Sent
Events connection open (/__events): after a rebuild it reloads the page (or only
swaps the stylesheets), keeping its scroll position; when the content is
invalid it shows every `path:line:column: message` in an overlay while the last
good pages stay served. Nothing the preview adds is written to output/: the
script is injected into HTML responses only, so output/ is what `build` makes.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import multiprocessing
import os
import posixpath
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from watchdog.events import (
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from .config import CONFIG_FILE, Config
from .load import is_ignored
from .model import ContentError, Problem
from .rebuild import Outcome, Rebuilder
from .search import index_site, plan_shards

SETTLE = 0.03  # seconds of quiet that end a burst of saves
MAX_WAIT = 0.5  # never wait longer than this after the first event of a burst
INDEX_DELAY = 1.0  # the search index is refreshed after edits have stopped this long
KEEPALIVE = 15.0
EVENTS = [
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    FileCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]
PREVIEW_SCRIPT = "__preview.js"
FORK = multiprocessing.get_context("fork")  # the refresh process shares the build's memory


@dataclass
class State:
    """What the browser is told: the build number and any problems."""

    epoch: int = 0
    kind: str = "reload"  # or "css": only stylesheets changed
    problems: list[Problem] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, kind: str | None = None, problems: list[Problem] | None = None) -> None:
        with self.changed:
            if kind is not None:
                self.epoch += 1
                self.kind = kind
            self.problems = list(problems or [])
            self.changed.notify_all()

    def message(self) -> str:
        problems = [
            {
                "path": p.location.path,
                "line": p.location.line,
                "column": p.location.column,
                "text": str(p),
            }
            for p in self.problems
        ]
        data = json.dumps(
            {"epoch": self.epoch, "kind": self.kind, "problems": problems}, ensure_ascii=False
        )
        return f"event: state\ndata: {data}\n\n"


class Preview:
    """The watcher, the builder thread and the state they share with the server."""

    def __init__(self, root: Path, out=sys.stderr) -> None:
        self.root = root
        self.out = out
        self.rebuilder = Rebuilder(root, drafts=True, furnish_inline=False)
        self.lock = threading.Lock()  # the builder and the background refresh share output/
        self.config: Config = self.rebuilder.config
        self.state = State()
        self.pending: set[Path] = set()
        self.first_event = 0.0
        self.last_event = 0.0
        self.wake = threading.Condition()
        self.stopping = threading.Event()
        self.index_due = 0.0
        self.refresher: BaseProcess | None = None  # the background refresh, when running
        self.observer = Observer()

    # --- lifecycle --------------------------------------------------------------

    def start(self) -> None:
        started = time.perf_counter()
        try:
            outcome = self.rebuilder.build_all()
            self.say(
                f"built {len(outcome.written)} files in "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )
            self.state.publish("reload")
            self.index_due = time.monotonic()
        except ContentError as err:
            self.report(err.problems)
        handler = _Events(self)
        for folder in (self.config.content_path, self.config.theme_path):
            folder.mkdir(parents=True, exist_ok=True)
            self.observer.schedule(handler, str(folder), recursive=True, event_filter=EVENTS)
        self.observer.schedule(handler, str(self.root), recursive=False, event_filter=EVENTS)
        self.observer.start()
        threading.Thread(target=self._build_loop, name="builder", daemon=True).start()
        threading.Thread(target=self._index_loop, name="indexer", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        if self.refresher is not None and self.refresher.is_alive():
            with contextlib.suppress(ProcessLookupError):  # it and its Pagefind
                os.killpg(self.refresher.pid, signal.SIGTERM)
        with self.wake:
            self.wake.notify_all()
        with self.state.changed:
            self.state.changed.notify_all()
        self.observer.stop()
        self.observer.join(timeout=5)

    # --- events → rebuilds --------------------------------------------------------

    def notice(self, path: Path) -> None:
        """A path changed on disk; rebuild once the burst it belongs to settles."""
        if not self._relevant(path):
            return
        with self.wake:
            now = time.monotonic()
            if not self.pending:
                self.first_event = now
            self.pending.add(path)
            self.last_event = now
            self.wake.notify_all()

    def _relevant(self, path: Path) -> bool:
        if is_ignored(path.name):
            return False
        if path == self.root / CONFIG_FILE:
            return True
        config = self.config
        return any(
            folder == path or folder in path.parents
            for folder in (config.content_path, config.theme_path)
        )

    def _build_loop(self) -> None:
        while not self.stopping.is_set():
            with self.wake:
                while not self.pending and not self.stopping.is_set():
                    self.wake.wait()
                while not self.stopping.is_set():
                    now = time.monotonic()
                    quiet = self.last_event + SETTLE - now
                    limit = self.first_event + MAX_WAIT - now
                    if quiet <= 0 or limit <= 0:
                        break
                    self.wake.wait(min(quiet, limit))
                paths, self.pending = self.pending, set()
            if paths and not self.stopping.is_set():
                self.rebuild(paths)

    def rebuild(self, paths: set[Path]) -> None:
        started = time.perf_counter()
        try:
            with self.lock:
                if not self.rebuilder.pages:  # no good build yet: start from scratch
                    outcome = self.rebuilder.build_all()
                else:
                    outcome = self.rebuilder.update(paths)
        except ContentError as err:
            self.report(err.problems)
            return
        except Exception as err:
            self.say(f"internal error while rebuilding: {type(err).__name__}: {err}")
            self.state.publish(problems=[])
            return
        elapsed = (time.perf_counter() - started) * 1000
        self.announce(outcome, elapsed)

    def announce(self, outcome: Outcome, elapsed_ms: float) -> None:
        names = ", ".join(outcome.written[:3]) + (" …" if len(outcome.written) > 3 else "")
        self.say(
            f"rebuilt in {elapsed_ms:.0f} ms: {len(outcome.written)} written"
            + (f" ({names})" if names else "")
            + (f", {len(outcome.removed)} removed" if outcome.removed else "")
        )
        self.state.publish("css" if outcome.styles_only else "reload")
        if not outcome.styles_only:
            self.index_due = time.monotonic() + INDEX_DELAY

    def report(self, problems: list[Problem]) -> None:
        for problem in problems:
            print(problem, file=self.out)
        self.say(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''}; "
            "the last good pages are still served"
        )
        self.state.publish(problems=problems)

    def say(self, text: str) -> None:
        print(f"[preview] {text}", file=self.out, flush=True)

    # --- data files and search index, refreshed in the background --------------------

    def _index_loop(self) -> None:
        while not self.stopping.wait(0.2):
            if not self.index_due or time.monotonic() < self.index_due:
                continue
            self.index_due = 0.0
            self._refresh_in_background()

    def _refresh_in_background(self) -> None:
        """Exports, feeds and the Pagefind index take a minute and more on a large
        archive. A forked process at the lowest CPU priority makes them from the last
        good build, so that neither this process's GIL nor the CPU stands between an
        edit and its reload; edits made meanwhile schedule another refresh."""
        receiver, sender = FORK.Pipe(duplex=False)
        with self.lock:  # the fork sees the builder between two rebuilds, never inside one
            generation = self.rebuilder.generation
            self.refresher = FORK.Process(
                target=_refresh, args=(self.rebuilder, sender), name="refresh", daemon=True
            )
            self.refresher.start()
        sender.close()
        try:
            status, value = receiver.recv()
        except EOFError:
            status, value = "error", "the refresh process ended without an answer"
        self.refresher.join()
        if status != "ok":
            self.say(f"data files or search index not refreshed: {value}")
            return
        with self.lock:
            if generation == self.rebuilder.generation:
                self.rebuilder.furniture = value


def _refresh(rebuilder: Rebuilder, results: Connection) -> None:
    """The forked refresh process: data files, then the search index. Its own process
    group, so that stopping the preview stops Pagefind too. SIGTERM ends it quietly: the
    preview's own handler (_interrupt), inherited by the fork, would print a traceback."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setpgid(0, 0)
    os.nice(19)
    try:
        made = rebuilder.refresh_furniture()
        config = rebuilder.config
        if config.search.enabled:
            assert rebuilder.site is not None  # refreshed after a good build only
            shards = plan_shards(rebuilder.site.records, config.search.shard_records)
            index_site(config.output_path, config, shards, live=True)
        results.send(("ok", made))
    except Exception as err:  # the preview outlives a failed refresh
        results.send(("error", f"{type(err).__name__}: {err}"))


class _Events(FileSystemEventHandler):
    def __init__(self, preview: Preview) -> None:
        self.preview = preview

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Atomic saves arrive as a move onto the real file: both ends count.
        for name in (event.src_path, getattr(event, "dest_path", "")):
            if name:
                self.preview.notice(Path(os.fsdecode(name)))


# --- HTTP ------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """Serves output/ and nothing else: no '..', no symlink escape, no listings."""

    preview: Preview  # set on the subclass made per server
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: with Nagle's algorithm on, a kept-alive
    # connection waits for the browser's delayed ACK (40 ms) between them.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _respond(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        base = self.preview.config.base_path
        if path == base + "__events":
            return self._events()
        if path == base + PREVIEW_SCRIPT:
            body = files("site_builder").joinpath("preview.js").read_bytes()
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", body, head)
        if not path.startswith(base):
            return self._not_found(head)
        target, is_folder = self._resolve(path[len(base) :])
        if target is None:
            return self._not_found(head)
        if is_folder and not path.endswith("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        body = target.read_bytes()
        if ctype == "text/html":
            body = self._inject(body)
            ctype = "text/html; charset=utf-8"
        elif ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        return self._send(HTTPStatus.OK, ctype, body, head)

    def _resolve(self, relative: str) -> tuple[Path | None, bool]:
        """The file for a URL path inside output/, or None; folders serve index.html."""
        output = self.preview.config.output_path.resolve()
        if "\x00" in relative:
            return None, False
        candidate = output / posixpath.normpath("/" + relative).lstrip("/")  # no way above /
        is_folder = candidate.is_dir()
        if is_folder:
            candidate = candidate / "index.html"
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None, False
        if output not in real.parents or not real.is_file():  # a symlink out of output/
            return None, False
        return real, is_folder

    def _not_found(self, head: bool) -> None:
        page = self.preview.config.output_path / "404.html"
        body = self._inject(page.read_bytes()) if page.is_file() else b"404 Not Found"
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body, head)

    def _inject(self, html: bytes) -> bytes:
        base = self.preview.config.base_path
        tag = (
            f'<script src="{base}{PREVIEW_SCRIPT}" data-epoch="{self.preview.state.epoch}"'
            f' data-events="{base}__events"></script>'
        ).encode()
        at = html.rfind(b"</body>")
        return html[:at] + tag + html[at:] if at >= 0 else html + tag

    def _send(self, status: HTTPStatus, ctype: str, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        state = self.preview.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = None
        try:
            while not self.preview.stopping.is_set():
                with state.changed:
                    current = (state.epoch, len(state.problems), id(state.problems))
                    if current == seen:
                        state.changed.wait(KEEPALIVE)
                        current = (state.epoch, len(state.problems), id(state.problems))
                    message = state.message() if current != seen else ": keepalive\n\n"
                    seen = current
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        pass  # a browser that drops a connection is not an error


def make_server(preview: Preview, host: str, port: int) -> PreviewServer:
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    return PreviewServer((host, port), handler)


def serve(
    config: Config, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False
) -> int:
    """`site-builder serve`: runs until interrupted."""
    preview = Preview(config.root)
    try:
        server = make_server(preview, host, port)
    except OSError as err:
        print(
            f"site-builder: cannot listen on {host}:{port} ({err.strerror}); "
            "try another port with --port",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    preview.start()
    shown_host = f"[{host}]" if ":" in host else host
    preview.say(
        f"serving http://{shown_host}:{server.server_port}{config.base_path} "
        "— edit files under content/ or themes/; Ctrl+C to stop"
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        server.server_close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a service manager, a test harness) stops the preview as Ctrl+C does."""
    raise KeyboardInterrupt
