"""`site-builder audit`: prove a built site accessible, page by page, and publish the proof.

Japanese public bodies must meet JIS X 8341-3:2016 level AA and publish their test
results (試験結果). This module tests *every* page of a built site (not a sample) and
turns the results into that page:

- axe-core (the copy bundled with axe-playwright-python) with the WCAG 2.0/2.1/2.2 A
  and AA rules and the best practices, in headless Chromium, in the light and the dark
  colour scheme;
- the Nu Html Checker (vnu.jar on a Java runtime) once over the whole directory, HTML
  and CSS;
- what those tools do not check, measured in the rendered page (audit.js): every
  focusable element reached with the Tab key in document order, each with a visible
  focus ring; the skip link; no sideways scrolling at 320 CSS px; text at 200 %;
  tables in focusable scroll boxes; lang attributes; spaces inside words; speakers told
  apart in words; nothing moving under prefers-reduced-motion; body text at 7:1.

`audit_site` returns the results as data (AuditResult); conformance.py judges each
success criterion from them; `audit_and_publish` (what the CLI runs) also renders the
試験結果 page with the theme's accessibility_report.html and writes it, with
audit.json, into the site.

The tools are test dependencies (dev.py setup --browser installs them), imported only
here, so that building a site never needs a browser.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import itertools
import json
import os
import re
import shutil
import subprocess
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import conformance
from .conformance import CHECKS, Verdict, criteria_of_tags

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
SETUP_HINT = "python3 dev.py setup --browser"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
AAA_CONTRAST = "color-contrast-enhanced"  # 7:1, WCAG 1.4.6
DARK_RULES = ("color-contrast", "link-in-text-block", AAA_CONTRAST)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}  # WCAG 1.4.10: 320 CSS px
ZOOMED = {"width": 640, "height": 900}  # 200 % text: what 1280 px shows at 200 % zoom
VNU_JAR = Path("node_modules/vnu-jar/build/dist/vnu.jar")
REPORT_JSON = "audit.json"


class AuditError(Exception):
    """The audit cannot run: a tool is missing (the message says how to install it), the
    validator failed, or there is no built site to audit."""


# --- results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem: which check found it where, and which success criteria it fails."""

    check: str  # a conformance.CHECKS id: axe, vnu, keyboard …
    page: str  # the page's URL path (/maebashi/…/), or the file's path for CSS
    rule: str  # the axe rule, or the check's own rule name
    message: str
    target: str = ""  # CSS selector, or line:column for vnu
    criteria: tuple[str, ...] = ()  # WCAG numbering: ("1.4.3",)
    scheme: str = ""  # light / dark, where the colour scheme matters
    excerpt: str = ""  # the page's own text the problem is in, quoted apart from the message

    def __str__(self) -> str:
        scheme = f" ({self.scheme})" if self.scheme else ""
        target = f" [{self.target}]" if self.target else ""
        quoted = f": 「{self.excerpt}」" if self.excerpt else ""
        return f"{self.check} {self.rule}{scheme}: {self.message}{quoted}{target}"


@dataclass(frozen=True)
class PageAudit:
    url: str  # path on the site, with the base path: /gikai/maebashi/
    file: str  # relative to the site directory: maebashi/index.html
    title: str
    findings: tuple[Finding, ...]
    reviews: tuple[Finding, ...]  # what axe-core could not decide: a person looks
    examined: tuple[str, ...]  # axe rules that found something to test on this page
    content: tuple[tuple[str, int], ...]  # audit.js evidence(): media, images, forms …
    navigation: tuple[str, ...]  # the header's and footer's links and controls, in order
    focus_stops: int  # elements reached with the Tab key
    search: bool  # has a search form
    navs: int  # navigation landmarks


@dataclass(frozen=True)
class Tools:
    axe: str
    vnu: str
    chromium: str
    site_builder: str


@dataclass(frozen=True)
class AuditResult:
    date: dt.date
    tools: Tools
    pages: tuple[PageAudit, ...]
    validator: tuple[Finding, ...]  # vnu's errors, every file
    site_findings: tuple[Finding, ...]  # across pages: duplicate titles, navigation
    rule_criteria: tuple[tuple[str, tuple[str, ...]], ...]  # axe rule → criteria

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every problem, sorted by page."""
        found = [f for p in self.pages for f in p.findings]
        found += [*self.validator, *self.site_findings]
        return tuple(sorted(found, key=lambda f: (f.page, f.check, f.rule, f.target, f.message)))

    @property
    def reviews(self) -> tuple[Finding, ...]:
        return tuple(r for p in self.pages for r in p.reviews)

    @property
    def ok(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        """axe violations, validator errors and the problems our own checks found."""
        found = self.findings
        return {
            "axe": sum(f.check == "axe" for f in found),
            "vnu": sum(f.check == "vnu" for f in found),
            "other": sum(f.check not in ("axe", "vnu") for f in found),
        }

    def verdicts(self) -> tuple[Verdict, ...]:
        rules = dict(self.rule_criteria)
        evidence: dict[str, set[str]] = defaultdict(set)
        for page in self.pages:
            for rule in page.examined:
                for number in rules.get(rule, ()):
                    evidence[number].add(f"axe-core {rule}")
        for check in CHECKS:
            if check.id != "axe":
                for number in check.criteria:
                    evidence[number].add(check.title.split("：")[0])
        content: Counter[str] = Counter()
        for page in self.pages:
            content.update(dict(page.content))
        return conformance.judge(
            conformance.tally(f.criteria for f in self.findings),
            conformance.tally(r.criteria for r in self.reviews),
            {k: tuple(sorted(v)) for k, v in evidence.items()},
            dict(content),
        )


# --- tools --------------------------------------------------------------------------


@dataclass(frozen=True)
class Toolchain:
    java: str
    vnu_jar: Path
    axe_script: str


def find_tools(root: Path) -> Toolchain:
    """Everything the audit runs, or AuditError naming all that is missing at once."""
    missing: list[str] = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium ({CHROMIUM})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright (the Python package playwright)")
    axe_script = ""
    try:
        from axe_playwright_python.base import AXE_SCRIPT

        axe_script = AXE_SCRIPT
    except ImportError:
        missing.append("axe-core (the Python package axe-playwright-python)")
    java = shutil.which("java") or ""
    if not java:
        missing.append("a Java runtime (java), which runs the Nu Html Checker")
    jar = vnu_jar(root)
    if jar is None:
        missing.append(f"the Nu Html Checker ({VNU_JAR.as_posix()}, the npm package vnu-jar)")
    if missing:
        raise AuditError(
            "site-builder audit needs " + "; ".join(missing) + f". Install them with: {SETUP_HINT}"
        )
    assert jar is not None
    return Toolchain(java, jar, axe_script)


def vnu_jar(root: Path) -> Path | None:
    """$SITE_BUILDER_VNU_JAR, or node_modules/ of the project, or of site_builder's checkout."""
    candidates = [Path(p) for p in [os.environ.get("SITE_BUILDER_VNU_JAR", "")] if p]
    candidates += [root / VNU_JAR, Path(__file__).resolve().parent.parent / VNU_JAR]
    return next((c for c in candidates if c.is_file()), None)


def site_builder_version() -> str:
    try:
        return metadata.version("site_builder")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- the site -----------------------------------------------------------------------


def site_pages(site_dir: Path, base_path: str = "/") -> list[tuple[str, str]]:
    """Every HTML file of the built site as (file, URL path), sorted by file."""
    out = []
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        out.append((rel, page_url(rel, base_path)))
    return out


def page_url(rel: str, base_path: str = "/") -> str:
    return base_path + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


class _SiteHandler(SimpleHTTPRequestHandler):
    base_path = "/"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.base_path):
            return str(Path(self.directory) / "__outside_the_base_path__")
        return super().translate_path("/" + path[len(self.base_path) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        pass  # a browser dropping a connection it no longer needs is no error


@contextlib.contextmanager
def serve_site(site_dir: Path, base_path: str = "/") -> Iterator[str]:
    """Serve site_dir under base_path on 127.0.0.1; yields the origin (http://127.0.0.1:N)."""
    handler = type("Handler", (_SiteHandler,), {"base_path": base_path})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


# --- the Nu Html Checker ------------------------------------------------------------


def run_vnu(
    tools: Toolchain, site_dir: Path, paths: list[Path] | None = None, base_path: str = "/"
) -> tuple[str, tuple[Finding, ...]]:
    """vnu.jar over the whole directory (or the given files): HTML and SVG in one run,
    the stylesheets in another (with --also-check-css the checker misnumbers HTML lines).
    Returns the checker's version and one finding per error, at line:column."""
    version, found = _vnu(
        tools,
        site_dir,
        ["--skip-non-html", "--also-check-svg"],
        [str(p) for p in paths] if paths is not None else [str(site_dir)],
        base_path,
    )
    if paths is None:
        styles = sorted(str(p) for p in site_dir.rglob("*.css"))
        if styles:
            found += _vnu(tools, site_dir, ["--css"], styles, base_path)[1]
    return version, found


def _vnu(
    tools: Toolchain, site_dir: Path, options: list[str], targets: list[str], base_path: str
) -> tuple[str, tuple[Finding, ...]]:
    result = subprocess.run(
        [
            tools.java,
            "-jar",
            str(tools.vnu_jar),
            "--errors-only",
            *options,
            "--format",
            "json",
            *targets,
        ],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        raise AuditError(
            f"the Nu Html Checker did not run (exit {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[:500]}"
        ) from None
    root = site_dir.resolve()
    found = []
    for message in report.get("messages", []):
        file = Path(unquote(urlsplit(message.get("url", "")).path))
        try:
            rel = file.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = file.as_posix()
        line = message.get("firstLine", message.get("lastLine", 0))
        column = message.get("firstColumn", message.get("lastColumn", 0))
        page = page_url(rel, base_path) if rel.endswith(".html") else base_path + rel
        found.append(
            Finding(
                "vnu",
                page,
                message.get("type", "error"),
                message.get("message", ""),
                f"{line}:{column}",
                ("4.1.1",),
            )
        )
    return str(report.get("version", "")), tuple(found)


# --- one page in the browser --------------------------------------------------------

PROBE = files("site_builder").joinpath("audit.js").read_text(encoding="utf-8")
API = "window.__siteAudit"  # what audit.js defines


@dataclass
class _Page:
    """What one page's audit collects while it runs."""

    url: str
    findings: list[Finding] = dataclasses.field(default_factory=list)
    reviews: list[Finding] = dataclasses.field(default_factory=list)
    examined: set[str] = dataclasses.field(default_factory=set)
    rules: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def add(
        self,
        check: str,
        rule: str,
        message: str,
        target: str = "",
        excerpt: str = "",
        criteria: tuple[str, ...] | None = None,
        scheme: str = "",
    ) -> None:
        if criteria is None:
            criteria = conformance.CHECKS_BY_ID[check].criteria
        self.findings.append(
            Finding(check, self.url, rule, message, target, criteria, scheme, excerpt)
        )


def _call(page: Any, probe: str, *args: Any) -> Any:
    """window.__siteAudit.<probe>(...args) in the page."""
    return page.evaluate(f"args => {API}.{probe}(...args)", list(args))


def audit_page(
    browser: Any,
    origin: str,
    url: str,
    file: str,
    tools: Toolchain,
    language: str,
    speaker_words: tuple[str, ...],
) -> tuple[PageAudit, dict[str, tuple[str, ...]]]:
    """Every in-browser check of one page, in a fresh context (no visited links, no
    focus history): light scheme at 1280 px, then 320 px, 200 % text, dark scheme.
    Returns the page's results and the axe rules it ran with their criteria."""
    context = browser.new_context(
        locale="ja-JP", viewport=DESKTOP, color_scheme="light", reduced_motion="no-preference"
    )
    page = context.new_page()
    found = _Page(url)
    popups: list[Any] = []
    context.on("page", lambda popup: popups.append(popup))
    _watch_errors(page, found)
    try:
        page.goto(origin + url, wait_until="load")
        page.evaluate(PROBE)
        _call(page, "openDetails")  # what a click on <summary> shows is checked too
        structure = _call(page, "structure")
        content = _call(page, "evidence")
        _check_language(page, found, structure, language)
        for hit in _call(page, "layoutSpaces"):
            found.add(
                "layout-space",
                "space-inside-word",
                "a space inside a word",
                hit["target"],
                hit["text"],
            )
        for hit in _call(page, "colourOnly", list(speaker_words)):
            found.add(
                "colour-only",
                "role-not-in-words",
                "the speaker's side or the status is not in words",
                hit["target"],
                hit["text"],
            )
        light = {
            "runOnly": {"type": "tag", "values": list(AXE_TAGS)},
            "rules": {AAA_CONTRAST: {"enabled": True}},
        }
        _run_axe(page, found, tools, light, "light")
        stops = _check_keyboard(page, found, structure, popups)
        page.set_viewport_size(PHONE)
        _check_reflow(page, found, "reflow", "at 320 CSS px")
        _check_tables(page, found)
        page.set_viewport_size(ZOOMED)
        _call(page, "setRootFontSize", "200%")
        _check_reflow(page, found, "text-resize", "with text at 200 % (640 CSS px)")
        _call(page, "setRootFontSize", "")
        page.set_viewport_size(DESKTOP)
        page.emulate_media(color_scheme="dark", reduced_motion="reduce")
        _run_axe(
            page, found, tools, {"runOnly": {"type": "rule", "values": list(DARK_RULES)}}, "dark"
        )
        _check_motion(page, found)
        navigation = tuple(_call(page, "navigation"))
    finally:
        context.close()
    audited = PageAudit(
        url=url,
        file=file,
        title=structure["title"],
        findings=tuple(found.findings),
        reviews=tuple(found.reviews),
        examined=tuple(sorted(found.examined)),
        content=tuple(sorted(content.items())),
        navigation=navigation,
        focus_stops=stops,
        search=structure["search"] > 0,
        navs=structure["navs"],
    )
    return audited, found.rules


def _watch_errors(page: Any, found: _Page) -> None:
    """Console errors, uncaught exceptions, failed requests and HTTP errors."""

    def console(message) -> None:
        if message.type == "error":
            found.add("page-errors", "console-error", message.text)

    def failed(request) -> None:
        found.add("page-errors", "request-failed", f"{request.url} ({request.failure})")

    def response(resp) -> None:
        if resp.status >= 400:
            found.add("page-errors", "http-error", f"{resp.url} answered {resp.status}")

    page.on("console", console)
    page.on("pageerror", lambda error: found.add("page-errors", "uncaught-exception", str(error)))
    page.on("requestfailed", failed)
    page.on("response", response)


# axe-core cannot rate the contrast of text made only of symbols (①, ○, ⇒): "nonBmp".
# audit.js measures those itself, with the same formula, when the background is plain.
SYMBOLS_ONLY = "nonBmp"
THRESHOLDS = {"color-contrast": (4.5, 3.0), AAA_CONTRAST: (7.0, 4.5)}  # (normal, large)


def _run_axe(page: Any, found: _Page, tools: Toolchain, options: dict, scheme: str) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(tools.axe_script)
    options = {**options, "resultTypes": ["violations", "incomplete"]}
    results = page.evaluate("options => axe.run(document, options)", options)
    for kind in ("passes", "violations", "incomplete"):
        for rule in results.get(kind, []):
            found.rules[rule["id"]] = criteria_of_tags(rule["tags"])
            found.examined.add(rule["id"])
    for rule in results["violations"]:
        for node in rule["nodes"]:
            _axe_finding(found, rule, node, scheme)
    for rule in results["incomplete"]:
        for node in rule["nodes"]:
            decided = _decide_contrast(page, rule["id"], node)
            if decided is True:
                continue
            if decided is False:
                _axe_finding(found, rule, node, scheme)
            elif rule["id"] != AAA_CONTRAST:  # undecided AAA: not a criterion of the report
                found.reviews.append(
                    Finding(
                        "axe",
                        found.url,
                        rule["id"],
                        _axe_message(rule, node),
                        _axe_target(node),
                        criteria_of_tags(rule["tags"]),
                        scheme,
                    )
                )


def _axe_finding(found: _Page, rule: dict, node: dict, scheme: str) -> None:
    if rule["id"] == AAA_CONTRAST:  # ours to require, beyond the standard's AA
        check, criteria = "contrast-aaa", ("1.4.6",)
    else:
        check, criteria = "axe", criteria_of_tags(rule["tags"])
    found.add(check, rule["id"], _axe_message(rule, node), _axe_target(node), "", criteria, scheme)


def _decide_contrast(page: Any, rule: str, node: dict) -> bool | None:
    """True/False when audit.js can rate a contrast axe-core left undecided; else None."""
    if rule not in THRESHOLDS:
        return None
    keys = {(c.get("data") or {}).get("messageKey") for c in node.get("any", []) if c}
    target = node.get("target", [])
    if keys != {SYMBOLS_ONLY} or len(target) != 1 or not isinstance(target[0], str):
        return None
    measured = _call(page, "contrast", target[0])
    if measured is None:
        return None
    normal, large = THRESHOLDS[rule]
    return measured["ratio"] >= (large if measured["large"] else normal)


def _axe_message(rule: dict, node: dict) -> str:
    summary = " ".join((node.get("failureSummary") or "").split())
    return f"{rule['help']}. {summary}".strip()


def _axe_target(node: dict) -> str:
    return " ".join(t if isinstance(t, str) else " >>> ".join(t) for t in node.get("target", []))


def _check_language(page: Any, found: _Page, structure: dict, language: str) -> None:
    lang = (structure.get("lang") or "").lower()
    if lang != language.lower() and not lang.startswith(language.lower() + "-"):
        found.add(
            "lang",
            "html-lang",
            f'<html lang="{structure.get("lang") or ""}">, but the site is written in "{language}"',
            "html",
        )
    for hit in _call(page, "languageFindings"):
        if hit["rule"] == "latin-without-lang":
            message = "a passage in another language has no lang attribute"
        else:
            message = f'Japanese text is marked lang="{hit["lang"]}"'
        found.add("lang-parts", hit["rule"], message, hit["target"], hit["text"])


def _check_keyboard(page: Any, found: _Page, structure: dict, popups: list) -> int:
    """Tab from the top of the page until focus leaves it; returns the number of stops."""
    expected = _call(page, "focusables")
    start = page.url
    stops: list[dict] = []
    left = False
    for _ in range(len(expected) + 50):
        page.keyboard.press("Tab")
        info = _call(page, "focusInfo")
        if info is None or (stops and info["key"] == stops[0]["key"]):
            left = True
            break
        if stops and info["key"] == stops[-1]["key"]:
            break
        stops.append(info)
    if not left:
        where = stops[-1]["key"] if stops else ""
        found.add(
            "keyboard",
            "keyboard-trap",
            "the Tab key cannot move focus past this element to the end of the page",
            where,
            criteria=("2.1.2",),
        )
    reached = {s["key"] for s in stops}
    for key in expected:
        if key not in reached:
            found.add(
                "keyboard",
                "not-reachable",
                "the Tab key never reaches this element",
                key,
                criteria=("2.1.1",),
            )
    for before, after in itertools.pairwise(stops):
        if after["order"] < before["order"]:
            found.add(
                "keyboard",
                "focus-order",
                f"focus jumps back in the document, from {before['key']}",
                after["key"],
                criteria=("2.4.3",),
            )
    for stop in stops:
        if not stop["ring"]:
            found.add(
                "focus-visible",
                "no-focus-ring",
                "no visible focus ring (outline or box-shadow)",
                stop["key"],
                stop["text"],
            )
        elif not stop["on_screen"]:
            found.add(
                "focus-visible",
                "focus-off-screen",
                "the focused element is not on the screen",
                stop["key"],
                stop["text"],
            )
        if stop["url"] != start:
            found.add(
                "keyboard",
                "change-on-focus",
                f"focusing it went to {stop['url']}",
                stop["key"],
                stop["text"],
                ("3.2.1",),
            )
    if popups:
        found.add(
            "keyboard", "change-on-focus", "a new window opened while tabbing", criteria=("3.2.1",)
        )
    if structure["bypass_needed"]:
        _check_skip_link(page, found, stops, left)
    return len(stops)


def _check_skip_link(page: Any, found: _Page, stops: list[dict], left: bool) -> None:
    first = stops[0] if stops else None
    href = (first or {}).get("href") or ""
    if first is None or first["tag"] != "a" or not href.startswith("#"):
        found.add(
            "skip-link",
            "skip-link-missing",
            "the first element the Tab key reaches is not a link to the main content",
            (first or {}).get("key", ""),
        )
        return
    if not left:
        return  # a keyboard trap was reported; the link cannot be reached again
    if _call(page, "focusInfo") is None:
        page.keyboard.press("Tab")  # focus left the page: the next Tab is the skip link again
    again = _call(page, "focusInfo")
    if again is None or again["key"] != first["key"]:
        return  # the Tab order did not come back to it; the order findings say why
    page.keyboard.press("Enter")
    result = _call(page, "skipResult", href)
    if not result["target_exists"]:
        found.add(
            "skip-link",
            "skip-link-target",
            f"the skip link points to {href}, which is not on the page",
            first["key"],
        )
    elif not result["focused_target"]:
        found.add(
            "skip-link",
            "skip-link-focus",
            f"following the skip link does not move focus to {href}",
            first["key"],
        )
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")


def _check_reflow(page: Any, found: _Page, check: str, how: str) -> None:
    result = _call(page, "reflow")
    if result["scroll_width"] > result["width"]:
        sticking = ", ".join(o["target"] for o in result["offenders"])
        found.add(
            check,
            "horizontal-scroll",
            f"the page scrolls sideways {how}: "
            f"{result['scroll_width']} px wide in a {result['width']} px window",
            sticking,
        )
    for hit in result["clipped"]:
        found.add(check, "clipped-text", f"text is cut off {how}", hit["target"], hit["text"])


def _check_tables(page: Any, found: _Page) -> None:
    for table in _call(page, "tables"):
        if not table["scroller"]:
            found.add(
                "table-scroll",
                "table-not-in-scroll-box",
                "at 320 CSS px this table is not inside a box that scrolls sideways",
                table["target"],
            )
        elif not table["focusable"]:
            found.add(
                "table-scroll",
                "scroll-box-not-focusable",
                "the box this table scrolls in cannot be focused with the keyboard (tabindex=0)",
                table["target"],
            )
        elif not table["named"]:
            found.add(
                "table-scroll",
                "scroll-box-unnamed",
                "the table's focusable scroll box has no name (aria-label or aria-labelledby)",
                table["target"],
                criteria=("4.1.2",),
            )


def _check_motion(page: Any, found: _Page) -> None:
    result = _call(page, "motion")
    for hit in result["found"]:
        what = (
            "smooth scrolling"
            if hit.get("smooth")
            else (f"transition {hit['transition']} s, animation {hit['animation']} s")
        )
        found.add(
            "reduced-motion",
            "motion",
            f"moves although the reader asked for reduced motion: {what}",
            hit["target"],
        )


# --- the whole site -----------------------------------------------------------------


def audit_site(
    site_dir: Path,
    *,
    root: Path | None = None,
    base_path: str = "/",
    language: str = "ja",
    speaker_words: tuple[str, ...] = (),
    date: dt.date | None = None,
    browser: Any = None,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> AuditResult:
    """Audit every HTML page under site_dir (or only the files listed in `only`).

    root: where to look for node_modules/vnu-jar; browser: a Playwright browser to use
    (the tests share theirs), else Debian's Chromium is launched; speaker_words: the
    theme's words for the sides of a statement (○, 委員, 事務局 …).
    """
    tools = find_tools(root or Path.cwd())
    pages = site_pages(site_dir, base_path)
    if only is not None:
        pages = [(f, u) for f, u in pages if f in only]
    if not pages:
        raise AuditError(
            f"{site_dir} holds no HTML pages: build the site first (site-builder build)"
        )
    with contextlib.ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(launch_chromium())
        origin = stack.enter_context(serve_site(site_dir, base_path))
        audited: list[PageAudit] = []
        rules: dict[str, tuple[str, ...]] = {}
        for file, url in pages:
            if progress:
                progress(url)
            result, page_rules = audit_page(
                browser, origin, url, file, tools, language, speaker_words
            )
            audited.append(result)
            rules.update(page_rules)
        axe_version = _axe_version(tools.axe_script)
        chromium = browser.version
    vnu_version, validator = run_vnu(
        tools, site_dir, [site_dir / f for f, _ in pages] if only is not None else None, base_path
    )
    return AuditResult(
        date=date or dt.date.today(),
        tools=Tools(axe_version, vnu_version, chromium, site_builder_version()),
        pages=tuple(audited),
        validator=validator,
        site_findings=site_findings(audited),
        rule_criteria=tuple(sorted(rules.items())),
    )


def _axe_version(script: str) -> str:
    m = re.search(r"axe v(\d+\.\d+\.\d+)", script[:400])
    return m.group(1) if m else "unknown"


def site_findings(pages: list[PageAudit]) -> tuple[Finding, ...]:
    """What only shows across pages: duplicate titles, navigation that differs, pages
    without a second way (search) to find other pages."""
    found = []
    ordinary = [p for p in pages if not dict(p.content).get("redirect")]
    titles = Counter(p.title for p in ordinary)
    for p in ordinary:
        if not p.title.strip():
            found.append(
                Finding(
                    "page-title", p.url, "empty-title", "the page has no title", "title", ("2.4.2",)
                )
            )
        elif titles[p.title] > 1:
            found.append(
                Finding(
                    "page-title",
                    p.url,
                    "duplicate-title",
                    f"{titles[p.title]} pages share the title '{p.title}'",
                    "title",
                    ("2.4.2",),
                )
            )
    navs = Counter(p.navigation for p in ordinary if p.navigation)
    if navs:
        usual = navs.most_common(1)[0][0]
        for p in ordinary:
            # 3.2.3 asks for the same *relative* order: a page may leave an item out
            # (the search page has no search box in its header), not reorder them.
            mine = [x for x in p.navigation if x in usual]
            theirs = [x for x in usual if x in p.navigation]
            if mine != theirs:
                pairs = zip(mine, theirs, strict=False)
                differ = next((f"{a} / {b}" for a, b in pairs if a != b), "")
                found.append(
                    Finding(
                        "consistent-nav",
                        p.url,
                        "navigation-order",
                        "the header or footer has the other pages' links in another order",
                        "body > header",
                        ("3.2.3",),
                        "",
                        differ,
                    )
                )
    for p in ordinary:
        if not (p.search and p.navs):
            found.append(
                Finding(
                    "multiple-ways",
                    p.url,
                    "one-way-only",
                    "the page has no search form or no navigation",
                    "",
                    ("2.4.5",),
                )
            )
    return tuple(found)


# --- the report ---------------------------------------------------------------------


def result_json(result: AuditResult) -> bytes:
    """audit.json: every finding, every page, every verdict; keys sorted, stable."""
    data = dataclasses.asdict(result)
    data["date"] = result.date.isoformat()
    data["summary"] = result.counts()
    data["verdicts"] = [dataclasses.asdict(v) for v in result.verdicts()]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True)
class CheckRow:
    """One automated check as the report lists it, with what it found."""

    title: str
    criteria: tuple[str, ...]
    findings: int


@dataclass(frozen=True)
class PageRow:
    url: str
    title: str
    findings: int
    reviews: int


@dataclass(frozen=True)
class Report:
    """What accessibility_report.html shows: ready-made, so that the template stays small."""

    date: dt.date
    tools: Tools
    verdicts: tuple[Verdict, ...]
    tally: tuple[tuple[str, int], ...]  # verdict → number of criteria, in a fixed order
    checks: tuple[CheckRow, ...]
    pages: tuple[PageRow, ...]
    findings: tuple[Finding, ...]
    reviews: tuple[Finding, ...]
    technologies: tuple[str, ...]
    counts: dict[str, int]

    @property
    def failed(self) -> bool:
        return bool(self.findings)

    @property
    def needs_human(self) -> int:
        """How many criteria a person still has to judge."""
        return dict(self.tally).get(conformance.NEEDS_HUMAN, 0)


def build_report(result: AuditResult) -> Report:
    verdicts = result.verdicts()
    order = (
        conformance.PASS,
        conformance.FAIL,
        conformance.NOT_APPLICABLE,
        conformance.NEEDS_HUMAN,
    )
    per_check = Counter(f.check for f in result.findings)
    per_page = Counter(f.page for f in result.findings)
    reviews_per_page = Counter(r.page for r in result.reviews)
    scripts = any(dict(p.content).get("scripts") for p in result.pages)
    return Report(
        date=result.date,
        tools=result.tools,
        verdicts=verdicts,
        tally=tuple((v, sum(x.result == v for x in verdicts)) for v in order),
        checks=tuple(CheckRow(c.title, c.criteria, per_check[c.id]) for c in CHECKS),
        pages=tuple(
            PageRow(p.url, p.title, per_page[p.url], reviews_per_page[p.url])
            for p in sorted(result.pages, key=lambda p: p.url)
        ),
        findings=result.findings,
        reviews=result.reviews,
        technologies=("HTML", "CSS", *(("JavaScript",) if scripts else ())),
        counts=result.counts(),
    )


# --- publishing the report ----------------------------------------------------------

SPEAKER_LABELS = (
    "marker_member",
    "marker_secretariat",
    "side_member",
    "side_secretariat",
    "side_unknown",
)


def audit_and_publish(
    config: Any,
    site_dir: Path | None = None,
    *,
    date: dt.date | None = None,
    browser: Any = None,
    progress: Callable[[str], None] | None = None,
) -> AuditResult:
    """Audit the built site, write the 試験結果 page and audit.json into it, then audit
    that page as published (its first version, from the build, said "not tested yet")."""
    site_dir = site_dir or config.output_path
    render = report_renderer(config)
    labels = render.labels
    options: dict[str, Any] = {
        "root": config.root,
        "base_path": config.base_path,
        "language": config.site.language,
        "speaker_words": tuple(labels[k] for k in SPEAKER_LABELS if k in labels),
        "date": date,
    }
    with contextlib.ExitStack() as stack:
        if browser is None:
            find_tools(config.root)
            browser = stack.enter_context(launch_chromium())
        result = audit_site(site_dir, browser=browser, progress=progress, **options)
        report_file = write_report(site_dir, result, render)
        again = audit_site(site_dir, browser=browser, only=[report_file], **options)
    report_url = page_url(report_file, config.base_path)
    pages = tuple(p for p in result.pages if p.file != report_file) + again.pages
    pages = tuple(sorted(pages, key=lambda p: p.file))
    result = dataclasses.replace(
        result,
        pages=pages,
        validator=tuple(f for f in result.validator if f.page != report_url) + again.validator,
        site_findings=site_findings(list(pages)),
        rule_criteria=tuple(
            sorted({**dict(result.rule_criteria), **dict(again.rule_criteria)}.items())
        ),
    )
    write_report(site_dir, result, render)
    return result


@dataclass(frozen=True)
class ReportRenderer:
    """Renders the report page with the site's own theme and pipeline (same header,
    navigation and footer as every other page)."""

    labels: dict[str, str]
    render: Callable[[Report], tuple[str, bytes]]

    def __call__(self, report: Report) -> tuple[str, bytes]:
        return self.render(report)


def report_renderer(config: Any) -> ReportRenderer:
    from .build import check
    from .pages import REPORT_URL, plan_pages
    from .render import load_theme, make_environment, render_one

    site = check(config)
    theme = load_theme(config)
    env = make_environment(config, theme, site)
    page = next(
        p
        for p in plan_pages(site, theme.labels, config.search.shard_records)
        if p.url == REPORT_URL
    )

    def render(report: Report) -> tuple[str, bytes]:
        filled = dataclasses.replace(page, context={**page.context, "audit": report})
        return page.output_path, render_one(filled, env)

    return ReportRenderer(theme.labels, render)


def write_report(site_dir: Path, result: AuditResult, render: ReportRenderer) -> str:
    """Write the report page and audit.json beside it; returns the page's file."""
    rel, html = render(build_report(result))
    target = site_dir / rel
    _write_atomic(target, html)
    _write_atomic(target.parent / REPORT_JSON, result_json(result))
    return rel


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, target)
