"""Configs embedded in workflows and manifests are linted where they are written, and fixed in place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bklint.linter.cli import main
from bklint.linter.embedded import ACTION_DEFAULT_FLAGS, extract
from bklint.linter.files import discover
from bklint.linter.fix import FixOutcome, default_filter
from bklint.linter.inputs import Input
from bklint.linter.inputs.yaml import mask_expressions
from bklint.linter.run import LintResult
from bklint.linter.settings import Settings

DATA = Path(__file__).parents[1] / "data" / "embedded"


def lint_yaml_bytes(data: bytes, name: str, settings: Settings) -> LintResult:
    return Input.memory(data, name).lint(settings)


def fix_yaml_bytes(data: bytes, name: str, settings: Settings, unsafe: bool = False) -> FixOutcome:
    return Input.memory(data, name).fix(settings, default_filter(unsafe))


def findings(path: Path) -> list[tuple[str, int, int]]:
    """(code, 1-based line, 1-based column) of each finding, in the YAML file's coordinates."""
    result = lint_yaml_bytes(path.read_bytes(), str(path), Settings())
    return [(f.code, f.span.start.line + 1, f.span.start.column + 1) for f in result.findings]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(DATA, tmp_path / "repo")
    return tmp_path / "repo"


def test_inline_config_findings_sit_on_the_yaml_lines_and_columns():
    found = findings(DATA / ".github/workflows/ci.yml")
    # `max-parallelism = "4"` is YAML line 21; the value starts at column 33.
    assert ("BK004", 21, 33) in found
    # `gc-keepstorage` on line 22, indented 14 columns inside the block.
    assert ("BK101", 22, 15) in found


def test_the_workflow_flags_are_the_flags_the_config_runs_with():
    (config,) = extract((DATA / ".github/workflows/ci.yml").read_text()).configs
    assert config.kind == "buildkitd-config-inline"
    assert config.flags == "--debug"
    assert config.flags_input is not None and config.flags_input.text == "--debug"


def test_action_default_flags_apply_when_the_step_sets_none():
    text = "steps:\n  - uses: docker/setup-buildx-action@v3\n    with:\n      buildkitd-config-inline: |\n        debug = true\n"
    (config,) = extract(text).configs
    assert config.flags == ACTION_DEFAULT_FLAGS
    assert config.flags_input is None


def test_configmap_and_helm_values_with_a_buildkitd_toml_key():
    configmap = findings(DATA / "k8s/buildkitd-configmap.yaml")
    assert ("BK004", 10, 12) in configmap  # gc = "true" (line 10, value at column 12)
    values = findings(DATA / "k8s/values.yaml")
    assert any(code == "BK202" and line == 10 for code, line, _ in values)


def test_removed_config_inline_input_is_its_own_finding():
    result = lint_yaml_bytes((DATA / ".github/workflows/legacy.yml").read_bytes(), "legacy.yml", Settings())
    removed = [f for f in result.findings if f.code == "BK601"]
    assert len(removed) == 1
    assert removed[0].severity.label == "error"  # v4 ignores the input
    assert (removed[0].span.start.line, removed[0].span.start.column) == (12, 10)
    assert "buildkitd-config-inline" in removed[0].message


@pytest.mark.parametrize(
    ("ref", "severity", "fix"),
    [("v4", "error", "unsafe"), ("v3", "warning", "safe"), ("v3.1.0", "hint", None), ("a1b2c3d", "warning", "unsafe")],
)
def test_removed_input_severity_follows_the_action_version(ref, severity, fix):
    text = f"steps:\n  - uses: docker/setup-buildx-action@{ref}\n    with:\n      config-inline: |\n        debug = true\n"
    (finding,) = extract(text).findings
    assert finding.severity.label == severity
    assert (finding.fix.applicability if finding.fix else None) == fix


def test_inline_config_next_to_a_config_file_is_reported():
    text = (
        "steps:\n  - uses: docker/setup-buildx-action@v3\n    with:\n"
        "      buildkitd-config: .github/buildkitd.toml\n      buildkitd-config-inline: |\n        debug = true\n"
    )
    assert [f.code for f in extract(text).findings] == ["BK602"]


def test_github_expressions_are_not_toml_errors():
    codes = [code for code, _, _ in findings(DATA / ".github/workflows/legacy.yml")]
    assert "BK001" not in codes and "BK004" not in codes


def test_mask_keeps_columns_and_strings():
    masked, spans = mask_expressions('a = ${{ x }} # c\nb = "${{ y }}"\n')
    assert masked == 'a = "{{ x }" # c\nb = "${{ y }}"\n'
    assert len(spans) == 2


def test_folded_and_quoted_shapes_map_or_fall_back_to_the_key():
    text = (
        "data:\n"
        '  buildkitd.toml: "[worker.oci]\\nmax-parallelism = \\"4\\"\\n"\n'
        "other:\n"
        "  buildkitd.toml: 'bogus = 1'\n"
    )
    result = lint_yaml_bytes(text.encode(), "m.yaml", Settings())
    by_code = {f.code: f for f in result.findings}
    # A double-quoted string with escapes: the finding goes to the key and says where it is.
    assert (by_code["BK004"].span.start.line, by_code["BK004"].span.start.column) == (1, 2)
    assert "line 2, column 19 of the embedded config" in by_code["BK004"].message
    # A one-line single-quoted string maps exactly.
    assert (by_code["BK101"].span.start.line, by_code["BK101"].span.start.column) == (3, 19)


def test_explicit_indentation_indicator_and_crlf():
    # `|2` under a key at column 2: the block is indented 4, so the TOML line is "  bogus = 1".
    text = "data:\r\n  buildkitd.toml: |2\r\n      bogus = 1\r\n"
    result = lint_yaml_bytes(text.encode(), "m.yaml", Settings())
    (finding,) = result.findings
    assert (finding.code, finding.span.start.line, finding.span.start.column) == ("BK101", 2, 6)


def test_directory_discovery_finds_workflows_and_manifests_that_embed_a_config(tree):
    found = sorted(Path(p).relative_to(tree).as_posix() for p in discover([str(tree)], Settings()))
    assert found == [
        ".github/workflows/ci.yml",
        ".github/workflows/legacy.yml",
        "k8s/buildkitd-configmap.yaml",
        "k8s/values.yaml",
    ]


def test_invalid_yaml_is_reported_only_when_named(tree, monkeypatch, capsys):
    (tree / "broken.yaml").write_text("buildkitd.toml: |\n  a = 1\n b: [\n")
    monkeypatch.chdir(tree)
    assert "broken.yaml" not in " ".join(discover(["."], Settings()))
    main(["check", "--isolated", "--output-format", "concise", "broken.yaml"])
    assert "BK603" in capsys.readouterr().out


def test_check_reports_yaml_positions_on_the_command_line(tree, monkeypatch, capsys):
    monkeypatch.chdir(tree)
    code = main(["check", "--isolated", "--output-format", "concise", ".github/workflows/ci.yml"])
    assert code == 1
    out = capsys.readouterr().out
    assert ".github/workflows/ci.yml:21:33: BK004" in out


def test_fix_rewrites_the_literal_block_in_place(tree, monkeypatch, capsys):
    monkeypatch.chdir(tree)
    path = tree / "k8s/values.yaml"
    before = path.read_text()
    main(["check", "--isolated", "--fix", "k8s/values.yaml"])
    after = path.read_text()
    assert after != before
    assert "      reservedSpace = " in after  # the fixed line keeps the block's indentation
    assert after.startswith("# Helm values")  # the YAML around the block is untouched
    (config,) = extract(after).configs
    assert "gckeepstorage" not in config.text
    # Fixed to a fixed point: a second run changes nothing.
    main(["check", "--isolated", "--fix", "k8s/values.yaml"])
    assert path.read_text() == after


def test_fix_renames_the_deprecated_input_on_v3(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wf = tmp_path / "w.yml"
    wf.write_text("steps:\n  - uses: docker/setup-buildx-action@v3\n    with:\n      config-inline: |\n        [log]\n        level = \"debug\"\n")
    main(["check", "--isolated", "--fix", "w.yml"])
    assert "      buildkitd-config-inline: |\n" in wf.read_text()


# BK601's fix edits the workflow, not a TOML config, so tests/fix/test_fix_rules.py cannot run
# it; these tests hold it to the same standard (converges, only the key changes, CRLF kept).
V4_WORKFLOW = (
    "jobs:\r\n"
    "  build:\r\n"
    "    steps:\r\n"
    "      - uses: docker/setup-buildx-action@v4\r\n"
    "        with:\r\n"
    "          config-inline: | # builder config\r\n"
    '            [registry."docker.io"]\r\n'
    '            mirrors = ["mirror.gcr.io"]\r\n'
    "      - uses: docker/setup-buildx-action@v4\r\n"
    "        with:\r\n"
    "          config: .github/buildkitd.toml # checked in\r\n"
)


def test_removed_inputs_are_renamed_only_with_unsafe_fixes_on_v4():
    data = V4_WORKFLOW.encode()
    assert not fix_yaml_bytes(data, "w.yml", Settings()).changed  # the config would start to apply
    outcome = fix_yaml_bytes(data, "w.yml", Settings(), unsafe=True)
    assert outcome.error is None
    assert outcome.applied == ["BK601: rename to `buildkitd-config-inline`", "BK601: rename to `buildkitd-config`"]
    expected = V4_WORKFLOW.replace("config-inline: |", "buildkitd-config-inline: |").replace(
        "config: .github", "buildkitd-config: .github"
    )
    # Only the two keys change: comments, the block and the CRLF line endings stay byte for byte.
    assert outcome.data == expected.encode()
    assert not [f for f in outcome.result.findings if f.code == "BK601"]
    again = fix_yaml_bytes(outcome.data, "w.yml", Settings(), unsafe=True)
    assert again.error is None and not again.changed


def test_renames_land_on_their_key_when_a_block_above_changes_its_line_count():
    # The BK401 fix turns `debug`/`trace` into a `[log]` table: the first block gains lines.
    text = (
        "steps:\n"
        "  - uses: docker/setup-buildx-action@v4\n"
        "    with:\n"
        "      buildkitd-config-inline: |\n"
        "        debug = true\n"
        "        trace = true\n"
        "        [worker.oci]\n"
        "        enabled = true\n"
        "  - uses: docker/setup-buildx-action@v4\n"
        "    with:\n"
        "      config: .github/buildkitd.toml\n"
        "  - run: make\n"
    )
    outcome = fix_yaml_bytes(text.encode(), "w.yml", Settings(), unsafe=True)
    assert outcome.error is None
    after = outcome.data.decode()
    assert "      buildkitd-config: .github/buildkitd.toml\n  - run: make\n" in after
    assert "    with:\n      buildkitd-config: " in after
    assert "[log]" in after and not extract(after).findings
    assert not fix_yaml_bytes(outcome.data, "w.yml", Settings(), unsafe=True).changed


def test_templated_blocks_are_left_alone_by_fix(tree, monkeypatch):
    monkeypatch.chdir(tree)
    path = tree / ".github/workflows/legacy.yml"
    before = path.read_text()
    main(["check", "--isolated", "--fix", ".github/workflows/legacy.yml"])
    assert path.read_text() == before


def test_sarif_and_github_formats_point_into_the_workflow(tree, monkeypatch, capsys):
    monkeypatch.chdir(tree)
    main(["check", "--isolated", "--output-format", "github", ".github/workflows/ci.yml"])
    out = capsys.readouterr().out
    assert "::error file=.github/workflows/ci.yml,line=21,col=33," in out


def test_buildkitd_flags_are_linted_with_the_daemon_flag_rules_at_the_offending_word():
    text = (
        "steps:\n"
        "  - uses: docker/setup-buildx-action@v3\n"
        "    with:\n"
        "      buildkitd-flags: >-\n"
        "        --debug\n"
        "        --oci-worker-snapshoter overlayfs\n"
    )
    result = lint_yaml_bytes(text.encode(), "w.yml", Settings())
    unknown = [f for f in result.findings if "oci-worker-snapshoter" in f.message]
    assert unknown, [f.message for f in result.findings]
    # The folded scalar's second line, where the misspelt flag is written.
    assert (unknown[0].span.start.line, unknown[0].span.start.column) == (5, 8)


def test_a_fork_pinned_by_sha_is_linted_with_the_version_of_its_pin_comment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workflow = tmp_path / "ci.yml"
    workflow.write_text(
        "jobs:\n  b:\n    steps:\n"
        "      - uses: acme/setup-buildx-action@0123456789abcdef0123456789abcdef01234567 # pin v2.4.0\n"
        "        with:\n          config-inline: |\n            [dns]\n            nameservers = [\"dns.google\"]\n"
    )
    main(["check", "--output-format", "concise", str(workflow)])
    out = capsys.readouterr().out
    assert "BK246" in out
    assert "from v2.4.0" in out


@pytest.mark.parametrize(
    "uses",
    [
        "acme/setup-buildx-action@v3",  # a fork, by name
        "acme/actions/ci/setup-buildx-action@v3",  # by name, in a folder of a repository
        "acme/buildx@0123456789abcdef0123456789abcdef01234567",  # by its inputs
        "./.github/actions/buildx",  # a local copy, by its inputs
    ],
)
@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ('buildkitd-config-inline: |\n        [worker.oci]\n        max_parallelism = 4\n', "BK101"),
        ("buildkitd-flags: --oci-worker-snapshoter=overlayfs\n", "BK5"),
    ],
)
def test_a_fork_is_recognised_by_its_name_or_its_inputs(uses: str, inputs: str, expected: str) -> None:
    text = f"steps:\n  - uses: {uses}\n    with:\n      {inputs}"
    result = lint_yaml_bytes(text.encode(), "w.yml", Settings())
    assert any(f.code.startswith(expected) for f in result.findings), [f.code for f in result.findings]


def test_a_fork_by_its_inputs_gets_no_action_version_from_its_own_ref() -> None:
    # `v4` is the fork's release, not setup-buildx-action's: the removed input is not "v4 removed".
    text = "steps:\n  - uses: acme/buildx@v4\n    with:\n      buildkitd-flags: --debug\n      config-inline: |\n        debug = true\n"
    (finding,) = extract(text).findings
    assert finding.code == "BK601" and "unpinned" in finding.message


def test_an_action_with_other_inputs_is_not_taken_for_a_fork() -> None:
    text = "steps:\n  - uses: acme/deploy@v1\n    with:\n      config-inline: |\n        debug = [\n"
    assert extract(text).configs == [] and extract(text).findings == []


def test_directory_discovery_finds_a_fork_by_name_or_by_inputs(tmp_path: Path) -> None:
    flows = tmp_path / ".github" / "workflows"
    flows.mkdir(parents=True)
    (flows / "by-name.yml").write_text("steps:\n  - uses: acme/setup-buildx-action@v3\n    with:\n      buildkitd-config-inline: 'debug = true'\n")
    (flows / "by-inputs.yml").write_text("steps:\n  - uses: acme/buildx@v1\n    with:\n      buildkitd-config-inline: 'debug = true'\n")
    (flows / "other.yml").write_text("steps:\n  - uses: actions/checkout@v4\n")
    found = sorted(Path(p).name for p in discover([str(tmp_path)], Settings()))
    assert found == ["by-inputs.yml", "by-name.yml"]
