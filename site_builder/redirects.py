"""Old URLs of renamed records (``redirect_from``) kept working as redirect pages.

A record's URL comes from its file name, so renaming the file moves the page; the
clerk lists the old URL under ``redirect_from`` and the old address becomes a small
static page — meta refresh, a canonical link to the new address, and a plain link
for whoever has refresh turned off. Static hosting needs nothing more. Redirect
pages are in no list, no sitemap and no search index (``noindex``).

A plan's old URL also takes its items' old URLs along (``…/items/44/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment

from .config import Config
from .exports import site_url
from .graph import Site, title_of
from .model import Location, Problem, RecordRef
from .pages import item_ref


@dataclass(frozen=True)
class Redirect:
    old: str  # site path, ends in '/' or a file name
    target: RecordRef
    title: str
    location: Location  # where the clerk wrote it

    @property
    def output_path(self) -> str:
        return self.old.lstrip("/") + ("index.html" if self.old.endswith("/") else "")


def plan_redirects(site: Site, config: Config) -> tuple[list[Redirect], list[Problem]]:
    """Every redirect the records declare, and every problem with them."""
    records = site.records
    redirects: list[Redirect] = []
    problems: list[Problem] = []
    declaring = [
        *((m.ref, m.meta.redirect_from, m.location, m) for m in records.meetings.values()),
        *((w.ref, w.redirect_from, w.location, w) for w in records.wgs.values()),
        *((p.ref, p.redirect_from, p.location, p) for p in records.plans.values()),
        *((d.ref, d.meta.redirect_from, d.location, d) for d in records.documents.values()),
    ]
    for ref, olds, location, record in sorted(declaring, key=lambda d: str(d[0])):
        for written in olds:
            at = locate(config.root, location, written)
            old, error = normalise_path(written, config)
            if error:
                problems.append(Problem(at, f"redirect_from: {error}"))
                continue
            redirects.append(Redirect(old, ref, title_of(record), at))
            if ref.kind == "plan":
                plan = records.plans[ref]
                for item in plan.items:
                    redirects.append(
                        Redirect(
                            f"{old}items/{item.number}/",
                            item_ref(plan, item),
                            f"項番{item.number} {item.title}",
                            at,
                        )
                    )
    return redirects, problems


def normalise_path(written: str, config: Config) -> tuple[str, str | None]:
    """'/a/meetings/b/old' → '/a/meetings/b/old/'; or an error saying how to write it."""
    value = written.strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        base = urlsplit(config.site.base_url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
            config.base_path
        ):
            return "", f"'{written}' is not an address of this site ({config.site.base_url})"
        value = "/" + parts.path[len(config.base_path) :]
        parts = urlsplit(value)
    if not value.startswith("/"):
        return (
            "",
            f"'{written}' must be a path starting with '/', e.g. /city/meetings/body/old-name/",
        )
    if parts.query or parts.fragment or "?" in value or "#" in value:
        return "", f"'{written}' must be a path without '?' or '#'"
    if any(seg in (".", "..") for seg in parts.path.split("/")):
        return "", f"'{written}' must not contain '.' or '..' segments"
    path = parts.path
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    if path == "/":
        return "", f"'{written}' is the home page; a record cannot take it over"
    return path, None


def check_redirects(redirects: list[Redirect], taken: dict[str, str]) -> list[Problem]:
    """A redirect may not replace a page or a file, nor point two ways."""
    problems = []
    seen: dict[str, Redirect] = {}
    for r in redirects:
        if r.output_path in taken:
            problems.append(
                Problem(
                    r.location,
                    f"redirect_from: '{r.old}' is the address of {taken[r.output_path]}; "
                    "an old address must be one that no record uses now",
                )
            )
            continue
        first = seen.setdefault(r.output_path, r)
        if first.target != r.target:
            problems.append(
                Problem(
                    r.location,
                    f"redirect_from: '{r.old}' is also declared by {first.location.path} "
                    f"(line {first.location.line}); an old address can lead to one record only",
                )
            )
    return problems


def render_redirects(
    redirects: list[Redirect], env: Environment, config: Config
) -> dict[str, bytes]:
    template = env.get_template("redirect.html")
    out: dict[str, bytes] = {}
    for r in sorted(redirects, key=lambda r: r.old):
        if r.output_path in out:
            continue
        html = template.render(
            title=r.title,
            target=config.base_path + r.target.url.lstrip("/"),
            canonical=site_url(config, r.target.url),
        )
        out[r.output_path] = html.encode("utf-8")
    return out


def locate(root: Path, location: Location, value: str) -> Location:
    """Where in its file a redirect_from entry is written (the list holds plain strings)."""
    try:
        lines = (root / location.path).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return location
    started = False
    for number, line in enumerate(lines, 1):
        started = started or line.lstrip().startswith("redirect_from")
        column = line.find(value)
        if started and column >= 0:
            return Location(location.path, number, column + 1)
    return location
