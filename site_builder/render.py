"""pages → bytes: Jinja2 with StrictUndefined and autoescape; no file I/O.

The Environment is made per build and holds this build's data through its
globals (no module-level state), so two builds in one process never mix.
Templates get ready-made views from pages.py and a few functions: ``url`` (a
site path or record under the base path), ``md`` (a text's rendered HTML),
``wareki`` and friends for dates, and ``L``, the theme's labels.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from . import wareki
from .config import Config
from .graph import Site, title_of
from .model import ContentError, Location, Problem, RecordRef, Statement, Text
from .pages import Lazy, Page, item_ref


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
    labels = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
    return Theme(config.theme_path, {str(k): str(v) for k, v in labels.items()})


def make_environment(config: Config, theme: Theme, site: Site) -> Environment:
    env = Environment(
        loader=FileSystemLoader(theme.path / "templates"),
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
    )
    env.filters["iso"] = lambda d: d.isoformat() if isinstance(d, (dt.date, dt.time)) else ""
    bind_site(env, site)
    return env


def bind_site(env: Environment, site: Site) -> None:
    """Point an environment at another build's texts. Keeping the environment between
    preview rebuilds keeps its compiled templates: compiling is most of a small rebuild."""

    def md(text: Text | None) -> Markup:
        return Markup("") if text is None else Markup(site.html[text])

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
    out: dict[str, bytes] = {}
    problems: list[Problem] = []
    for page in pages:
        try:
            context = {k: v.compute() if isinstance(v, Lazy) else v
                       for k, v in page.context.items()}
            html = env.get_template(page.template).render(page=page, **context)
        except TemplateError as err:
            problems.append(_template_problem(err, page))
            continue
        out[page.output_path] = html.encode("utf-8")
    if problems:
        raise ContentError(problems)
    return out


def _template_problem(err: TemplateError, page: Page) -> Problem:
    lineno = getattr(err, "lineno", None) or 1
    name = getattr(err, "filename", None) or page.template
    return Problem(
        Location(str(name), lineno, 1), f"template error while rendering {page.url}: {err}"
    )


def render_one(page: Page, env: Environment) -> bytes:
    return render_pages([page], env)[page.output_path]


__all__: list[Any] = ["Theme", "load_theme", "make_environment", "render_one", "render_pages"]
