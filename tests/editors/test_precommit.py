"""The real `pre-commit try-repo` installs bklint's hooks from this repository and runs them.

pre-commit builds the hook's virtualenv from the repository (pip fetches bklint's
dependencies, from pip's cache when warm), so this test takes tens of seconds on a cold
cache. The hook itself never uses the network. The hooks are taken from a clone of the
committed HEAD, as a user's pre-commit would see them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("pre-commit") is None, reason="needs git and pre-commit"
)

BAD = """\
[worker.oci]
max-parallelism = "4"
"""
GOOD = """\
[worker.oci]
max-parallelism = 4
"""
FIXABLE = """\
[Registry."docker.io"]
mirrors = ["mirror.gcr.io"]
"""


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the committed HEAD: try-repo needs a commit, and others' uncommitted edits stay out."""
    if not (REPO / ".git").exists():
        pytest.skip("the project is not a git checkout")
    clone = tmp_path_factory.mktemp("hooks") / "bklint"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)], check=True)
    if not (clone / ".pre-commit-hooks.yaml").exists():
        pytest.skip(".pre-commit-hooks.yaml is not committed yet")
    return clone


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One hook environment for the module: built once, used by every run below.
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    work = tmp_path / "project"
    work.mkdir()
    git(work, "init", "-q")
    (work / "ci").mkdir()
    (work / "bad.buildkitd.toml").write_text(BAD)
    (work / "ci" / "buildkitd.toml").write_text(GOOD)
    (work / "fixable.buildkitd.toml").write_text(FIXABLE)
    (work / "notes.toml").write_text(BAD)  # not a buildkitd config name: the hook skips it
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "configs")
    return work


def try_repo(project: Path, hooks_repo: Path, home: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("BKLINT_OUTPUT_FORMAT", None)
    cmd = ["pre-commit", "try-repo", str(hooks_repo), hook, "--color", "never", "--verbose"]
    cmd += ["--files", *files] if files else ["--all-files"]
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)


def test_bad_config_fails_with_the_finding(project, hooks_repo, pre_commit_home):
    done = try_repo(project, hooks_repo, pre_commit_home, "bklint", "bad.buildkitd.toml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "bad.buildkitd.toml:2:19" in done.stdout
    assert "BK004" in done.stdout


def test_good_config_passes(project, hooks_repo, pre_commit_home):
    done = try_repo(project, hooks_repo, pre_commit_home, "bklint", "ci/buildkitd.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout


def test_files_pattern_selects_only_buildkitd_configs(project, hooks_repo, pre_commit_home):
    done = try_repo(project, hooks_repo, pre_commit_home, "bklint")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bad.buildkitd.toml" in done.stdout
    assert "notes.toml" not in done.stdout


def test_fix_hook_rewrites_the_file_and_fails_the_commit(project, hooks_repo, pre_commit_home):
    if not (hooks_repo / "linter" / "fix.py").exists():
        pytest.skip("the fixer (linter/fix.py) is not committed yet")
    done = try_repo(project, hooks_repo, pre_commit_home, "bklint-fix", "fixable.buildkitd.toml")
    # The file changed, so pre-commit fails the run even though no finding remains.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "files were modified by this hook" in done.stdout
    assert (project / "fixable.buildkitd.toml").read_text() == FIXABLE.replace("[Registry.", "[registry.")
