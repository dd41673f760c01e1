"""config.yaml: the site's settings, checked like content (unknown keys are errors)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from .load import decode
from .model import ContentError, Location, Problem, doc
from .validate import coerce
from .yamlio import YamlProblems, parse_yaml

CONFIG_FILE = "config.yaml"


@dataclass(frozen=True)
class Synonym:
    """A word citizens type, and the words of the records it should also find."""

    term: str = doc("the word typed (マイナ)", required=True)
    expand: tuple[str, ...] = doc("words also searched for ([マイナンバーカード])", ())


@dataclass(frozen=True)
class SearchConfig:
    enabled: bool = doc("index the site with Pagefind on every build", True)
    synonyms: tuple[Synonym, ...] = doc("query expansions kept by the clerk", ())
    shard_records: int = doc(
        "at most about this many records in one part of the index: a larger site's index"
        " is made in parts (each municipality whole), which bounds Pagefind's memory"
        " (about 0.3 GB and 0.85 GB a 1,000 records) and lets an unchanged part be kept;"
        " the search page searches all parts at once",
        2000,
    )


@dataclass(frozen=True)
class SiteConfig:
    title: str = doc("サイト名", required=True)
    description: str | None = doc("サイトの説明 (meta description, feeds)")
    publisher: str | None = doc("運営者 (shown in the footer)")
    base_url: str = doc(
        "absolute URL the site is published at; its path is the sub-path "
        "(https://example.org/gikai/minutes/)",
        "http://127.0.0.1:8000/",
    )
    language: str = doc("label language of the theme (themes/<theme>/labels/<language>.yaml)", "ja")


@dataclass(frozen=True)
class Config:
    site: SiteConfig = doc("サイトの設定", required=True)
    content_dir: str = doc("where the records are", "content")
    theme: str = doc("theme folder under themes/", "default")
    output_dir: str = doc("where the site is written", "output")
    cache_dir: str = doc(
        "where builds keep what the next build may reuse (the search index's parts)",
        ".cache/site_builder",
    )
    search: SearchConfig = field(default_factory=SearchConfig, metadata={"doc": "full-text search"})
    root: Path = field(default=Path("."), metadata={"derived": True})

    @property
    def base_path(self) -> str:
        """'/gikai/minutes/' for a site under a sub-path, '/' otherwise."""
        path = urlsplit(self.site.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def theme_path(self) -> Path:
        return self.root / "themes" / self.theme

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    rel = CONFIG_FILE
    if not path.is_file():
        raise ContentError(
            [
                Problem(
                    Location(rel, 1, 1),
                    "config.yaml not found; run site-builder in the project folder, or pass --root",
                )
            ]
        )
    text, problem = decode(path.read_bytes(), rel)
    if problem:
        raise ContentError([problem])
    problems: list[Problem] = []
    try:
        node = parse_yaml(text, rel)
    except YamlProblems as err:
        raise ContentError(err.problems) from None
    config = coerce(node, Config, problems, "config")
    if config is not None:
        base = urlsplit(config.site.base_url)
        if base.scheme not in ("http", "https") or not base.netloc:
            problems.append(
                Problem(
                    Location(rel, 1, 1),
                    f"site.base_url '{config.site.base_url}'"
                    " must be an absolute http(s) URL, e.g. https://example.org/",
                )
            )
        for name in (config.content_dir, config.output_dir, config.cache_dir):
            if Path(name).is_absolute() or ".." in Path(name).parts:
                problems.append(
                    Problem(Location(rel, 1, 1), f"'{name}' must be a folder inside the project")
                )
        if config.search.shard_records < 1:
            problems.append(
                Problem(
                    Location(rel, 1, 1),
                    f"search.shard_records is {config.search.shard_records}; "
                    "it must be a positive number of records, e.g. 2000",
                )
            )
        if not (root / "themes" / config.theme).is_dir():
            problems.append(
                Problem(Location(rel, 1, 1), f"theme '{config.theme}' not found in themes/")
            )
    if problems or config is None:
        raise ContentError(problems)
    return replace(config, root=root)
