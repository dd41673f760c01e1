"""No broken links: crawl every HTML file of the built example site and resolve every
internal href and src, #fragments included, against the output tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

BASE = "http://127.0.0.1:8000/"
LINK_ATTRIBUTES = {
    "a": "href",
    "area": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
}


@dataclass
class Parsed:
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.parsed.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.parsed.ids.add(values["name"])
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.parsed.links.append(values[attribute])
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            content = values.get("content") or ""
            if "url=" in content.lower():
                self.parsed.links.append(content[content.lower().index("url=") + 4 :].strip())


def parse(path: Path) -> Parsed:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector.parsed


def page_url(output: Path, path: Path) -> str:
    rel = path.relative_to(output).as_posix()
    return BASE + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)


def broken_links(output: Path, base: str = BASE) -> list[str]:
    """Every internal link or anchor of every page that leads nowhere, as 'page → link'."""
    pages = {p: parse(p) for p in sorted(output.rglob("*.html"))}
    origin = urlsplit(base)
    problems: list[str] = []
    for path, parsed in pages.items():
        here = page_url(output, path)
        for link in parsed.links:
            target = urlsplit(urljoin(here, link))
            if target.scheme not in ("http", "https") or target.netloc != origin.netloc:
                continue  # mailto:, tel:, another site
            site_path = unquote(target.path)
            if not site_path.startswith(origin.path):
                problems.append(f"{here} → {link}: outside the site's base path")
                continue
            rel = site_path[len(origin.path) :]
            file = output / rel
            if rel == "" or rel.endswith("/"):
                file = file / "index.html"
            elif file.is_dir():
                problems.append(f"{here} → {link}: a folder without its trailing '/'")
                continue
            if not file.is_file():
                problems.append(f"{here} → {link}: no such file")
                continue
            if target.fragment:
                ids = pages[file].ids if file in pages else set()
                if unquote(target.fragment) not in ids:
                    problems.append(f"{here} → {link}: no element with id '{target.fragment}'")
    return problems


def test_the_example_site_has_no_broken_internal_link_or_anchor(example_site: Path) -> None:
    output = example_site / "output"
    pages = list(output.rglob("*.html"))
    assert len(pages) > 50
    links = sum(len(parse(p).links) for p in pages)
    assert links > 1000  # the crawl did look at something
    assert broken_links(output) == []


def test_the_crawler_finds_broken_links_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<p id="top"><a href="a/">ok</a> <a href="a/#x">ok</a> <a href="#top">ok</a>'
        '<a href="mailto:x@example.org">mail</a> <a href="https://example.org/nope">ext</a>'
        '<a href="a/#nope">bad anchor</a> <a href="/b/">missing</a> <a href="/a">no slash</a>'
        '<img src="/static/none.png" alt=""></p>',
        encoding="utf-8",
    )
    (tmp_path / "a/index.html").write_text(
        '<h1 id="x">x</h1><meta http-equiv="refresh" content="0; url=/gone/">', encoding="utf-8"
    )
    assert broken_links(tmp_path) == [
        f"{BASE}a/ → /gone/: no such file",
        f"{BASE} → a/#nope: no element with id 'nope'",
        f"{BASE} → /b/: no such file",
        f"{BASE} → /a: a folder without its trailing '/'",
        f"{BASE} → /static/none.png: no such file",
    ]
