import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.__main__ import main

REPO = Path(__file__).resolve().parent.parent


def test_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "build" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        main(["publish"])
    assert exit_info.value.code == 2
    assert main([]) == 2


def test_python_dash_m_and_check_on_the_example() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_github_annotations(make_site, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/a/municipality.yaml": "name: 市\nprefectur: 東京都\n"})
    assert main(["--root", str(root), "check", "--format", "github"]) == 1
    out = capsys.readouterr()
    assert out.out == (
        "::error file=content/a/municipality.yaml,line=2,col=1::unknown field "
        "'prefectur' in municipality; did you mean 'prefecture'?\n"
    )


def test_missing_config_is_a_content_error(tmp_path: Path, capsys) -> None:
    assert main(["--root", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().err.startswith("config.yaml:1:1: config.yaml not found")


def test_build_jobs(make_site, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/a/municipality.yaml": "name: 市\n"})
    with pytest.raises(SystemExit) as exit_info:
        main(["--root", str(root), "build", "--jobs", "0"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.endswith(
        "site-builder build: error: argument --jobs: expected a whole number of at least 1, "
        "not '0'\n"
    )
    assert main(["--root", str(root), "build", "--jobs", "2"]) == 0
    assert (root / "output/a/index.html").is_file()
    summary = capsys.readouterr().out  # search is off: no time for the index
    assert re.fullmatch(
        r"built \d+ pages and \d+ data files into output/ in \d+\.\d\d s\n", summary
    )
