"""bench/hugo_export.py: the synthetic archive's records as a Hugo site."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"


def run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hugo")
    project, site = root / "archive", root / "site"
    run(str(BENCH / "generate.py"), "--meetings", "12", "--out", str(project))
    out = run(str(BENCH / "hugo_export.py"), "--project", str(project), "--out", str(site))
    assert out.startswith("wrote ")
    return project, site


def front_matter(path: Path) -> dict:
    """Hugo's JSON front matter: the object at the top of the file."""
    text = path.read_text(encoding="utf-8")
    data, _end = json.JSONDecoder().raw_decode(text)
    return data


def test_config_declares_the_taxonomies(exported: tuple[Path, Path]) -> None:
    config = (exported[1] / "config.toml").read_text(encoding="utf-8")
    taxonomies = config.split("[taxonomies]\n", 1)[1].split("\n\n", 1)[0]
    assert taxonomies.splitlines() == [
        'item = "items"',
        'body = "bodies"',
        'wg = "wgs"',
        'year = "years"',
    ]
    assert 'baseURL = "http://127.0.0.1:8000/"' in config


def test_one_page_per_meeting_with_its_terms(exported: tuple[Path, Path]) -> None:
    project, site = exported
    ours = sorted(
        p.relative_to(project / "content").with_suffix("").as_posix().replace("/meetings", "")
        for p in (project / "content").glob("*/meetings/*/*.md")
    )
    pages = sorted(
        p.relative_to(site / "content" / "meetings").with_suffix("").as_posix()
        for p in (site / "content" / "meetings").rglob("*.md")
    )
    assert len(ours) == 12
    assert pages == ours
    for page in (site / "content" / "meetings").rglob("*.md"):
        front = front_matter(page)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", front["date"])
        assert len(front["bodies"]) == 1
        for taxonomy in ("items", "bodies", "wgs"):
            for term in front.get(taxonomy, []):
                assert (site / "content" / taxonomy / term / "_index.md").is_file(), term
        for term in front.get("items", []):
            assert front["mentions"][term], term


def test_statements_keep_their_anchors_and_links(exported: tuple[Path, Path]) -> None:
    from site_builder.build import check
    from site_builder.config import load_config

    project, site = exported
    records = check(load_config(project)).records
    meeting = next(iter(sorted(records.meetings.values(), key=lambda m: str(m.ref))))
    page = site / "content" / "meetings" / meeting.ref.municipality / f"{meeting.ref.slug}.md"
    text = page.read_text(encoding="utf-8")
    for statement in meeting.statements:
        assert f'<div class="statement side-{statement.side}' in text
        assert f'id="{statement.id}"' in text
    linked = re.findall(r"\[項番(\d+)\]\(/items/item-[a-z-]+-dx-plan-(\d+)/\)", text)
    assert linked and all(a == b for a, b in linked)
    assert "項番" not in re.sub(r"\[項番\d+\]|「[^」]*」|^\{.*?^\}", "", text, flags=re.S | re.M)


def test_the_theme_has_every_kind_of_page(exported: tuple[Path, Path]) -> None:
    layouts = exported[1] / "layouts"
    for rel in (
        "_default/baseof.html",
        "_default/taxonomy.html",
        "index.html",
        "meetings/single.html",
        "items/term.html",
        "bodies/term.html",
        "wgs/term.html",
        "years/term.html",
        "plans/single.html",
        "404.html",
    ):
        assert (layouts / rel).is_file(), rel
    assert (exported[1] / "static" / "static" / "site.css").is_file()
