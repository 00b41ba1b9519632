"""Scripts that create buildx builders: the `--config` file linted with the command's flags,
driver and pinned release; flag findings and missing files on the script's line; the script as
a location elsewhere in every report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bklint.linter.cli import main

CONFIG = '[worker.oci]\n  max_parallelism = 4\n[[worker.oci.gcpolicy]]\n  reservedSpace = "10GB"\n'
SCRIPT = (
    "#!/bin/sh\n"
    "set -e\n"
    "docker buildx create --name b --config ../buildkitd.toml \\\n"
    '  --buildkitd-flags "--oci-worker-net=host --bogus-flag" \\\n'
    "  --driver-opt image=moby/buildkit:v0.12.5 --use\n"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ci").mkdir()
    (tmp_path / "buildkitd.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", "--isolated", "--output-format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def _row(item: dict[str, object]) -> tuple[str, str, int, int]:
    loc = item["location"]
    assert isinstance(loc, dict)
    return str(item["filename"]), str(item["code"]), loc["row"], loc["column"]


def test_script_with_continuations_and_quoted_flags(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "build.sh").write_text(SCRIPT)
    code, items = _check(capsys, "ci/build.sh")
    rows = {_row(i) for i in items}
    # The unknown daemon flag is reported against the script, on the flag inside the quotes.
    assert ("ci/build.sh", "BK502", 4, 44) in rows
    # The config's findings stay on its own lines; the pinned image sets the release (BK410).
    assert ("buildkitd.toml", "BK101", 2, 3) in rows
    bk410 = next(i for i in items if i["code"] == "BK410")
    assert _row(bk410) == ("buildkitd.toml", "BK410", 4, 3) and "v0.12.5 from --driver-opt" in str(bk410["message"])
    # …with the script as a related location, and no fix offered through the script.
    assert bk410["related"] == [
        {
            "filename": os.path.join("ci", "build.sh"),
            "location": {"row": 3, "column": 40},
            "end_location": {"row": 3, "column": 57},
            "message": "`docker buildx create --config` names this config here",
        }
    ]
    assert bk410["fix"] is None
    # Findings about the flags alone are not reported a second time on the config.
    assert not any(i["code"] == "BK502" and i["filename"] == "buildkitd.toml" for i in items)
    assert code == 1


@pytest.mark.parametrize(
    "line",
    [
        "docker buildx create --buildkitd-config=../buildkitd.toml --buildkitd-flags='--bogus-flag'\n",
        "sudo docker buildx create --config ../buildkitd.toml --buildkitd-flags --bogus-flag\n",
        "docker buildx --builder x create --config=../buildkitd.toml --buildkitd-flags=--bogus-flag  # comment\n",
        "if true; then docker buildx create --config ../buildkitd.toml --buildkitd-flags '--bogus-flag'; fi\n",
    ],
)
def test_spellings_of_the_options(repo: Path, capsys: pytest.CaptureFixture[str], line: str) -> None:
    (repo / "ci" / "b.sh").write_text(line)
    _, items = _check(capsys, "ci/b.sh")
    codes = {(i["filename"], i["code"]) for i in items}
    assert ("ci/b.sh", "BK502") in codes and ("buildkitd.toml", "BK101") in codes


def test_missing_config_is_a_finding_at_the_script_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "b.sh").write_text("echo hi\ndocker buildx create --config nowhere.toml\n")
    code, items = _check(capsys, "ci/b.sh")
    assert [_row(i) for i in items] == [("ci/b.sh", "BK009", 2, 31)]
    assert "nowhere.toml" in str(items[0]["message"]) and code == 1


def test_config_resolved_against_the_repository_root(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "b.sh").write_text("docker buildx create --config buildkitd.toml\n")
    _, items = _check(capsys, "ci/b.sh")
    assert {_row(i)[:2] for i in items} == {("buildkitd.toml", "BK101"), ("buildkitd.toml", "BK239")}


@pytest.mark.parametrize(
    "line",
    [
        "docker create --config nowhere.toml busybox\n",  # Docker's container command, not buildx
        'docker buildx create --config "$CONFIG" --buildkitd-flags "$FLAGS"\n',  # only the shell knows
        "docker buildx create --config ${DIR}/x.toml\n",
        'echo "docker buildx create --config nowhere.toml"\n',
        "# docker buildx create --config nowhere.toml\n",
    ],
)
def test_nothing_to_follow(repo: Path, capsys: pytest.CaptureFixture[str], line: str) -> None:
    (repo / "ci" / "b.sh").write_text(line)
    code, items = _check(capsys, "ci/b.sh")
    assert items == [] and code == 0


@pytest.mark.parametrize(("driver", "words"), [("docker", "daemon.json"), ("remote", "remote driver")])
def test_driver_that_ignores_the_config(
    repo: Path, capsys: pytest.CaptureFixture[str], driver: str, words: str
) -> None:
    (repo / "ci" / "b.sh").write_text(f"docker buildx create --driver {driver} --config ../buildkitd.toml\n")
    _, items = _check(capsys, "ci/b.sh")
    assert [_row(i) for i in items] == [("ci/b.sh", "BK604", 1, 38)]
    assert words in str(items[0]["message"])


@pytest.mark.parametrize(
    ("options", "reported"),
    [
        ("--driver-opt namespace=ci,rootless=true", True),
        ("--driver-opt rootless=1 --driver-opt namespace=ci", True),
        ("--driver-opt rootless=true --buildkitd-flags '--config /etc/buildkit/buildkitd.toml'", False),
        ("--driver-opt rootless=false", False),
        ("--driver-opt rootless=true --buildkitd-flags \"$FLAGS\"", False),
    ],
)
def test_rootless_kubernetes_builder_never_reads_its_config(
    repo: Path, capsys: pytest.CaptureFixture[str], options: str, reported: bool
) -> None:
    (repo / "ci" / "b.sh").write_text(f"docker buildx create --driver kubernetes {options} --config ../buildkitd.toml\n")
    _, items = _check(capsys, "ci/b.sh")
    hits = [i for i in items if i["code"] == "BK604"]
    assert bool(hits) == reported, items
    if reported:
        assert hits[0]["filename"] == "ci/b.sh" and "~/.config/buildkit" in str(hits[0]["message"])


def test_makefile_and_justfile(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "Makefile").write_text(
        "CONFIG ?= buildkitd.toml\n"
        "builder:\n"
        "\t@docker buildx create --config buildkitd.toml \\\n"
        "\t  --buildkitd-flags '--bogus-flag'\n"
        "\t-docker buildx create --config $(CONFIG)\n"
    )
    (repo / "justfile").write_text(
        "builder:\n    @docker buildx create --config {{config}}\n    docker buildx create --config nope.toml\n"
    )
    _, items = _check(capsys, "Makefile", "justfile")
    rows = {_row(i) for i in items}
    assert ("Makefile", "BK502", 4, 23) in rows
    assert ("justfile", "BK009", 3, 35) in rows
    assert not any(r[0] == "Makefile" and r[1] == "BK009" for r in rows)


def test_discovery_picks_scripts_that_create_builders(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "build.sh").write_text(SCRIPT)
    (repo / "ci" / "other.sh").write_text("docker build .\n")
    (repo / "ci" / "create-builder").write_text("#!/usr/bin/env bash\ndocker buildx create --config nope.toml\n")
    (repo / "ci" / "notes").write_text("docker buildx create --config nope.toml\n")  # no shebang: not a script
    main(["check", "--isolated", "--show-files", "."])
    shown = sorted(capsys.readouterr().out.split())
    assert shown == sorted(
        [os.path.join(".", "buildkitd.toml"), os.path.join(".", "ci", "build.sh"), os.path.join(".", "ci", "create-builder")]
    )
    _, items = _check(capsys, ".")
    # The config checked on its own and through the script is one set of findings.
    bk101 = [i for i in items if i["code"] == "BK101"]
    assert len(bk101) == 1 and bk101[0]["related"]
    assert any(_row(i)[1:] == ("BK009", 2, 31) and str(i["filename"]).endswith("create-builder") for i in items)


def test_noqa_in_the_script(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "b.sh").write_text("docker buildx create --config nope.toml  # noqa: BK009\n")
    code, items = _check(capsys, "ci/b.sh")
    assert items == [] and code == 0


def test_full_and_sarif_show_the_script(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "build.sh").write_text(SCRIPT)
    main(["check", "--isolated", "ci/build.sh"])
    out = capsys.readouterr().out
    assert "= note: `docker buildx create --config` names this config here (ci/build.sh:3:40)" in out
    main(["check", "--isolated", "--output-format", "sarif", "ci/build.sh"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    bk101 = next(r for r in results if r["ruleId"] == "BK101")
    where = bk101["relatedLocations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "ci/build.sh" and where["region"]["startLine"] == 3


def test_fix_leaves_scripts_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "build.sh").write_text(SCRIPT)
    main(["check", "--isolated", "--fix", "."])
    capsys.readouterr()
    assert (repo / "ci" / "build.sh").read_text() == SCRIPT
    assert "max-parallelism" in (repo / "buildkitd.toml").read_text()  # the config's own fixes apply


def test_stdin_script(repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"docker buildx create --config nope.toml\n")))
    code, items = _check(capsys, "-", "--stdin-filename", "build.sh")
    assert [i["code"] for i in items] == ["BK009"] and code == 1


NET = '[worker.oci]\n  networkMode = "host"\n'
STEP = "jobs:\n  a:\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n"


def test_action_config_path_with_flags(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "net.toml").write_text(NET)
    wf = repo / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text(STEP + "          buildkitd-config: net.toml\n          buildkitd-flags: --oci-worker-net=bridge --bogus\n")
    _, items = _check(capsys, str(wf.relative_to(repo)))
    rows = {_row(i) for i in items}
    workflow = os.path.join(".github", "workflows", "ci.yml")
    assert (workflow, "BK502", 7, 52) in rows  # the flag, on the workflow
    bk512 = next(i for i in items if i["code"] == "BK512")  # the file value the step's flag overrides
    assert _row(bk512) == ("net.toml", "BK512", 2, 17)
    assert bk512["related"] == [
        {
            "filename": workflow,
            "location": {"row": 6, "column": 29},
            "end_location": {"row": 6, "column": 37},
            "message": "setup-buildx-action `buildkitd-config` names this config here",
        }
    ]


def test_action_config_path_missing_or_ignored(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wf = repo / "ci.yml"
    wf.write_text(STEP + "          buildkitd-config: .github/nope.toml\n")
    _, items = _check(capsys, "ci.yml")
    assert [_row(i) for i in items] == [("ci.yml", "BK009", 6, 29)]
    wf.write_text(STEP + "          driver: docker\n          buildkitd-config: buildkitd.toml\n")
    _, items = _check(capsys, "ci.yml")
    assert [i["code"] for i in items] == ["BK604"]  # never applied: not followed


def test_workflow_run_steps(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci" / "net.toml").write_text(NET)
    (repo / "ci.yml").write_text(
        "jobs:\n  a:\n    steps:\n"
        "      - run: |\n"
        "          docker buildx create --config ci/net.toml \\\n"
        '            --buildkitd-flags "--oci-worker-net=bridge --bogus"\n'
        "          docker buildx create --config missing.toml\n"
        "      - run: docker buildx create --config=net.toml --driver remote\n"
        "        working-directory: ci\n"
        "      - run: docker buildx create --config=net.toml --buildkitd-flags=--oci-worker-net=cni\n"
        "        working-directory: ci\n"
    )
    _, items = _check(capsys, "ci.yml")
    rows = {_row(i) for i in items}
    assert ("ci.yml", "BK502", 6, 56) in rows
    assert ("ci.yml", "BK009", 7, 41) in rows
    assert ("ci.yml", "BK604", 8, 35) in rows
    overridden = sorted(str(i["message"]) for i in items if i["code"] == "BK512")
    assert len(overridden) == 2 and "bridge" in overridden[0] and "cni" in overridden[1]


def test_discovery_finds_workflows_with_run_steps(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "a.yml").write_text("jobs:\n  a:\n    steps:\n      - run: docker buildx create --config nope.toml\n")
    (repo / "b.yml").write_text("jobs:\n  a:\n    steps:\n      - run: docker build .\n")
    main(["check", "--isolated", "--show-files", "."])
    assert sorted(capsys.readouterr().out.split()) == [os.path.join(".", "a.yml"), os.path.join(".", "buildkitd.toml")]


ENTITLED = 'insecure-entitlements = ["security.insecure"]\n'


@pytest.mark.parametrize(
    ("options", "lost", "added"),
    [
        ("", True, True),  # buildx adds --allow-insecure-entitlement=network.host (builder/builder.go)
        ("--buildkitd-flags --debug --driver kubernetes", True, True),
        ("--buildkitd-flags '--allow-insecure-entitlement security.insecure'", False, False),
        # network=host: added although the flags allow an entitlement; nothing of the file's is lost
        ("--driver-opt network=host --buildkitd-flags '--allow-insecure-entitlement security.insecure'", False, True),
        ("--driver remote", False, False),  # BK604 instead: the config is never applied
    ],
)
def test_entitlement_flag_buildx_adds(
    repo: Path, capsys: pytest.CaptureFixture[str], options: str, lost: bool, added: bool
) -> None:
    (repo / "ent.toml").write_text(ENTITLED)
    (repo / "b.sh").write_text(f"docker buildx create --config ent.toml {options}\n")
    _, items = _check(capsys, "b.sh")
    assert any(i["code"] == "BK511" for i in items) == lost
    note = "`docker buildx create` adds `--allow-insecure-entitlement=network.host`"
    assert any(note in str(i["message"]) for i in items) == added


def test_no_entitlement_flag_when_the_config_allows_network_host(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ent.toml").write_text('insecure-entitlements = ["security.insecure", "network.host"]\n')
    (repo / "b.sh").write_text("docker buildx create --config ent.toml\n")
    _, items = _check(capsys, "b.sh")
    assert not any(i["code"] in ("BK511", "BK257") for i in items)


def test_entitlement_flag_for_an_inline_config(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ci.yml").write_text(
        STEP + "          buildkitd-flags: --debug\n          buildkitd-config-inline: |\n            " + ENTITLED
    )
    _, items = _check(capsys, "ci.yml")
    assert [(_row(i)[1:3], "adds" in str(i["message"])) for i in items if i["code"] == "BK511"] == [(("BK511", 8), True)]


def test_config_path_that_is_a_directory(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "conf.d").mkdir()
    (repo / "b.sh").write_text("docker buildx create --config conf.d\n")
    _, items = _check(capsys, "b.sh")
    assert [_row(i) for i in items] == [("conf.d", "BK009", 1, 1)]
    assert items[0]["related"][0]["filename"] == "b.sh"
    _, items = _check(capsys, "b.sh", "--ignore", "BK009")
    assert items == []
