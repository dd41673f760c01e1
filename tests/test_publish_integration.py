"""Publishing with real parts: a bare repository with the hooks, a clone that pushes, and
Debian's nginx (started here on 127.0.0.1, as this user) serving the `current` link, or
a site under a sub-path. `python3 dev.py setup --browser` installs nginx."""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from site_builder.build import build
from site_builder.config import load_config

NGINX = Path("/usr/sbin/nginx")
MIME_TYPES = Path("/etc/nginx/mime.types")
MEETING_PAGE = "/maebashi/meetings/dx-committee/2023-04-18/"
LOOP_PATHS = ("/", MEETING_PAGE, "/static/site.css")
LOOP_LIMIT = 300  # requests in one loop, at most
BROKEN_MUNICIPALITY = "name: 前橋市\nprefectur: 群馬県\n"

NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{
    worker_connections 64;
}}
http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
{locations}
    }}
}}
"""


# --------------------------------------------------------------------------- nginx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_nginx(run: Path, locations: str) -> tuple[subprocess.Popen[bytes], str]:
    """nginx in the foreground with its config, pid, logs and temp files in `run`."""
    user = ""
    if os.geteuid() == 0:  # else nginx's workers would drop to `nobody`
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
    conf = run / "nginx.conf"
    for _attempt in range(5):
        port = free_port()
        conf.write_text(
            NGINX_CONF.format(
                user=user, run=run, mime_types=MIME_TYPES, port=port, locations=locations
            ),
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [str(NGINX), "-p", str(run), "-c", str(conf), "-e", str(run / "error.log")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return process, f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        stop_nginx(process)
        log = (run / "error.log").read_text(errors="replace")
        if "Address already in use" not in log:
            pytest.fail(f"nginx did not start:\n{log}")
    pytest.fail("nginx found no free port on 127.0.0.1")


def stop_nginx(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT)  # graceful: finish requests, then exit
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Factory: `base = nginx("location / { root …; }")`; stopped when the test ends."""
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: run `python3 dev.py setup --browser`")
    processes: list[subprocess.Popen[bytes]] = []

    def start(locations: str) -> str:
        run = tmp_path / f"nginx-{len(processes)}"
        run.mkdir()
        process, base = start_nginx(run, locations)
        processes.append(process)
        return base

    yield start
    for process in processes:
        stop_nginx(process)


def fetch(base: str, path: str) -> tuple[int, str, bytes]:
    """GET base+path: (status, content type, body); status 0 if the connection failed."""
    split = urlsplit(base)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    except OSError as err:
        return 0, "", repr(err).encode()
    finally:
        connection.close()


def url_paths(release: Path) -> dict[str, Path]:
    """Every URL path a release serves → its file (a folder's index.html also as `dir/`)."""
    paths = {}
    for file in sorted(release.rglob("*")):
        if file.is_file():
            rel = file.relative_to(release).as_posix()
            paths["/" + rel] = file
            if file.name == "index.html":
                paths["/" + rel[: -len("index.html")]] = file
    return paths


def body_of(release: Path, path: str) -> bytes:
    """The file a release serves at `path`."""
    return url_paths(release)[path].read_bytes()


def assert_serves_exactly(base: str, release: Path) -> None:
    wrong = []
    for path, file in url_paths(release).items():
        status, _, body = fetch(base, path)
        if status != 200 or body != file.read_bytes():
            wrong.append(f"{path}: {status}")
    assert wrong == [], f"not served as in {release.name}"


# --------------------------------------------------------------------------- request loop


class RequestLoop:
    """GETs a few paths in turn from a thread while something happens, then a few more.

    Bounded: at most LOOP_LIMIT requests, `interval` apart; it stops by itself.
    """

    def __init__(self, base: str, paths: tuple[str, ...], interval: float) -> None:
        self.base, self.paths, self.interval = base, paths, interval
        self.responses: list[tuple[str, int, bytes]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        after_done = 0
        for i in range(LOOP_LIMIT):
            path = self.paths[i % len(self.paths)]
            status, _, body = fetch(self.base, path)
            self.responses.append((path, status, body))
            if self._done.is_set():
                after_done += 1
                if after_done >= 3 * len(self.paths):
                    return
            time.sleep(self.interval)

    def __enter__(self) -> RequestLoop:
        self._thread.start()
        time.sleep(self.interval)  # the first requests go out before the action starts
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=120)
        assert not self._thread.is_alive()


# --------------------------------------------------------------------------- publishing


def test_publishing_by_push_is_checked_atomic_and_reversible(push_site, nginx) -> None:
    site = push_site(search=True)
    base = nginx(f"        location / {{ root {site.releases / 'current'}; }}")

    # A good push appears on the site.
    first = site.commit("第5回の会議録を公開")
    started = time.monotonic()
    pushed = site.push()
    push_seconds = time.monotonic() - started
    assert pushed.returncode == 0, pushed.stderr
    release1 = site.live
    assert release1.name == f"0001-{first[:12]}"
    assert_serves_exactly(base, release1)
    assert "第5回前橋市DX推進委員会" in fetch(base, MEETING_PAGE)[2].decode()
    # The loops below span several pushes' time, within LOOP_LIMIT requests.
    interval = max(0.005, 4 * push_seconds / LOOP_LIMIT)

    # A push with a broken record is refused, located; the site serves the old pages
    # while it happens and after.
    broken = site.commit(
        "誤りのある記録", {"content/maebashi/municipality.yaml": BROKEN_MUNICIPALITY}
    )
    with RequestLoop(base, LOOP_PATHS, interval) as loop:
        refused = site.push()
    assert refused.returncode == 1
    assert site.remote_lines(refused)[0] == (
        "content/maebashi/municipality.yaml:2:1: unknown field 'prefectur' in municipality; "
        "did you mean 'prefecture'?"
    )
    assert f"push refused: 1 problem in commit {broken[:12]}" in refused.stderr
    old_bodies = {path: body_of(release1, path) for path in LOOP_PATHS}
    assert [(p, s) for p, s, b in loop.responses if s != 200 or b != old_bodies[p]] == []
    assert site.live == release1
    assert_serves_exactly(base, release1)
    site.git("reset", "--quiet", "--hard", "HEAD~1")

    # A good push while the site is being read: every response is whole, old or new,
    # and once a page is new it stays new.
    meeting = site.work / "content/maebashi/meetings/dx-committee/2023-04-18.md"
    text = meeting.read_text(encoding="utf-8")
    second = site.commit(
        "会議名の訂正",
        {
            meeting.relative_to(site.work).as_posix(): text.replace(
                "第5回前橋市", "第5回（訂正）前橋市"
            )
        },
    )
    with RequestLoop(base, LOOP_PATHS, interval) as loop:
        pushed = site.push()
    assert pushed.returncode == 0, pushed.stderr
    release2 = site.live
    assert release2.name == f"0002-{second[:12]}"
    new_bodies = {path: body_of(release2, path) for path in LOOP_PATHS}
    assert old_bodies[MEETING_PAGE] != new_bodies[MEETING_PAGE]
    seen: dict[str, list[str]] = {path: [] for path in LOOP_PATHS}
    for path, status, body in loop.responses:
        assert status == 200, (path, status, body[:200])
        if body == new_bodies[path]:
            seen[path].append("new")
        elif body == old_bodies[path]:
            seen[path].append("old")
        else:
            pytest.fail(f"{path} was served neither whole old nor whole new")
    for path, states in seen.items():
        assert states == sorted(states, reverse=True), f"{path} went back to old: {states}"
    assert "old" in seen[MEETING_PAGE] and "new" in seen[MEETING_PAGE], seen[MEETING_PAGE]
    assert_serves_exactly(base, release2)

    # Rollback restores the previous release.
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "rollback", "--releases", str(site.releases)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"now live: {release1.name} (was {release2.name})\n"
    assert_serves_exactly(base, release1)
    assert fetch(base, MEETING_PAGE)[2] == old_bodies[MEETING_PAGE]


# --------------------------------------------------------------------------- sub-path

SUB_PATH = "/gikai/minutes/"


class _Links(HTMLParser):
    """Every URL an HTML page refers to (href, src, srcset, action)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "action", "poster", "data"):
                self.urls.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def links_in(content_type: str, body: bytes) -> list[str]:
    if content_type.startswith("text/html"):
        parser = _Links()
        parser.feed(body.decode("utf-8", errors="replace"))
        return parser.urls
    if content_type.startswith("text/css"):
        return [a or b for a, b in CSS_URL.findall(body.decode("utf-8", errors="replace"))]
    return []


def crawl(base: str, start: str, public_host: str) -> tuple[set[str], list[str]]:
    """Follow every internal link from `start`; return (paths fetched, problems).

    A link to the public address (the feeds and canonical links use base_url) is fetched
    from the local server under the same path. Other hosts are not followed.
    """
    local_host = urlsplit(base).netloc
    queue, fetched, problems = [start], set(), []
    while queue and len(fetched) < 3000:
        path = queue.pop()
        if path in fetched:
            continue
        fetched.add(path)
        status, content_type, body = fetch(base, path)
        if status != 200:
            problems.append(f"{path}: {status}")
            continue
        for link in links_in(content_type, body):
            url = urlsplit(urljoin(base + path, link.strip()))
            if url.scheme not in ("http", "https") or url.netloc not in (local_host, public_host):
                continue
            if not url.path.startswith(SUB_PATH):
                problems.append(f"{path} links outside {SUB_PATH}: {link}")
            elif url.path not in fetched:
                queue.append(url.path)
    return fetched, problems


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory: pytest.TempPathFactory, example_project) -> Path:
    """The example site, with its search index, built for https://example.org/gikai/minutes/."""

    def at_sub_path(config: str) -> str:
        config, count = re.subn(
            r"(?m)^  base_url: .*$", "  base_url: https://example.org/gikai/minutes/", config
        )
        assert count == 1
        return config

    root = example_project(tmp_path_factory.mktemp("subpath"), at_sub_path)
    build(load_config(root))
    return root / "output"


@pytest.fixture
def sub_path_server(sub_path_site: Path, nginx) -> str:
    """nginx serving the site at /gikai/minutes/ only (alias), as a municipality would."""
    return nginx(
        f"        location {SUB_PATH} {{ alias {sub_path_site}/; }}\n"
        "        location / { return 404; }"
    )


def test_a_site_under_a_sub_path_works_there(sub_path_site: Path, sub_path_server: str) -> None:
    fetched, problems = crawl(sub_path_server, SUB_PATH, "example.org")

    assert problems == []
    assert {SUB_PATH + MEETING_PAGE.lstrip("/"), SUB_PATH + "static/site.css"} <= fetched
    # Every file of the output, search index and feeds included, is there under the path.
    missing = []
    for path, file in url_paths(sub_path_site).items():
        status, _, body = fetch(sub_path_server, SUB_PATH + path.lstrip("/"))
        if status != 200 or body != file.read_bytes():
            missing.append(f"{path}: {status}")
    assert missing == []
    assert fetch(sub_path_server, "/static/site.css")[0] == 404  # nothing leaks to the root


SEARCH = """async bundle => {
  const pagefind = await import(bundle);
  const found = await pagefind.search("DX");
  return Promise.all(found.results.slice(0, 10).map(async r => (await r.data()).url));
}"""


def test_a_site_under_a_sub_path_loads_whole_in_chromium(sub_path_server: str, page) -> None:
    for path in (SUB_PATH, SUB_PATH + MEETING_PAGE.lstrip("/")):
        response = page.goto(sub_path_server + path)
        assert response is not None and response.status == 200
        # The theme's stylesheet is the one under the sub-path (the fixture fails the test
        # on any request that failed or was answered 404).
        sheets = page.evaluate("[...document.styleSheets].map(s => s.href)")
        assert sub_path_server + SUB_PATH + "static/site.css" in sheets
        for link in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlsplit(link)
            if url.netloc == urlsplit(sub_path_server).netloc:
                assert url.path.startswith(SUB_PATH), link
    # Search (Pagefind, loaded from under the sub-path) finds pages under it.
    urls = page.evaluate(SEARCH, SUB_PATH + "pagefind/pagefind.js")
    assert len(urls) == 10
    assert [u for u in urls if not u.startswith(SUB_PATH)] == []
    assert {fetch(sub_path_server, u)[0] for u in urls} == {200}
