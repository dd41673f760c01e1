"""Incremental rebuilds for the preview: redo only what an edit touches.

The same stage functions as build.py, with what each stage produced kept between
runs: a source is re-validated only when its bytes change; a record is re-linked
only when it changed, its scope changed (the WG names, its plans) or a title it
links to changed (graph.Linked.still_valid); a page is re-rendered only when one
of the sources it depends on (Page.deps, before or after the edit) changed, or
the theme did. The result is the same, byte for byte, as a full build of the
edited tree — tests/test_rebuild.py checks that over sequences of random edits.

Files are replaced one by one (temporary name, then rename), so a browser never
reads half a file; a failed rebuild changes nothing and keeps the last good site.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from . import build as full_build
from .config import CONFIG_FILE, Config, load_config
from .furniture import furniture_files
from .graph import (
    Index,
    Linked,
    Site,
    assemble_site,
    check_references,
    link_record,
    record_reference_problems,
    relink_site,
    scope_of,
)
from .load import Source, is_record_candidate, load_content, load_file
from .markdown import make_markdown
from .model import ContentError, Document, Meeting, Problem, Record
from .pages import Page, pages_showing_text, plan_pages
from .render import Theme, bind_site, load_theme, make_environment, render_pages
from .validate import assemble_records, validate_source
from .write import swap_in, write_site


@dataclass
class Outcome:
    """What a rebuild did, for the server to tell the browser."""

    written: list[str] = field(default_factory=list)  # output paths
    removed: list[str] = field(default_factory=list)
    styles_only: bool = False  # only static files changed: swap stylesheets, no reload


class Rebuilder:
    """The state of the last good build and the caches that make the next one cheap."""

    def __init__(self, root: Path, drafts: bool = True, furnish_inline: bool = True) -> None:
        """furnish_inline=False leaves exports, feeds and calendars to refresh_furniture(),
        which the preview runs in the background: they are whole-site files whose cost
        grows with the archive, and a reload should not wait for them."""
        self.root = root
        self.drafts = drafts
        self.furnish_inline = furnish_inline
        self.config: Config = load_config(root)
        self.md = make_markdown(load_theme(self.config).labels["table"])
        self.sources: dict[str, Source] = {}
        self.load_problems: dict[str, Problem] = {}
        self.validated: dict[str, tuple[str, Record | None, list[Problem]]] = {}
        self.linked: dict[str, tuple[Record, Linked]] = {}
        self.pages: dict[str, Page] = {}
        self.digests: dict[str, str] = {}  # output path → sha1 of what is on disk
        self.theme: Theme | None = None
        self.env: Environment | None = None  # kept: its compiled templates
        self.furniture: set[str] = set()  # output paths of furnish(): exports, feeds …
        self.site: Site | None = None  # of the last good build
        self.index: Index | None = None  # of the last good build
        self.pending: set[str] = set()  # sources changed since the last good build
        self.theme_pending = False  # a template changed since the last good build
        # Texts of the records edited through the fast path, rendered (graph.link_record's
        # memo): valid while the link scope stays, i.e. until the whole pipeline runs. A
        # memo keeps a file's earlier versions of its statements too: a few per save.
        self.memos: dict[str, dict] = {}
        self.generation = 0  # counts good builds; a stale furniture refresh is dropped

    # --- entry points -------------------------------------------------------------

    def build_all(self) -> Outcome:
        """Everything from scratch; output/ is replaced whole (staged, then swapped)."""
        self.config = load_config(self.root)
        self.sources = {s.path: s for s in load_content(self.root, self.config.content_path)}
        self.load_problems.clear()
        self.validated.clear()
        self.linked.clear()
        site, pages, files = self._run(set(self.sources), theme_changed=True)
        furniture = furniture_files(site, list(pages.values()), self.config)
        files.update(furniture)
        theme = self.config.theme_path
        staged = write_site(files, theme / "static", self.config.output_path)
        swap_in(staged, self.config.output_path)
        self.site, self.pages, self.furniture = site, pages, set(furniture)
        self.pending.clear()
        self.generation += 1
        self.digests = {path: _digest(data) for path, data in files.items()}
        return Outcome(written=sorted(files))

    def update(self, changed: set[Path]) -> Outcome:
        """Apply edits to the files in `changed` (created, modified or deleted)."""
        config_file = self.root / CONFIG_FILE
        if config_file in changed or any(p.is_dir() for p in changed):
            return self.build_all()
        theme = self.config.theme_path
        static = theme / "static"
        in_theme = {p for p in changed if _inside(p, theme)}
        in_static = {p for p in in_theme if _inside(p, static)}
        content = {p for p in changed if _inside(p, self.config.content_path)}
        if in_static and not (in_theme - in_static) and not content:
            self._copy_static()
            return Outcome(written=["static/"], styles_only=True)
        self.pending |= self._reload(content)
        self.theme_pending |= bool(in_theme - in_static)
        theme_changed = self.theme_pending
        texts = None if theme_changed else self._edited_texts(self.pending)
        if texts is not None:
            site, files, gone = self._relink_texts(texts)
        else:
            site, pages, files = self._run(self.pending, theme_changed)
            gone = {p.output_path for url, p in self.pages.items() if url not in pages}
            self.pages = pages
        self.site = site
        self.pending.clear()
        self.theme_pending = False
        self.generation += 1
        outcome = self._write(files, gone)
        if self.furnish_inline:
            furniture = furniture_files(site, list(self.pages.values()), self.config)
            more = self._write(furniture, self.furniture - set(furniture))
            self.furniture = set(furniture)
            outcome.written += more.written
            outcome.removed += more.removed
        if in_static:
            self._copy_static()
        return outcome

    def refresh_furniture(self) -> set[str]:
        """Write the last good build's exports, feeds, calendars …, each file only if
        its bytes differ from the file on disk, and remove those no longer made; return
        the output paths it made. The preview runs this in a forked process, which
        cannot update this object's digests: hence the comparison with the files."""
        assert self.site is not None
        output = self.config.output_path
        made = set()
        for rel, data in furniture_files(self.site, list(self.pages.values()), self.config).items():
            made.add(rel)
            target = output / rel
            same = (
                target.is_file()
                and target.stat().st_size == len(data)
                and target.read_bytes() == data
            )
            if not same:
                _replace_file(target, data)
        for rel in sorted(self.furniture - made):
            (output / rel).unlink(missing_ok=True)
            _prune_empty_dirs((output / rel).parent, output)
        return made

    # --- the pipeline, with caches ------------------------------------------------------

    def _reload(self, paths: set[Path]) -> set[str]:
        """Re-read changed content files; return the source paths that changed."""
        touched: set[str] = set()
        content_dir = self.config.content_path
        for path in paths:
            rel = path.relative_to(self.root).as_posix()
            touched.add(rel)
            self.sources.pop(rel, None)
            self.load_problems.pop(rel, None)
            if not path.is_file() or not is_record_candidate(content_dir, path):
                self.validated.pop(rel, None)
                self.linked.pop(rel, None)
                continue
            result = load_file(self.root, content_dir, path)
            if isinstance(result, Problem):
                self.load_problems[rel] = result
            else:
                self.sources[rel] = result
        return touched

    def _run(self, touched: set[str], theme_changed: bool) -> tuple[Site, dict[str, Page], dict]:
        self.memos.clear()
        sources = [self.sources[p] for p in sorted(self.sources)]
        problems: list[Problem] = list(self.load_problems.values())
        records: dict[str, Record] = {}
        for source in sources:
            cached = self.validated.get(source.path)
            if cached is None or cached[0] != source.digest:
                record, found = validate_source(source, self.md)
                cached = self.validated[source.path] = (source.digest, record, found)
            problems.extend(cached[2])
            if cached[1] is not None:
                records[source.path] = cached[1]
        table = assemble_records(sources, records, problems, self.drafts)
        problems = list(check_references(table))
        index = Index(table, lambda ref: full_build.url_for(self.config, ref))
        linked: dict[str, Linked] = {}
        relinked: set[str] = set()
        for record in table.all():
            path = record.location.path
            scope = scope_of(record, index)
            vocabulary = (scope.autolink.pattern if scope.autolink else "", scope.plans)
            cached_link = self.linked.get(path)
            if (
                cached_link is not None
                and cached_link[0] is record
                and cached_link[1].still_valid(index, vocabulary)
            ):
                linked[path] = cached_link[1]
                continue
            result = link_record(record, scope, self.md)
            self.linked[path] = (record, result)
            linked[path] = result
            relinked.add(path)
            problems.extend(result.problems)
        if problems:
            raise ContentError(problems)
        site = assemble_site(table, linked)
        self.index = index
        if theme_changed or self.theme is None or self.env is None:
            self.theme = load_theme(self.config)
            self.env = make_environment(self.config, self.theme, site)
        bind_site(self.env, site)
        pages = {
            p.url: p for p in plan_pages(site, self.theme.labels, self.config.search.shard_records)
        }
        changed = touched | relinked
        stale = [
            page
            for url, page in pages.items()
            if theme_changed
            or url not in self.pages
            or (page.deps | self.pages[url].deps) & changed
        ]
        return site, pages, render_pages(stale, self.env)

    def _edited_texts(self, paths: set[str]) -> list[tuple[Record, Linked, Linked]] | None:
        """The common edit, checked for the fast path: only the text of meetings or
        documents changed, not their front matter, which is all that the lists, other
        records' links and the search filters show of them. Returns (record, its old
        Linked, its new Linked) per path, or None when the whole pipeline must run.

        The texts' own problems are raised at once; whatever else a broken file would
        cause (other records' links to it) is not worth a whole-site run to report.
        """
        if self.site is None or self.index is None or self.env is None:
            return None
        edited = []
        problems: list[Problem] = []
        for path in sorted(paths):
            source, cached = self.sources.get(path), self.linked.get(path)
            if source is None or cached is None or path in self.load_problems:
                return None  # created, deleted, unreadable, or a draft left out
            old_record, old = cached
            record, found = validate_source(source, self.md)
            self.validated[path] = (source.digest, record, found)
            if found:
                problems += found
                continue
            if not (
                isinstance(record, (Meeting, Document))
                and type(record) is type(old_record)
                and record.ref == old_record.ref
                and record.meta == old_record.meta
            ):
                return None
            problems += record_reference_problems(record, self.site.records)
            memo = self.memos.setdefault(path, {})
            linked = link_record(record, scope_of(record, self.index), self.md, memo)
            self.linked[path] = (record, linked)
            problems += linked.problems
            edited.append((record, old, linked))
        if problems:
            raise ContentError(problems)
        return edited

    def _relink_texts(
        self, edited: list[tuple[Record, Linked, Linked]]
    ) -> tuple[Site, dict[str, bytes], set[str]]:
        """The site with the edited records, the pages that show their texts, rendered,
        and the output paths of pages gone (the last page of a shorter mention list)."""
        assert self.site is not None and self.env is not None and self.theme is not None
        before = site = self.site
        for record, old, new in edited:
            site = relink_site(site, record, old, new)
        bind_site(self.env, site)
        pages: dict[str, Page] = {}
        gone: set[str] = set()
        for record, old, _ in edited:
            shown, urls = pages_showing_text(before, site, self.theme.labels, record, old.targets)
            pages.update((page.url, page) for page in shown)
            gone |= urls
        gone -= set(pages)
        gone_paths = {self.pages.pop(url).output_path for url in gone if url in self.pages}
        self.pages.update(pages)
        return site, render_pages(list(pages.values()), self.env), gone_paths

    def _write(self, files: dict[str, bytes], gone: set[str]) -> Outcome:
        """Replace changed files one by one (temporary name, then rename); remove gone."""
        output = self.config.output_path
        outcome = Outcome()
        for rel, data in sorted(files.items()):
            digest = _digest(data)
            if self.digests.get(rel) == digest:
                continue
            _replace_file(output / rel, data)
            self.digests[rel] = digest
            outcome.written.append(rel)
        for rel in sorted(gone):
            (output / rel).unlink(missing_ok=True)
            self.digests.pop(rel, None)
            _prune_empty_dirs((output / rel).parent, output)
            outcome.removed.append(rel)
        return outcome

    def _copy_static(self) -> None:
        source = self.config.theme_path / "static"
        target = self.config.output_path / "static"
        staged = target.with_name(".static.tmp")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(source, staged)
        old = target.with_name(".static.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.rename(target, old)
        os.rename(staged, target)
        shutil.rmtree(old, ignore_errors=True)


def _replace_file(target: Path, data: bytes) -> None:
    """Write under a temporary name, then rename: a reader sees the old file or the new."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _prune_empty_dirs(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
