#!/usr/bin/env python3
"""The same records as a Hugo site, so that Hugo and site_builder build the same archive.

    .venv/bin/python bench/hugo_export.py --project bench/archive-1000 --out bench/archive-1000-hugo

Reads the project's content/ with site_builder's own loader and validator (so the
records, statement anchors and sections are exactly what our build sees) and writes
a Hugo site that renders the same pages with the same HTML structure:

* one Markdown page per meeting (``content/meetings/<municipality>/<body>/<slug>.md``)
  with JSON front matter (title, date, the taxonomies ``items``, ``bodies``, ``wgs``,
  ``years``, and the fields our meeting page shows) and the proceedings as Markdown,
  each statement wrapped in the ``<div class="statement">`` our theme writes;
  ``項番NN`` and WG names are turned into links here, since Hugo cannot resolve them;
* the plan items as a taxonomy: an item's page is its term page
  (``content/items/<term>/_index.md`` carries its description, schedule and relations)
  and lists every meeting citing it with excerpts of the statements, as ours does;
  bodies, WGs and fiscal years are taxonomies too (their term pages are the body,
  WG and year pages); plans, municipalities and documents are regular pages;
* ``layouts/``: a minimal theme with the markup of themes/default (list, single and
  taxonomy pages), and our theme's static files.

What Hugo's pages leave out of ours: breadcrumbs, the search form's script, the
"N answers" count on questions. Neither side paginates lists (ours does not yet).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"  # the markup of themes/default


def ensure_site_builder() -> None:
    """Re-run this script with the project's venv when site_builder is not importable
    (`python3 bench/…` on a machine where only .venv has it)."""
    try:
        import site_builder  # noqa: F401
    except ImportError:
        if (
            VENV_PYTHON.exists()
            and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve()
        ):
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
        sys.exit("site_builder is not installed: run `python3 dev.py setup` first")


def export(project: Path, out: Path) -> int:
    """Write the Hugo site for `project` into `out` (replaced); return the files written."""
    from site_builder import wareki
    from site_builder.config import load_config
    from site_builder.load import load_content
    from site_builder.markdown import make_markdown
    from site_builder.model import RecordRef
    from site_builder.validate import validate_sources

    config = load_config(project)
    records = validate_sources(
        load_content(config.root, config.content_path), make_markdown(), include_drafts=False
    )
    labels = _labels(config.theme_path)
    if out.exists():
        shutil.rmtree(out)
    files = _Files(out)
    links = _Links(records)

    files.text("config.toml", _hugo_config(config))
    shutil.copytree(LAYOUTS, out / "layouts")
    static = config.theme_path / "static"
    if static.is_dir():
        shutil.copytree(static, out / "static" / "static")
    files.front("content/_index.md", {"title": config.site.title}, "")

    for slug, town in sorted(records.municipalities.items()):
        files.front(
            f"content/municipalities/{slug}.md",
            {"title": town.name, "town": slug, "url": f"/{slug}/", "prefecture": town.prefecture},
            links.md(slug, town.note.source if town.note else ""),
        )
    for ref, body in sorted(records.bodies.items(), key=lambda kv: str(kv[0])):
        parent = records.bodies.get(RecordRef("body", ref.municipality, body.parent or ""))
        plans = tuple(
            p
            for p in (RecordRef("plan", ref.municipality, s) for s in body.plans)
            if p in records.plans
        )
        links.use(plans)
        files.front(
            f"content/bodies/{_term(ref.municipality, ref.slug)}/_index.md",
            {
                "title": body.name,
                "municipality": ref.municipality,
                "parent": (
                    {
                        "name": parent.name,
                        "url": f"/bodies/{_term(ref.municipality, parent.ref.slug)}/",
                    }
                    if parent
                    else None
                ),
                "secretariat": body.secretariat,
                "plans": [{"title": records.plans[p].title, "url": _plan_url(p)} for p in plans],
                "memberships": [{"name": m.name, "role": m.role} for m in body.memberships],
                "contact": _contact(body.contact),
            },
            links.md(ref.municipality, body.description.source if body.description else ""),
        )
    for ref, wg in sorted(records.wgs.items(), key=lambda kv: str(kv[0])):
        files.front(
            f"content/wgs/{_wg_term(ref.municipality, ref.slug)}/_index.md",
            {
                "title": wg.name,
                "municipality": ref.municipality,
                "number": wg.number,
                "name_note": wg.name_note,
                "vision": wg.vision,
                "departments": list(wg.departments),
                "needle": wg.name,
            },
            _sheets_markdown(wg, labels, links, wareki.fiscal_year_label),
        )
    for ref, plan in sorted(records.plans.items(), key=lambda kv: str(kv[0])):
        links.use((ref,))
        files.front(
            f"content/plans/{ref.municipality}-{ref.slug}.md",
            {
                "title": plan.title,
                "municipality": ref.municipality,
                "url": _plan_url(ref),
                "version": plan.version,
                "status": plan.status,
                "pillars": [_pillar(ref, p) for p in plan.pillars],
            },
            links.md(ref.municipality, plan.description.source if plan.description else ""),
        )
        for item, trail in _plan_items(plan):
            term = _item_term(ref, item.number)
            by_number = {i.number: i for i in plan.items}
            files.front(
                f"content/items/{term}/_index.md",
                {
                    "title": f"項番{item.number} {item.title}",
                    "number": item.number,
                    "item_title": item.title,
                    "plan_title": plan.short_title or plan.title,
                    "plan_url": _plan_url(ref),
                    "trail": list(trail),
                    "criterion": item.criterion,
                    "department": item.department,
                    "source": item.source,
                    "schedule": [
                        {"year": wareki.fiscal_year_label(s.fiscal_year), "plan": s.plan}
                        for s in item.schedule
                    ],
                    "related": [
                        {
                            "title": f"項番{r.item} {by_number[r.item].title}",
                            "url": f"/items/{_item_term(ref, r.item)}/",
                            "note": r.note,
                        }
                        for r in item.related
                        if r.item in by_number
                    ],
                    "needle": f"項番{item.number}",
                },
                links.md(ref.municipality, item.description.source if item.description else ""),
            )
    for ref, document in sorted(records.documents.items(), key=lambda kv: str(kv[0])):
        meta = document.meta
        body = records.bodies.get(RecordRef("body", ref.municipality, meta.body or ""))
        links.use(_plans_of(body.plans if body else (), ref.municipality, records))
        files.front(
            f"content/documents/{ref.municipality}/{ref.slug}.md",
            {
                "title": meta.title,
                "municipality": ref.municipality,
                "number": meta.number,
                "author": meta.author,
                "fiscal_year_label": (
                    wareki.fiscal_year_label(meta.fiscal_year) if meta.fiscal_year else None
                ),
            },
            links.md(ref.municipality, document.text.source),
        )
    years: set[int] = set()
    for ref, meeting in sorted(records.meetings.items(), key=lambda kv: str(kv[0])):
        years.add(meeting.fiscal_year)
        body = records.bodies[RecordRef("body", ref.municipality, meeting.body)]
        front, text = _meeting(meeting, body, records, links, labels, wareki)
        files.front(f"content/meetings/{ref.municipality}/{ref.slug}.md", front, text)
    for year in sorted(years):
        label = wareki.fiscal_year_label(year)
        files.front(f"content/years/{year}/_index.md", {"title": f"{label}の会議"}, "")
    return files.count


# --- records → pages -------------------------------------------------------------------


def _meeting(meeting, body, records, links: _Links, labels: dict[str, str], wareki) -> tuple:
    """A meeting's front matter and its proceedings as Markdown."""
    from site_builder.model import Statement

    meta = meeting.meta
    town = meeting.ref.municipality
    cited: dict[str, list[dict]] = defaultdict(list)  # term → statements citing it
    links.use(_plans_of(meeting.meta.plans or body.plans, town, records))

    def participants(people) -> list[str]:
        return [f"{p.name}（{p.role}）" if p.role else p.name for p in people]

    def md(text) -> str:
        return links.md(town, text.source) if text else ""

    titles: dict[str, str] = {}

    def agenda(items) -> list[dict]:
        out = []
        for item in items:
            if item.id:
                titles[item.id] = " ".join(filter(None, (item.number, item.title)))
            out.append({"number": item.number, "title": item.title, "items": agenda(item.items)})
        return out

    reports, agenda_items = agenda(meta.reports), agenda(meta.agenda)
    section_ids = {s.id for s in meeting.sections}
    blocks: list[str] = [md(t) for t in meeting.preface]
    for section in meeting.sections:
        if section.title:
            blocks.append(f"{'#' * (section.level + 1)} {section.title} {{#{section.id}}}")
        for block in section.blocks:
            if not isinstance(block, Statement):
                blocks.append(md(block))
                continue
            label = _speaker_label(block, labels)
            text = links.md(town, block.text.source)
            for term, needle in links.found:
                cited[term].append(
                    {"id": block.id, "speaker": label, "side": block.side,
                     "excerpt": _excerpt(block.text.source, needle)}
                )  # fmt: skip
            reply = (
                f'<span class="reply-mark" aria-hidden="true">⇒</span>'
                f'<span class="visually-hidden">{labels["answer"]}：</span>'
                if block.reply_to
                else ""
            )
            blocks.append(
                f'<div class="statement side-{block.side}{" reply" if block.reply_to else ""}"'
                f' id="{block.id}">\n<p class="speaker">{reply}'
                f'<span class="speaker-tag side-{block.side}">{_html(label)}</span></p>\n'
                f'<div class="statement-text">\n\n{text}\n\n</div>\n'
                f'<a class="permalink" href="#{block.id}" aria-label="'
                f'{labels["statement_link"]}（{_html(label)}）">#</a>\n</div>'
            )
    front = {
        "title": meta.title,
        "date": meta.date.isoformat(),
        "items": sorted(t for t in cited if t.startswith("item-")),
        "wgs": sorted(t for t in cited if t.startswith("wg-")),
        "bodies": [_term(town, meeting.body)],
        "years": [str(meeting.fiscal_year)],
        "mentions": {t: v for t, v in sorted(cited.items())},
        "municipality": town,
        "fiscal_year": meeting.fiscal_year,
        "fiscal_year_label": wareki.fiscal_year_label(meeting.fiscal_year),
        "date_label": wareki.wareki(meta.date),
        "time_label": (
            f"{wareki.time_label(meta.start_time)}～"
            f"{wareki.time_label(meta.end_time) if meta.end_time else ''}"
            if meta.start_time
            else None
        ),
        "place": meta.place,
        "ordinal_label": (
            f"{wareki.fiscal_year_label(meeting.fiscal_year)} 第{meta.ordinal}回"
            if meta.ordinal
            else None
        ),
        "body_name": body.name,
        "body_url": f"/bodies/{_term(town, meeting.body)}/",
        "record_type": meta.record_type,
        "attendees": participants(meta.attendees),
        "absentees": participants(meta.absentees),
        "secretariat": participants(meta.secretariat),
        "observers": meta.observers,
        "disclosure": meta.disclosure,
        "record_disclosure": meta.record_disclosure,
        "reports": reports,
        "agenda": agenda_items,
        "conclusions": [
            {
                "title": titles.get(c.agenda or "", c.agenda or ""),
                "anchor": c.agenda if c.agenda in section_ids else None,
                "decided": md(c.decided),
                "open_issues": md(c.open_issues),
                "pending": md(c.pending),
            }
            for c in meta.conclusions
        ],
        "materials": [{"number": m.number, "title": m.title} for m in meta.materials],
        "contact": _contact(meta.contact or body.contact),
    }
    return front, "\n\n".join(b for b in blocks if b)


def _speaker_label(statement, labels: dict[str, str]) -> str:
    """The words our theme prints for the speaker (render.speaker_label)."""
    if statement.speaker:
        return f"{statement.marker}{statement.speaker}"
    side = labels[f"side_{statement.side}"]
    return f"{statement.marker}{side}" if statement.marker in ("○", "●") else side


def _sheets_markdown(wg, labels: dict[str, str], links: _Links, year_label) -> str:
    rows = ("future", "background", "issues", "causes", "solution", "effects")
    links.use(())  # a WG's texts refer to no plan (graph.plans_of)
    parts = []
    if wg.history:
        parts.append(
            f"## {labels['history']}\n\n{links.md(wg.ref.municipality, wg.history.source)}"
        )
    for sheet in sorted(wg.sheets, key=lambda s: s.fiscal_year, reverse=True):
        year = year_label(sheet.fiscal_year)
        parts.append(f"## {year} {{#sheet-{sheet.fiscal_year}}}")
        keys = [*rows, "activities", "next_steps"]
        for key in keys:
            text = getattr(sheet, key)
            if text:
                label = labels[f"sheet_{key}"].replace("{year}", year)
                parts.append(f"### {label}\n\n{links.md(wg.ref.municipality, text.source)}")
    return "\n\n".join(parts)


def _plan_items(plan) -> Iterator[tuple[Any, tuple[str, ...]]]:
    def walk(pillar, trail):
        here = (*trail, " ".join(filter(None, (pillar.number, pillar.title))))
        for item in pillar.items:
            yield item, here
        for child in pillar.children:
            yield from walk(child, here)

    for pillar in plan.pillars:
        yield from walk(pillar, ())


def _pillar(ref, pillar) -> dict:
    return {
        "label": " ".join(filter(None, (pillar.number, pillar.title))),
        "items": [
            {"title": f"項番{i.number} {i.title}", "term": _item_term(ref, i.number)}
            for i in pillar.items
        ],
        "children": [_pillar(ref, c) for c in pillar.children],
    }


def _plans_of(slugs, municipality: str, records) -> tuple:
    """The plans whose 項番 a text refers to, as graph.plans_of decides them."""
    from site_builder.model import RecordRef

    refs = tuple(RecordRef("plan", municipality, s) for s in slugs)
    return tuple(r for r in refs if r in records.plans)


def _contact(contact) -> dict | None:
    if contact is None:
        return None
    return {"department": contact.department, "extension": contact.extension}


def _term(municipality: str, slug: str) -> str:
    return f"{municipality}-{slug}"


def _wg_term(municipality: str, slug: str) -> str:
    return f"wg-{municipality}-{slug}"


def _item_term(plan_ref, number: int) -> str:
    return f"item-{plan_ref.municipality}-{plan_ref.slug}-{number}"


def _plan_url(plan_ref) -> str:
    return f"/plans/{plan_ref.municipality}-{plan_ref.slug}/"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKUP = re.compile(r"[*_`#>|]+|\\(?=\S)")


def _excerpt(source: str, needle: str, width: int = 120) -> str:
    """Plain text around the needle, as our mention lists show (render.excerpt)."""
    plain = " ".join(_MARKUP.sub("", source).split())
    at = plain.find(needle)
    start = max(0, at - width // 3) if at >= 0 else 0
    end = start + width
    return ("…" if start else "") + plain[start:end] + ("…" if end < len(plain) else "")


class _Links:
    """項番NN and WG names → Markdown links, the way our build links them automatically."""

    def __init__(self, records) -> None:
        self.items: dict[Any, set[int]] = {
            ref: {i.number for i in plan.items} for ref, plan in records.plans.items()
        }
        self.wgs: dict[str, dict[str, str]] = defaultdict(dict)
        for ref, wg in records.wgs.items():
            for name in (wg.name, *wg.aliases):
                self.wgs[ref.municipality][name] = _wg_term(ref.municipality, ref.slug)
        self.patterns: dict[str, re.Pattern[str]] = {}
        self.plans: tuple = ()
        self.found: list[tuple[str, str]] = []  # (term, needle) of the last md() call

    def use(self, plans: tuple) -> None:
        """Set the plans that 項番NN refers to in the texts that follow."""
        self.plans = plans

    def pattern(self, municipality: str) -> re.Pattern[str]:
        if municipality not in self.patterns:
            names = sorted(self.wgs[municipality], key=lambda n: (-len(n), n))
            self.patterns[municipality] = re.compile(
                "|".join([r"項番(?P<n>\d+)", *map(re.escape, names)])
            )
        return self.patterns[municipality]

    def md(self, municipality: str, source: str) -> str:
        self.found = []

        def link(m: re.Match[str]) -> str:
            if m["n"]:
                for plan in self.plans:
                    if int(m["n"]) in self.items[plan]:
                        term = _item_term(plan, int(m["n"]))
                        self.found.append((term, m[0]))
                        return f"[{m[0]}](/items/{term}/)"
                return m[0]
            term = self.wgs[municipality][m[0]]
            self.found.append((term, m[0]))
            return f"[{m[0]}](/wgs/{term}/)"

        return self.pattern(municipality).sub(link, source) if source else ""


class _Files:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0

    def text(self, rel: str, text: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.count += 1

    def front(self, rel: str, front: dict, body: str) -> None:
        """A page with JSON front matter (Hugo reads `{…}` at the top as JSON)."""
        clean = {k: v for k, v in front.items() if v not in (None, [], {}, "")}
        self.text(rel, json.dumps(clean, ensure_ascii=False, indent=1) + "\n\n" + body + "\n")


def _labels(theme: Path) -> dict[str, str]:
    import yaml

    data = yaml.safe_load((theme / "labels" / "ja.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def _hugo_config(config) -> str:
    site = config.site
    return f"""\
baseURL = {json.dumps(site.base_url)}
languageCode = "ja"
defaultContentLanguage = "ja"
title = {json.dumps(site.title, ensure_ascii=False)}
hasCJKLanguage = true
disableKinds = ["RSS", "sitemap", "robotsTXT", "section"]

[params]
description = {json.dumps(site.description or "", ensure_ascii=False)}
publisher = {json.dumps(site.publisher or "", ensure_ascii=False)}

[taxonomies]
item = "items"
body = "bodies"
wg = "wgs"
year = "years"

[markup.goldmark.renderer]
unsafe = true
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True, help="our project folder")
    parser.add_argument("--out", type=Path, required=True, help="Hugo site folder (replaced)")
    args = parser.parse_args(argv)
    ensure_site_builder()
    count = export(args.project, args.out)
    print(f"wrote {count} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
