"""The GitHub Action (action.yml) runs as a runner would run it, on a fixture repository, offline.

Each `run:` step of the composite action is executed with bash the way GitHub's `shell: bash`
does (`bash --noprofile --norc -eo pipefail`), with its `env:` filled from the inputs, and the
GITHUB_ENV / GITHUB_OUTPUT files carried between steps. No package index is reachable
(PIP_NO_INDEX): bklint installs from a copy of this checkout (the action's own folder), and the
Python it is given already has bklint's dependencies, as on a prepared self-hosted runner.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO

BAD = "[worker.oci]\nmax_parallelism = 4\n"
GOOD = "[worker.oci]\nmax-parallelism = 4\n"


def _action() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((REPO / "action.yml").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def action_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action's checkout as a runner has it: this repository's files."""
    root = tmp_path_factory.mktemp("action") / "bklint"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "node_modules")
    for name in ("bklint", "linter", "rules", "lsp"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "action.yml"):
        shutil.copy(REPO / name, root / name)
    return root


@pytest.fixture(scope="module")
def runner_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment that sees this test run's packages (bklint's dependencies, setuptools),
    so installing needs no index; the action installs into it as it is."""
    where = tmp_path_factory.mktemp("runner-python")
    venv.create(where, with_pip=False, symlinks=True)
    (site,) = where.glob("lib/python3*/site-packages")
    parent = [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]
    (site / "test-parent.pth").write_text("\n".join(parent) + "\n", encoding="utf-8")
    return where / "bin" / "python"


def run_action(action_dir: Path, python: Path, workspace: Path, tmp: Path, **inputs: str) -> tuple[int, str, dict[str, str]]:
    """Run the action's steps; returns the last exit code, the output, and the step outputs."""
    spec = _action()
    values = {name: str(field.get("default", "")) for name, field in spec["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in inputs.items()})
    values["python"] = str(python)
    contexts = {"github.action_path": str(action_dir), "runner.temp": str(tmp)}
    files = {name: tmp / name.lower() for name in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH")}
    for f in files.values():
        f.write_text("")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "BKLINT_", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update({"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_COLOR": "1"})
    env.update({name: str(path) for name, path in files.items()})
    env["RUNNER_TEMP"] = str(tmp)

    def expand(value: str) -> str:
        def one(m: re.Match[str]) -> str:
            expr = m.group(1).strip()
            if expr.startswith("inputs."):
                return values[expr.removeprefix("inputs.")]
            return contexts[expr]

        return re.sub(r"\$\{\{(.*?)\}\}", one, value)

    output = ""
    code = 0
    for step in spec["runs"]["steps"]:
        assert step["shell"] == "bash" and "run" in step, "every step is a bash script"
        step_env = dict(env)
        for line in files["GITHUB_ENV"].read_text().splitlines():
            key, _, value = line.partition("=")
            step_env[key] = value
        step_env.update({k: expand(str(v)) for k, v in step.get("env", {}).items()})
        assert "${{" not in step["run"], "inputs reach scripts through env: only"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        output += done.stdout + done.stderr
        code = done.returncode
        if code != 0:
            break
    outputs = dict(line.partition("=")[::2] for line in files["GITHUB_OUTPUT"].read_text().splitlines() if "=" in line)
    return code, output, outputs


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    work = tmp_path / "repo"
    (work / "deploy").mkdir(parents=True)
    (work / "buildkitd.toml").write_text(BAD)
    (work / "deploy" / "prod.buildkitd.toml").write_text(GOOD)
    (work / "Cargo.toml").write_text('[package]\nname = "x"\n')
    return work


def test_action_annotates_findings_and_fails(action_dir: Path, runner_python: Path, repo: Path, tmp_path: Path) -> None:
    code, output, outputs = run_action(action_dir, runner_python, repo, tmp_path)
    assert code == 1, output
    assert outputs == {"exit-code": "1"}
    assert (
        "::warning file=buildkitd.toml,line=2,col=1,endLine=2,endColumn=15,title=bklint (BK101)::"
        "unknown key `worker.oci.max_parallelism`" in output
    )
    assert "prod.buildkitd.toml" not in output and "Cargo.toml" not in output


def test_action_inputs_paths_args_target_version_and_sarif(
    action_dir: Path, runner_python: Path, repo: Path, tmp_path: Path
) -> None:
    (repo / "deploy" / "prod.buildkitd.toml").write_text("[worker.oci]\nmax-parallelism = 4\nreservedSpace = 1000\n")
    code, output, _ = run_action(
        action_dir,
        runner_python,
        repo,
        tmp_path,
        paths="deploy\n",
        args="--select BK4",
        output_format="concise",
        target_version="v0.12",
        sarif_file="reports/bklint.sarif",
    )
    # reservedSpace arrived in BuildKit v0.17: reported against v0.12 (BK410), and only BK4 codes.
    assert code == 1, output
    lines = [line for line in output.splitlines() if "prod.buildkitd.toml:" in line]
    assert lines and all(" BK4" in line for line in lines), output
    assert any(" BK410 " in line for line in lines), output
    assert "buildkitd.toml:2" not in output  # the root file is not among the paths
    sarif = json.loads((repo / "reports" / "bklint.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results and all(r["ruleId"].startswith("BK4") for r in results)


def test_action_passes_a_clean_repository(action_dir: Path, runner_python: Path, repo: Path, tmp_path: Path) -> None:
    (repo / "buildkitd.toml").write_text(GOOD)
    code, output, outputs = run_action(action_dir, runner_python, repo, tmp_path)
    assert code == 0, output
    assert outputs == {"exit-code": "0"}
    assert "::error" not in output and "::warning" not in output


def test_readme_documents_the_action_with_a_workflow_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## GitHub Action") :]
    example = section[section.index("```yaml") + len("```yaml") : section.index("```", section.index("```yaml") + 7)]
    workflow = YAML(typ="safe").load(example)
    steps = workflow["jobs"]["bklint"]["steps"]
    ours = [s for s in steps if str(s.get("uses", "")).startswith("bklint/bklint@")]
    assert ours and set(ours[0].get("with", {})) <= set(_action()["inputs"])
    assert any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@") for s in steps)
