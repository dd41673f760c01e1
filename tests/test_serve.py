"""The preview server: safe file serving, and edits reaching an open browser page."""

from __future__ import annotations

import io
import os
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder import serve
from site_builder.serve import Preview, make_server

REPO = Path(__file__).resolve().parent.parent
MEETING = "content/musashimurayama/meetings/gyokaku/2025-11-17.md"
MEETING_URL = "/musashimurayama/meetings/gyokaku/2025-11-17/"
CONFIG = "site:\n  title: プレビュー\nsearch:\n  enabled: false\n"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Preview, str]]:
    """The example site copied into tmp_path, previewed on 127.0.0.1:<free port>."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    preview = Preview(root, out=io.StringIO())
    server = make_server(preview, "127.0.0.1", 0)
    preview.start()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield preview, f"http://127.0.0.1:{server.server_port}"
    preview.stop()
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_serves_output_only(preview, tmp_path: Path) -> None:
    instance, base = preview
    output = instance.config.output_path
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", output / "escape.txt")
    status, body = fetch(base + MEETING_URL)
    assert status == 200 and "__preview.js" in body
    assert fetch(base + "/../secret.txt")[0] == 404
    assert fetch(base + "/%2e%2e/%2e%2e/secret.txt")[0] == 404
    assert fetch(base + "/escape.txt")[0] == 404
    status, body = fetch(base + "/static/")  # a folder without index.html: no listing
    assert status == 404 and "ページが見つかりません" in body
    assert 'href="site.css"' not in body  # what a listing would show


def test_edit_break_fix_and_delete_in_the_browser(preview, page) -> None:
    instance, base = preview
    root = instance.root
    page.goto(base + MEETING_URL)
    page.evaluate("window.__kept = 'same document'")

    # an in-place save: the open page reloads itself and shows the new text
    edit(
        root,
        MEETING,
        "全て実現できる予算があるかが気になる。",
        "全て実現できる予算があるかが気になる。プレビューで追記した一文。",
    )
    page.get_by_text("プレビューで追記した一文。").wait_for(timeout=5000)
    # only <main> changed: it was swapped in, the document stayed (no navigation)
    assert page.evaluate("window.__kept") == "same document"

    # a bad edit: the overlay names the file and line; the last good page stays
    edit(root, MEETING, "date: 令和7年11月17日", "date: 令和7年11月31日")
    overlay = page.locator("#site-builder-overlay")
    overlay.wait_for(timeout=5000)
    assert f"{MEETING}:6:7: date: '令和7年11月31日' is not a date" in overlay.inner_text()
    assert page.get_by_text("プレビューで追記した一文。").is_visible()

    # fixed by an atomic save (temporary file renamed over the record, as vim/VS Code do)
    path = root / MEETING
    fixed = path.read_text(encoding="utf-8").replace("11月31日", "11月17日")
    fixed = fixed.replace("プレビューで追記した一文。", "原子的な保存で直した。")
    temporary = path.with_name(".2025-11-17.md.tmp")
    temporary.write_text(fixed, encoding="utf-8")
    os.replace(temporary, path)
    page.get_by_text("原子的な保存で直した。").wait_for(timeout=5000)
    assert page.locator("#site-builder-overlay").count() == 0

    # a template change outside <main> reloads the whole page
    base_html = root / "themes/default/templates/base.html"
    base_html.write_text(
        base_html.read_text(encoding="utf-8").replace(
            "<p>{{ L.footer_about }}</p>", "<p>{{ L.footer_about }}（テンプレート編集）</p>"
        ),
        encoding="utf-8",
    )
    page.get_by_text("（テンプレート編集）").wait_for(timeout=5000)
    assert page.evaluate("window.__kept") is None
    page.evaluate("window.__kept = 'same document'")

    # a stylesheet change is applied without reloading the page
    css = root / "themes/default/static/site.css"
    css.write_text(
        css.read_text(encoding="utf-8") + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n",
        encoding="utf-8",
    )
    page.wait_for_function(
        "getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=5000
    )
    assert page.evaluate("window.__kept") == "same document"

    # deleting the record: its page is gone and the body's list no longer has it
    page.goto(base + "/musashimurayama/bodies/gyokaku/")
    assert page.locator(f'a[href="{MEETING_URL}"]').count() == 1
    path.unlink()
    page.wait_for_function(
        f"document.querySelectorAll('a[href=\"{MEETING_URL}\"]').length === 0", timeout=5000
    )
    assert fetch(base + MEETING_URL)[0] == 404


def test_a_burst_of_saves_is_one_rebuild(preview) -> None:
    instance, _ = preview
    instance.observer.stop()  # drive the debouncer directly, as the watcher would
    instance.observer.join()
    path = instance.root / MEETING
    epoch = instance.state.epoch
    for n in range(5):
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\n○ 連続保存{n}。\n")
        instance.notice(path)
    with instance.state.changed:
        assert instance.state.changed.wait_for(lambda: instance.state.epoch > epoch, timeout=5)
    assert instance.state.epoch == epoch + 1
    page = (instance.config.output_path / MEETING_URL.strip("/") / "index.html").read_text()
    assert "連続保存4。" in page


def test_search_and_data_files_follow_edits_in_the_background(tmp_path: Path, page) -> None:
    """The refresh after an edit (a forked process) rewrites the data files and the
    search index; the page itself was reloaded long before."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "config.yaml").write_text("site:\n  title: プレビュー\n", encoding="utf-8")
    preview = Preview(root, out=io.StringIO())
    server = make_server(preview, "127.0.0.1", 0)
    preview.start()
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        edit(
            root,
            MEETING,
            "全て実現できる予算があるかが気になる。",
            "全て実現できる予算があるかが気になる。ウミネコ観測所の件も伺う。",
        )
        page.goto(base + MEETING_URL)
        page.get_by_text("ウミネコ観測所の件も伺う。").wait_for(timeout=5000)
        export = preview.config.output_path / MEETING_URL.strip("/")
        export = export.with_name(export.name + ".json")
        deadline = time.monotonic() + 60
        while "ウミネコ観測所" not in export.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the meeting's JSON was not refreshed"
            time.sleep(0.2)
        while not (preview.config.output_path / "pagefind/pagefind.js").is_file():
            assert time.monotonic() < deadline, "no search index"
            time.sleep(0.2)
        while True:  # the index follows the data files (an old index meanwhile)
            page.goto(f"{base}/search/?q=ウミネコ観測所")
            page.wait_for_function(
                "() => /検索結果|見つかりませんでした/.test("
                "document.getElementById('search-status').textContent)"
            )
            if page.locator(f'.search-result__title a[href="{MEETING_URL}"]').count():
                break
            assert time.monotonic() < deadline, "the search index was not refreshed"
            time.sleep(0.5)
    finally:
        preview.stop()
        server.shutdown()
        server.server_close()


def test_stopping_during_the_refresh_prints_no_traceback(
    tmp_path: Path, capfd, monkeypatch
) -> None:
    """Stopped as the command stops it (SIGTERM raises KeyboardInterrupt there), the
    preview ends its refresh process, which must go quietly. The index is a stand-in
    that waits until it is stopped, so that the stop always lands inside the refresh
    (the example's real index can finish before it on a fast machine)."""
    indexing = tmp_path / "indexing"

    def index_until_stopped(*args: object, **kwargs: object) -> None:
        indexing.touch()
        time.sleep(60)

    monkeypatch.setattr(serve, "index_site", index_until_stopped)  # the fork inherits it
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "config.yaml").write_text("site:\n  title: プレビュー\n", encoding="utf-8")
    handler = signal.signal(signal.SIGTERM, serve._interrupt)  # as serve() installs it
    try:
        preview = Preview(root, out=io.StringIO())
        preview.start()
        deadline = time.monotonic() + 30
        while preview.refresher is None or not preview.refresher.is_alive():
            assert time.monotonic() < deadline, "no refresh started"
            time.sleep(0.05)
        refresher = preview.refresher
        while not indexing.exists():
            assert time.monotonic() < deadline, "the refresh did not reach the index"
            time.sleep(0.05)
        assert os.getpgid(refresher.pid) == refresher.pid, "the refresh has no process group"
        preview.stop()
        # The preview's indexer thread joins the refresh too: of two waitpid() on one
        # child the loser returns at once, so join() here may return before the exit
        # code is known. Wait for the code itself.
        deadline = time.monotonic() + 10
        while refresher.exitcode is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        signal.signal(signal.SIGTERM, handler)
    assert refresher.exitcode == -signal.SIGTERM
    assert "Traceback" not in capfd.readouterr().err
