"""The entry-point matrix: one table of scenarios, each run through every door into bklint.

Doors: `check` on a TOML file, `check` on a workflow that embeds the same TOML, `check -`
on stdin, and the language server over JSON-RPC. Every door must report the same codes on
the same lines (of the TOML) with the same severities, because every finding passes one
filter and every door takes its settings from one resolver.

Settings come from a `bklint.toml` beside the file (all doors read it) or, for the file
level codes only the command line meets, from command-line options. `certs` is not a door
yet: it still reports its own warnings (the `writer` engineer is moving it onto the BK3xx
rules); the rows "a fix with an escaped string" and "a rename onto an existing spelling"
are tests/fix's and the writer's.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from bklint.linter.cli import main
from tests.lsp.conftest import open_doc

ON_SERVER_LOOP = pytest.mark.asyncio(loop_scope="module")  # the module's server is bound to it

Row = tuple[str, int, str]  # code, 1-based line of the TOML, severity

FILE, WORKFLOW, STDIN, SERVER = "file", "workflow", "stdin", "server"
ALL = (FILE, WORKFLOW, STDIN, SERVER)

TOML = 'debug = true\n[worker.oci]\n  max_parallelism = 4\n  gc = "yes"\n'
PLAIN: list[Row] = [("BK401", 1, "warning"), ("BK101", 3, "warning"), ("BK004", 4, "error")]

# The YAML around the TOML; `{key}` is the input, `{noqa}` a YAML comment after it.
WORKFLOW_TEXT = """\
{head}jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-buildx-action@v3
        with:
          driver: docker-container
          {key}: |{noqa}
{body}"""


@dataclass(frozen=True)
class Scenario:
    id: str
    expected: list[Row]
    toml: str | bytes = TOML
    config: str = ""  # bklint.toml beside the file
    args: tuple[str, ...] = ()  # command-line options (CLI doors)
    doors: tuple[str, ...] = ALL
    yaml_head: str = ""
    yaml_key: str = "buildkitd-config-inline"
    yaml_noqa: str = ""
    missing: bool = False  # the file does not exist
    subdir: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def with_line(text: str, n: int, suffix: str) -> str:
    lines = text.split("\n")
    lines[n - 1] += suffix
    return "\n".join(lines)


SCENARIOS = [
    Scenario("plain", PLAIN),
    Scenario("noqa-toml-line", [PLAIN[0], PLAIN[2]], toml=with_line(TOML, 3, "  # noqa: BK101")),
    Scenario("noqa-toml-table", [PLAIN[0]], toml=with_line(TOML, 2, "  # noqa")),
    Scenario(
        "noqa-toml-file-wide",
        [("BK101", 4, "warning"), ("BK004", 5, "error")],
        toml="# bklint: noqa: BK401\n" + TOML,
    ),
    Scenario(
        "noqa-unused",
        [("BK401", 1, "warning"), ("BK901", 1, "warning"), *PLAIN[1:]],
        toml=with_line(TOML, 1, "  # noqa: BK102"),
    ),
    Scenario("noqa-yaml-line", PLAIN, doors=(WORKFLOW,), yaml_key="config-inline", yaml_noqa="  # noqa: BK601"),
    Scenario("noqa-yaml-file-wide", PLAIN[:2], doors=(WORKFLOW,), yaml_head="# bklint: noqa: BK004\n"),
    Scenario(
        "unused-yaml-noqa",
        [("BK901", 0, "warning"), *PLAIN],
        doors=(WORKFLOW,),
        yaml_noqa="  # noqa: BK602",
    ),
    Scenario("config-severity", [("BK401", 1, "error"), *PLAIN[1:]], config='severity = { BK401 = "error" }\n'),
    Scenario("config-select-ignore", [PLAIN[1]], config='select = ["BK1", "BK4"]\nignore = ["BK401"]\n'),
    Scenario(
        "per-file-ignores",
        [PLAIN[1]],
        config='per-file-ignores = { "legacy/*" = ["BK4", "BK0"] }\n',
        subdir="legacy",
    ),
    Scenario("per-file-ignores-elsewhere", PLAIN, config='per-file-ignores = { "legacy/*" = ["BK4"] }\n'),
    Scenario("missing-file", [("BK009", 1, "error")], missing=True, doors=(FILE, WORKFLOW)),
    Scenario("missing-file-ignored", [], missing=True, doors=(FILE, WORKFLOW), args=("--ignore", "BK009")),
    Scenario(
        "missing-file-severity",
        [("BK009", 1, "warning")],
        missing=True,
        doors=(FILE, WORKFLOW),
        config='severity = { BK009 = "warning" }\n',
    ),
    Scenario("utf16", [("BK003", 1, "error")], toml=TOML.encode("utf-16"), doors=(FILE, WORKFLOW, STDIN)),
    Scenario("utf16-ignored", [], toml=TOML.encode("utf-16"), doors=(FILE, WORKFLOW, STDIN), args=("--ignore", "BK003")),
    Scenario(
        "utf16-per-file-ignored",
        [],
        toml=TOML.encode("utf-16"),
        doors=(FILE, WORKFLOW, STDIN),
        config='per-file-ignores = { "*" = ["BK003"] }\n',
    ),
]


def workflow(s: Scenario) -> tuple[bytes, int]:
    """The workflow embedding the scenario's TOML, and the YAML line (0-based) of TOML line 1."""
    if isinstance(s.toml, bytes):  # an encoding scenario: the whole file is in that encoding
        return WORKFLOW_TEXT.format(head="", key=s.yaml_key, noqa="", body="").encode("utf-16"), 0
    body = "".join(f"            {line}\n" if line else "\n" for line in s.toml.rstrip("\n").split("\n"))
    text = WORKFLOW_TEXT.format(head=s.yaml_head, key=s.yaml_key, noqa=s.yaml_noqa, body=body)
    return text.encode(), text.split("\n").index("            " + s.toml.split("\n")[0])


def folder(root: Path, s: Scenario, door: str) -> Path:
    """Each scenario and door in its own directory, with the scenario's bklint.toml."""
    base = root / s.id / door
    base.mkdir(parents=True, exist_ok=True)
    if s.config:
        (base / "bklint.toml").write_text(s.config)
    where = base / s.subdir if s.subdir else base
    where.mkdir(parents=True, exist_ok=True)
    return where


def data(s: Scenario) -> bytes:
    return s.toml if isinstance(s.toml, bytes) else s.toml.encode()


def rows_from_json(out: str, offset: int) -> list[Row]:
    return [(d["code"], d["location"]["row"] - offset, d["severity"]) for d in json.loads(out)]


def check(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(cwd)
    code = main(["check", "--output-format", "json", *args])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    return out


def door_file(s: Scenario, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[Row]:
    where = folder(root, s, FILE)
    if not s.missing:
        (where / "buildkitd.toml").write_bytes(data(s))
    return rows_from_json(check([*s.args, "buildkitd.toml"], where, capsys, monkeypatch), 0)


def door_workflow(
    s: Scenario, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> list[Row]:
    where = folder(root, s, WORKFLOW)
    text, first = workflow(s)
    if s.missing:
        first = 0
    else:
        (where / "ci.yml").write_bytes(text)
    # Lines of the TOML count from the block; YAML-level findings above it come out as 0 or less.
    return [(c, max(line, 0), sev) for c, line, sev in rows_from_json(check([*s.args, "ci.yml"], where, capsys, monkeypatch), first)]


def door_stdin(s: Scenario, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[Row]:
    where = folder(root, s, STDIN)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data(s))))
    name = f"{s.subdir}/buildkitd.toml" if s.subdir else "buildkitd.toml"
    return rows_from_json(check([*s.args, "-", "--stdin-filename", name], where.parent if s.subdir else where, capsys, monkeypatch), 0)


async def door_server(s: Scenario, root: Path, client: LanguageClient) -> list[Row]:
    assert not s.args, "the server takes settings from bklint.toml in the matrix"
    where = folder(root, s, SERVER)
    assert isinstance(s.toml, str)
    doc = open_doc(client, where / "buildkitd.toml", s.toml)
    diagnostics = await doc.diagnostics()
    doc.close()
    labels = {1: "error", 2: "warning", 3: "info", 4: "hint"}
    return [(str(d.code), d.range.start.line + 1, labels[int(d.severity or 1)]) for d in diagnostics]


@ON_SERVER_LOOP
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
async def test_every_door_gives_the_same_answer(
    scenario: Scenario,
    client: LanguageClient,
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, list[Row]] = {}
    if FILE in scenario.doors:
        seen[FILE] = door_file(scenario, workspace, capsys, monkeypatch)
    if WORKFLOW in scenario.doors:
        seen[WORKFLOW] = door_workflow(scenario, workspace, capsys, monkeypatch)
    if STDIN in scenario.doors:
        seen[STDIN] = door_stdin(scenario, workspace, capsys, monkeypatch)
    if SERVER in scenario.doors:
        seen[SERVER] = await door_server(scenario, workspace, client)
    assert seen == dict.fromkeys(scenario.doors, sorted(scenario.expected, key=lambda r: (r[1], r[0])))


# --- bad settings: the same words from the command line, a config file and the editor ----------

BAD = {"target-version": "banana", "select": ["BK999x"]}
EXPECTED_WORDS = {
    "target-version": "not a BuildKit version: 'banana' (expected e.g. v0.12 or v0.12.5)",
    "select": "unknown rule selector BK999x (see `bklint rules`)",
}


@pytest.mark.parametrize("key", list(BAD))
def test_bad_option_on_the_command_line_is_a_usage_error(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "buildkitd.toml").write_text(TOML)
    value = BAD[key]
    monkeypatch.chdir(tmp_path)
    code = main(["check", f"--{key}", value if isinstance(value, str) else ",".join(value), "buildkitd.toml"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"bklint check: error: --{key}: {EXPECTED_WORDS[key]}\n"


@pytest.mark.parametrize("key", list(BAD))
def test_bad_option_in_bklint_toml_is_a_usage_error(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "buildkitd.toml").write_text(TOML)
    (tmp_path / "bklint.toml").write_text(f"{key} = {json.dumps(BAD[key])}\n")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "buildkitd.toml"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err == f"bklint check: error: {tmp_path / 'bklint.toml'}: {key}: {EXPECTED_WORDS[key]}\n"


@ON_SERVER_LOOP
async def test_bad_editor_settings_are_told_in_the_same_words_and_the_rest_applies(
    client: LanguageClient, workspace: Path
) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"bklint": {"targetVersion": "banana", "select": ["BK999x"], "ignore": ["BK004"]}}
        )
    )
    doc = open_doc(client, workspace / "bad-settings" / "buildkitd.toml", TOML)
    rows = [(str(d.code), d.range.start.line + 1) for d in await doc.diagnostics()]
    try:
        # The rest applies: BK004 ignored; the defaults stand for the values that could not be used.
        assert rows == [("BK401", 1), ("BK101", 3)]
        messages = [m.message for m in client.messages]
        assert f"bklint: targetVersion: {EXPECTED_WORDS['target-version']}" in messages
        assert f"bklint: select: {EXPECTED_WORDS['select']}" in messages
    finally:
        doc.close()
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"bklint": {}}))


@ON_SERVER_LOOP
async def test_a_bad_bklint_toml_is_told_to_the_editor_too(client: LanguageClient, workspace: Path) -> None:
    where = workspace / "bad-config"
    where.mkdir()
    (where / "bklint.toml").write_text('target-version = "v0.9"\nignore = ["BK004"]\n')
    doc = open_doc(client, where / "buildkitd.toml", TOML)
    rows = [str(d.code) for d in await doc.diagnostics()]
    doc.close()
    assert rows == ["BK401", "BK101"]
    wanted = f"bklint: {where / 'bklint.toml'}: target-version: bklint knows BuildKit v0.10.0 and later, not v0.9.0"
    assert wanted in [m.message for m in client.messages]
