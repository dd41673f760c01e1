"""Rendering into the staging folder on forked workers gives what rendering in one
process gives: the same bytes, the same problems in the same order, the same exceptions."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import jinja2
import pytest
from jinja2 import DictLoader, Environment, StrictUndefined

from site_builder import forked
from site_builder.build import build
from site_builder.config import load_config
from site_builder.model import ContentError
from site_builder.pages import Lazy, Page
from site_builder.render import compiled_templates, render_pages, start_rendering

TEMPLATES = {
    "page.html": "<h1>{{ page.title }}</h1>\n<p>{{ body }}</p>\n",
    "broken.html": "<h1>{{ page.title }}</h1>\n{{ no_such_value }}\n",
}


def environment() -> Environment:
    return Environment(loader=DictLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True)


def pages(template_of: dict[int, str] | None = None, count: int = 7) -> list[Page]:
    """count pages; page n uses template_of[n] (page.html by default) and a lazy body."""
    return [
        Page(
            f"/p{n}/",
            (template_of or {}).get(n, "page.html"),
            f"頁{n}",
            frozenset(),
            {"body": Lazy(lambda n=n: f"本文{n} " * n)},
        )
        for n in range(count)
    ]


def written(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.html")}


@pytest.mark.parametrize("workers", [0, 1, 2, 3, 8])
def test_workers_write_the_bytes_of_a_serial_render(workers: int, tmp_path: Path) -> None:
    serial = render_pages(pages(), environment())
    start_rendering(pages(), environment(), workers, tmp_path)()
    assert written(tmp_path) == serial
    assert serial["p2/index.html"] == "<h1>頁2</h1>\n<p>本文2 本文2 </p>".encode()


def test_a_template_error_in_a_worker_is_the_problem_a_serial_render_reports(
    tmp_path: Path,
) -> None:
    broken = pages({1: "broken.html", 4: "broken.html"})  # on different workers
    with pytest.raises(ContentError) as serial:
        render_pages(broken, environment())
    finish = start_rendering(broken, environment(), 2, tmp_path)
    with pytest.raises(ContentError) as parallel:
        finish()
    assert [str(p) for p in parallel.value.problems] == [
        "broken.html:1:1: template error while rendering /p1/: 'no_such_value' is undefined",
        "broken.html:1:1: template error while rendering /p4/: 'no_such_value' is undefined",
    ]
    assert parallel.value.problems == serial.value.problems


def test_no_worker_renders_at_once_and_raises_there(tmp_path: Path) -> None:
    with pytest.raises(ContentError):
        start_rendering(pages({0: "broken.html"}), environment(), 0, tmp_path)


def test_a_bug_in_a_worker_is_raised_in_the_parent(tmp_path: Path) -> None:
    def fail() -> str:
        raise ValueError("a bug in a lazy context")

    buggy = [*pages(count=3), Page("/bug/", "page.html", "bug", frozenset(), {"body": Lazy(fail)})]
    finish = start_rendering(buggy, environment(), 2, tmp_path)
    with pytest.raises(ValueError) as err:
        finish()
    assert str(err.value) == "a bug in a lazy context"


@pytest.mark.parametrize("batch", [1, 3, 50])
def test_the_workers_and_then_this_process_take_the_pages_a_batch_at_a_time(
    batch: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers start at once; this process joins them when it calls finish, and
    takes the batches they have not taken. Each page is rendered once, whoever takes it."""
    monkeypatch.setattr(forked, "BATCH", batch)

    def pid_after_a_while() -> str:
        time.sleep(0.02)
        return str(os.getpid())

    slow = [
        Page(f"/p{n}/", "page.html", "", frozenset(), {"body": Lazy(pid_after_a_while)})
        for n in range(30)
    ]
    start_rendering(slow, environment(), 2, tmp_path)()
    pids = [
        html.decode().removeprefix("<h1></h1>\n<p>").removesuffix("</p>")
        for html in written(tmp_path).values()
    ]
    assert len(pids) == 30
    takers = set(pids)
    assert len(takers) <= min(3, -(-30 // batch))  # a batch is one process's
    if batch == 1:  # 30 batches of 20 ms: this process took some
        assert str(os.getpid()) in takers
        assert len(takers) >= 2


def test_compiled_templates_are_kept_and_compiled_again_when_their_source_changes(
    make_site, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(
        {
            "content/a/municipality.yaml": "name: 市\n",
            "content/a/bodies/b.yaml": "name: 委員会\n",
            "content/a/meetings/b/2025-01-01.md": (
                "---\ntitle: 第1回\ndate: 2025-01-01\n---\n○ 発言。\n"
            ),
        }
    )
    theme = root / "themes"
    target = theme.resolve()
    theme.unlink()
    shutil.copytree(target, theme)  # a copy, so that the repository's theme stays
    config = load_config(root)
    stale = config.cache_path / "templates" / "an-older-version"
    stale.mkdir(parents=True)
    build(config, search=False)
    assert not stale.exists()
    compiled: list[str] = []
    compile_source = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return compile_source(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    build(config, search=False)
    assert compiled == []  # every template came from the cache
    base = theme / "default/templates/base.html"
    base.write_text(base.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    build(config, search=False)
    assert compiled == ["base.html"]
    page = config.output_path / "a/meetings/b/2025-01-01/index.html"
    assert page.read_text(encoding="utf-8").endswith("<!-- edited -->\n")


def test_a_template_that_cannot_be_kept_compiled_still_renders(make_site) -> None:
    """The cache folder removed under a running build (by a build of another version)."""
    kept = compiled_templates(load_config(make_site({})))
    assert kept is not None
    shutil.rmtree(kept.directory)
    env = Environment(loader=DictLoader(TEMPLATES), bytecode_cache=kept, autoescape=True)
    assert env.get_template("page.html").render(page={"title": "頁"}, body="本文") == (
        "<h1>頁</h1>\n<p>本文</p>"
    )
