"""Every kind of bad input gets its located message, and output/ stays as it was.

One fixture file per kind of error in tests/fixtures/errors/: the files of a tiny
project (`=== path`, `=== path [cp932]` for another encoding), then `=== expected`:
the whole stderr of `site-builder build`. Regenerate the expected blocks after a
deliberate change of wording with `SITE_BUILDER_REGEN=1 pytest tests/test_errors.py`
and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from site_builder.__main__ import main

FIXTURES = Path(__file__).parent / "fixtures" / "errors"
HEADER = re.compile(r"^=== (?P<path>\S+)(?: \[(?P<encoding>[\w-]+)\])?$", re.MULTILINE)


def read_fixture(path: Path) -> tuple[dict[str, str | bytes], str]:
    text = path.read_text(encoding="utf-8")
    parts = HEADER.split(text)
    files: dict[str, str | bytes] = {}
    expected = ""
    for name, encoding, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        body = body[1:] if body.startswith("\n") else body
        if name == "expected":
            expected = body
        elif encoding:
            files[name] = body.encode(encoding)
        else:
            files[name] = body
    return files, expected


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_bad_input_is_reported_and_output_untouched(
    fixture: Path, make_site, capsys: pytest.CaptureFixture[str]
) -> None:
    files, expected = read_fixture(fixture)
    config = files.pop("config.yaml", None)
    root = make_site(files, **({"config": config} if config else {}))
    output = root / "output"
    output.mkdir()
    (output / "index.html").write_text("last good site", encoding="utf-8")

    status = main(["--root", str(root), "build", "--no-search"])
    stderr = capsys.readouterr().err

    if os.environ.get("SITE_BUILDER_REGEN"):
        text = fixture.read_text(encoding="utf-8")
        fixture.write_text(text[: text.index("=== expected\n") + 13] + stderr, encoding="utf-8")
        return
    assert status == 1
    assert stderr == expected
    assert "Traceback" not in stderr
    assert [p.name for p in output.iterdir()] == ["index.html"]
    assert (output / "index.html").read_text(encoding="utf-8") == "last good site"
    assert not [p for p in root.iterdir() if p.name.startswith(".output")]
