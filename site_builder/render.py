"""pages → bytes: Jinja2 with StrictUndefined and autoescape.

The Environment is made per build and holds this build's data through its
globals (no module-level state), so two builds in one process never mix.
Templates get ready-made views from pages.py and a few functions: ``url`` (a
site path or record under the base path), ``md`` (a text's rendered HTML),
``wareki`` and friends for dates, and ``L``, the theme's labels.

A build renders with start_rendering, on several cores: forked worker processes
(and the build's own, once it is free) take the pages a batch at a time and write them
into the build's staging folder, so the files are those render_pages gives in one
process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from . import wareki
from .cache import code_version
from .config import Config
from .forked import affordable, can_fork, start_sharing
from .graph import Site, title_of
from .markdown import html_of
from .model import ContentError, Location, Problem, RecordRef, Statement, Text
from .pages import Lazy, Page, item_ref
from .write import write_file
from .yamlio import LOADER


@dataclass(frozen=True)
class Theme:
    path: Path
    labels: dict[str, str]


def load_theme(config: Config) -> Theme:
    """The theme folder and its labels (themes/<theme>/labels/<language>.yaml)."""
    labels_file = config.theme_path / "labels" / f"{config.site.language}.yaml"
    if not labels_file.is_file():
        raise ContentError(
            [
                Problem(
                    Location("config.yaml", 1, 1),
                    f"the theme has no labels for language "
                    f"'{config.site.language}' ({labels_file.as_posix()})",
                )
            ]
        )
    # libyaml's loader, as for the records (yamlio.LOADER): 2.9 ms instead of 19 ms for
    # the 281 lines of ja.yaml, read four times a build (the example site: 0.5-0.7 s).
    labels = yaml.load(labels_file.read_text(encoding="utf-8"), Loader=LOADER)
    return Theme(config.theme_path, {str(k): str(v) for k, v in labels.items()})


def make_environment(config: Config, theme: Theme, site: Site) -> Environment:
    """auto_reload is off: Jinja would otherwise stat a template's file each time it is
    included (per statement of a meeting), and the templates do not change during a build.
    The preview makes a new environment when a file of the theme changes (rebuild.py)."""
    env = Environment(
        loader=FileSystemLoader(theme.path / "templates"),
        bytecode_cache=compiled_templates(config),
        auto_reload=False,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base = config.base_path

    def url(target: str | RecordRef) -> str:
        path = target.url if isinstance(target, RecordRef) else target
        return base + path.lstrip("/")

    def speaker_label(statement: Statement) -> str:
        """Who speaks, in words (never told by colour alone): ○委員, ●事務局, 副市長."""
        side = theme.labels[f"side_{statement.side}"]
        if statement.speaker and statement.marker:
            return f"{statement.marker}{statement.speaker}"
        if statement.speaker and side in statement.speaker:
            return statement.speaker  # （事務局）
        if statement.speaker:  # （副市長）: no marker tells the side, so say it
            return f"{statement.speaker}（{side}）"
        return f"{statement.marker}{side}" if statement.marker in ("○", "●") else side

    env.globals.update(
        L=theme.labels,
        speaker_label=speaker_label,
        excerpt=excerpt,
        site=config.site,
        url=url,
        title_of=title_of,
        item_ref=item_ref,
        wareki=wareki.wareki,
        fiscal_year_label=wareki.fiscal_year_label,
        time_label=wareki.time_label,
        base_path=base,
        search_enabled=config.search.enabled,  # off: no index, no search box
    )
    env.filters["url"] = url
    env.filters["iso"] = lambda d: d.isoformat() if isinstance(d, (dt.date, dt.time)) else ""
    bind_site(env, site)
    return env


class KeptTemplates(FileSystemBytecodeCache):
    """A compiled template that cannot be kept is compiled again next time, rather than
    stopping the build: the folder may be read-only, or removed meanwhile by a build
    of another version of site_builder (a preview left running while the code changed)."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def compiled_templates(config: Config) -> KeptTemplates | None:
    """Jinja2's own cache of compiled templates, kept between builds in the build's
    cache folder: compiling the theme's 35 templates takes 0.3 s, which was 40 % of
    building the example site, and each render worker compiles those it uses. Jinja2
    compiles a template again when its source changes; the folder is named after
    site_builder's code and the libraries' versions (cache.code_version), since the
    compiled code also depends on Jinja2 and on the options above. None where the
    folder cannot be made: the templates are then compiled as before."""
    root = config.cache_path / "templates"
    folder = root / code_version()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for stale in root.iterdir():  # another version's
        if stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    return KeptTemplates(str(folder))


def bind_site(env: Environment, site: Site) -> None:
    """Point an environment at another build's texts. Keeping the environment between
    preview rebuilds keeps its compiled templates: compiling is most of a small rebuild."""

    def md(text: Text | None) -> Markup:
        if text is None:
            return Markup("")
        return Markup(html_of(text.source, site.html[text]))

    env.globals["md"] = md


EXPLICIT_LINK = re.compile(r"\[\[[a-z]+:([^\]|]+?)(?:\|([^\]]+))?\]\]")
MARKUP = re.compile(r"[*_`#>|]+|\\(?=\S)")


def excerpt(text: Text, needle: str = "", width: int = 120) -> str:
    """Plain text around the first occurrence of needle, for lists of mentions."""
    plain = EXPLICIT_LINK.sub(lambda m: m[2] or m[1], text.source)
    plain = " ".join(MARKUP.sub("", plain).split())
    at = plain.find(needle) if needle else -1
    start = max(0, at - width // 3) if at >= 0 else 0
    end = start + width
    return ("…" if start else "") + plain[start:end] + ("…" if end < len(plain) else "")


def render_pages(pages: list[Page], env: Environment) -> dict[str, bytes]:
    """Render each page; a template error is reported with the template's line."""
    files: dict[str, bytes] = {}
    problems = []
    for page in pages:
        outcome = _render(page, env)
        if isinstance(outcome, Problem):
            problems.append(outcome)
        else:
            files[page.output_path] = outcome
    if problems:
        raise ContentError(problems)
    return files


def start_rendering(
    pages: list[Page], env: Environment, workers: int, staged: Path
) -> Callable[[], None]:
    """Start rendering the pages into the staging folder on `workers` forked processes
    and return the function that finishes: it renders here whatever pages the workers
    have not taken yet, waits for them and raises the ContentError render_pages would
    (the same problems in the same order). Meanwhile this process is free for other
    work. The files are the same, byte for byte, whatever the number of workers.

    Forking lets each worker inherit the environment and the pages as they are (lazy
    contexts are closures, which could not be pickled). Each worker writes its pages
    itself and sends back only their problems, so that no process ever holds the
    site's HTML (700 MB for 10,000 meetings). The pages are taken a batch at a time, in
    order, from a counter the processes share (forked.start_sharing), so that all of
    them finish together however long their pages or their other work take: at 10,000
    meetings a worker renders 30 % slower than this process (it copies the memory it
    touches), and this process has the data files to make first.
    With workers=0, or none that the free memory holds (forked.affordable), the pages
    are rendered here and now, and a ContentError raised at once.
    """
    workers = affordable(workers) if can_fork() else 0
    made = start_sharing(partial(_write_page, env=env, staged=staged), pages, workers)

    def finish() -> None:
        problems = [problem for problem in made() if problem is not None]
        if problems:
            raise ContentError(problems)

    if workers < 1:
        finish()
        return lambda: None
    return finish


def _write_page(page: Page, env: Environment, staged: Path) -> Problem | None:
    """Write the page into staged, or return the problem that stopped it."""
    outcome = _render(page, env)
    if isinstance(outcome, Problem):
        return outcome
    write_file(staged, page.output_path, outcome)
    return None


def _render(page: Page, env: Environment) -> bytes | Problem:
    """A page's bytes, or the problem that stopped it."""
    try:
        context = {k: v.compute() if isinstance(v, Lazy) else v for k, v in page.context.items()}
        html = env.get_template(page.template).render(page=page, **context)
    except TemplateError as err:
        return _template_problem(err, page)
    return html.encode("utf-8")


def _template_problem(err: TemplateError, page: Page) -> Problem:
    lineno = getattr(err, "lineno", None) or 1
    name = getattr(err, "filename", None) or page.template
    return Problem(
        Location(str(name), lineno, 1), f"template error while rendering {page.url}: {err}"
    )


def render_one(page: Page, env: Environment) -> bytes:
    return render_pages([page], env)[page.output_path]


__all__: list[Any] = [
    "Theme",
    "load_theme",
    "make_environment",
    "render_one",
    "render_pages",
    "start_rendering",
]
