"""Pagefind over the staged site, so the index always matches the pages it ships with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .config import Config


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message is Pagefind's own."""


def index_site(staged: Path, config: Config) -> None:
    # The extended binary (pagefind[extended]) segments Japanese into words.
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(staged), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SearchIndexError((result.stderr or result.stdout).strip())
