"""The entry-point matrix: one table of scenarios, each run through every door into bklint.

Doors: `check` on a TOML file, `check` on a workflow that embeds the same TOML, `check -`
on stdin, the language server over JSON-RPC on the TOML file and on the workflow and, where
it applies, `certs` (it reports the
copy findings BK305/BK313/BK314/BK315, so its answer is those rows of the others). Every
door must report the same codes on the same lines (of the TOML) with the same severities,
because every finding passes one filter and every door takes its settings from one resolver.

A fix row also compares the fixed TOML: `check --fix` on the file, on the workflow and on
stdin, and the server's "fix all" action, then the findings left in the fixed text.

Settings come from a `bklint.toml` beside the file (all doors read it) or, for the file
level codes only the command line meets, from command-line options.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from bklint.linter.cli import main
from bklint.linter.commands.certs import COPY_CODES, build
from tests.lsp.conftest import actions, apply_edit, open_doc, span

ON_SERVER_LOOP = pytest.mark.asyncio(loop_scope="module")  # the module's server is bound to it

Row = tuple[str, int, str]  # code, 1-based line of the TOML, severity

FILE, WORKFLOW, STDIN, SERVER, CERTS = "file", "workflow", "stdin", "server", "certs"
SERVER_WORKFLOW = "server-workflow"  # the server, on the workflow
ALL = (FILE, WORKFLOW, STDIN, SERVER, SERVER_WORKFLOW)
WITH_CERTS = (*ALL, CERTS)

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
    fixed: str | None = None  # a fix row: the TOML after every safe fix (`expected` is what is left)


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
    Scenario("noqa-yaml-line", PLAIN, doors=(WORKFLOW, SERVER_WORKFLOW), yaml_key="config-inline", yaml_noqa="  # noqa: BK601"),
    Scenario("noqa-yaml-file-wide", PLAIN[:2], doors=(WORKFLOW, SERVER_WORKFLOW), yaml_head="# bklint: noqa: BK004\n"),
    Scenario(
        "unused-yaml-noqa",
        [("BK901", 0, "warning"), *PLAIN],
        doors=(WORKFLOW, SERVER_WORKFLOW),
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


# grpc.tls files buildx never copies (BK315, which `certs` reports too) and that are not there.
CERT_TOML = 'debug = true\n[grpc.tls]\ncert = "tls.crt"\nkey = "tls.key"\n'
CERT_ROWS: list[Row] = [
    ("BK401", 1, "warning"),
    ("BK269", 3, "warning"),
    ("BK301", 3, "warning"),
    ("BK315", 3, "info"),
    ("BK269", 4, "warning"),
    ("BK301", 4, "warning"),
    ("BK315", 4, "info"),
]
SCENARIOS += [
    Scenario("certs-plain", CERT_ROWS, toml=CERT_TOML, doors=WITH_CERTS),
    Scenario(
        "certs-noqa-line",
        [r for r in CERT_ROWS if r != ("BK315", 3, "info")],
        toml=with_line(CERT_TOML, 3, "  # noqa: BK315"),
        doors=WITH_CERTS,
    ),
    Scenario(
        "certs-noqa-file-wide",
        [(c, line + 1, sev) for c, line, sev in CERT_ROWS if c != "BK315"],
        toml="# bklint: noqa: BK315\n" + CERT_TOML,
        doors=WITH_CERTS,
    ),
    Scenario(
        "certs-config-ignore",
        [r for r in CERT_ROWS if r[0] != "BK315"],
        toml=CERT_TOML,
        config='ignore = ["BK315"]\n',
        doors=WITH_CERTS,
    ),
    Scenario(
        "certs-per-file-ignores",
        [r for r in CERT_ROWS if r[0] != "BK315"],
        toml=CERT_TOML,
        config='per-file-ignores = { "legacy/*" = ["BK315"] }\n',
        subdir="legacy",
        doors=WITH_CERTS,
    ),
    Scenario(
        "certs-severity",
        [(c, line, "error" if c == "BK315" else sev) for c, line, sev in CERT_ROWS],
        toml=CERT_TOML,
        config='severity = { BK315 = "error" }\n',
        doors=WITH_CERTS,
    ),
    # BK243's fix writes a string holding an escape (`\n`): escaped again, never a raw line break.
    Scenario(
        "fix-escaped-string",
        [],
        toml='debug = true\n[grpc]\naddress = ["/run/bk\\n.sock"]\n',
        fixed='[grpc]\naddress = ["unix:///run/bk\\n.sock"]\n\n[log]\nlevel = "debug"\n',
    ),
    # BK104 would rename `Max-Parallelism` onto the `max-parallelism` already there: not offered,
    # and the rest of the file (BK401) is still fixed.
    Scenario(
        "fix-rename-onto-existing-spelling",
        [("BK104", 3, "info"), ("BK105", 3, "warning")],
        toml="debug = true\n[worker.oci]\nmax-parallelism = 4\nMax-Parallelism = 5\n",
        fixed='[worker.oci]\nmax-parallelism = 4\nMax-Parallelism = 5\n\n[log]\nlevel = "debug"\n',
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


class Answer(NamedTuple):
    """What a door says: the findings (after the fixes, in a fix row) and the fixed TOML."""

    rows: list[Row]
    fixed: str | None = None


def check(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(cwd)
    code = main(["check", "--output-format", "json", *args])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    return out


def fixing(s: Scenario) -> list[str]:
    return ["--fix"] if s.fixed is not None else []


def door_file(s: Scenario, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Answer:
    where = folder(root, s, FILE)
    target = where / "buildkitd.toml"
    if not s.missing:
        target.write_bytes(data(s))
    rows = rows_from_json(check([*s.args, *fixing(s), "buildkitd.toml"], where, capsys, monkeypatch), 0)
    return Answer(rows, target.read_text() if s.fixed is not None else None)


def embedded_toml(yaml: str, first: int) -> str:
    """The TOML of the workflow's block (its lines from ``first``), unindented."""
    return "\n".join(line[12:] if line.startswith(" " * 12) else line.strip() for line in yaml.split("\n")[first:])


def door_workflow(s: Scenario, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Answer:
    where = folder(root, s, WORKFLOW)
    text, first = workflow(s)
    if s.missing:
        first = 0
    else:
        (where / "ci.yml").write_bytes(text)
    out = check([*s.args, *fixing(s), "ci.yml"], where, capsys, monkeypatch)
    # Lines of the TOML count from the block; YAML-level findings above it come out as 0 or less.
    rows = [(c, max(line, 0), sev) for c, line, sev in rows_from_json(out, first)]
    return Answer(rows, embedded_toml((where / "ci.yml").read_text(), first) if s.fixed is not None else None)


def door_stdin(s: Scenario, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Answer:
    where = folder(root, s, STDIN)
    name = f"{s.subdir}/buildkitd.toml" if s.subdir else "buildkitd.toml"
    cwd = where.parent if s.subdir else where
    fixed = None
    text = data(s)
    if s.fixed is not None:  # `check --fix -` prints the fixed text; its findings are asked for after
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
        fixed = check([*s.args, "--fix", "-", "--stdin-filename", name], cwd, capsys, monkeypatch)
        text = fixed.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    return Answer(rows_from_json(check([*s.args, "-", "--stdin-filename", name], cwd, capsys, monkeypatch), 0), fixed)


async def door_server(s: Scenario, root: Path, client: LanguageClient, door: str = SERVER) -> Answer:
    """The server on the TOML file, or (``SERVER_WORKFLOW``) on the workflow embedding it."""
    assert not s.args, "the server takes settings from bklint.toml in the matrix"
    where = folder(root, s, door)
    assert isinstance(s.toml, str)
    name, text, first = "buildkitd.toml", s.toml, 0
    if door == SERVER_WORKFLOW:
        yaml, first = workflow(s)
        name, text = "ci.yml", yaml.decode()
    doc = open_doc(client, where / name, text)
    fixed = None
    if s.fixed is not None:
        (fix_all,) = await actions(client, doc, span(0, 0), only=[types.CodeActionKind.SourceFixAll])
        assert fix_all.edit is not None
        after = apply_edit(doc.text, fix_all.edit, doc.uri)
        fixed = after if door == SERVER else embedded_toml(after, first)
        doc.replace_all(after)
    diagnostics = await doc.diagnostics()
    doc.close()
    labels = {1: "error", 2: "warning", 3: "info", 4: "hint"}
    rows = [(str(d.code), max(d.range.start.line + 1 - first, 0), labels[int(d.severity or 1)]) for d in diagnostics]
    return Answer(rows, fixed)


def door_certs(s: Scenario, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Answer:
    """`bklint certs`: its warnings are the copy findings as `check` words them, filtered alike."""
    where = folder(root, s, CERTS)
    (where / "buildkitd.toml").write_bytes(data(s))
    monkeypatch.chdir(where)
    assert main(["certs", "--output-format", "json", "buildkitd.toml"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    findings = build("buildkitd.toml", str(where)).findings  # the same run, for the severities
    assert warnings == [f"buildkitd.toml:{f.span.start.line + 1}:{f.span.start.column + 1}: {f.code} {f.message}" for f in findings]
    return Answer([(f.code, f.span.start.line + 1, f.severity.label) for f in findings])


@ON_SERVER_LOOP
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
async def test_every_door_gives_the_same_answer(
    scenario: Scenario,
    client: LanguageClient,
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Answer] = {}
    if FILE in scenario.doors:
        seen[FILE] = door_file(scenario, workspace, capsys, monkeypatch)
    if WORKFLOW in scenario.doors:
        seen[WORKFLOW] = door_workflow(scenario, workspace, capsys, monkeypatch)
    if STDIN in scenario.doors:
        seen[STDIN] = door_stdin(scenario, workspace, capsys, monkeypatch)
    if SERVER in scenario.doors:
        seen[SERVER] = await door_server(scenario, workspace, client)
    if SERVER_WORKFLOW in scenario.doors:
        seen[SERVER_WORKFLOW] = await door_server(scenario, workspace, client, SERVER_WORKFLOW)
    if CERTS in scenario.doors:
        seen[CERTS] = door_certs(scenario, workspace, capsys, monkeypatch)
    expected = Answer(sorted(scenario.expected, key=lambda r: (r[1], r[0])), scenario.fixed)
    copy_rows = Answer([r for r in expected.rows if r[0] in COPY_CODES])
    assert seen == {door: copy_rows if door == CERTS else expected for door in scenario.doors}


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


@ON_SERVER_LOOP
async def test_a_workflow_gets_diagnostics_but_no_toml_text_features(client: LanguageClient, workspace: Path) -> None:
    yaml, first = workflow(Scenario("features", PLAIN))
    doc = open_doc(client, workspace / "yaml-features" / "ci.yml", yaml.decode())
    try:
        assert [str(d.code) for d in await doc.diagnostics()] == ["BK401", "BK101", "BK004"]
        ident = types.TextDocumentIdentifier(uri=doc.uri)
        on_key = types.Position(line=first + 2, character=14)  # `max_parallelism` in the block
        assert await client.text_document_hover_async(types.HoverParams(ident, on_key)) is None
        assert await client.text_document_completion_async(types.CompletionParams(ident, on_key)) is None
    finally:
        doc.close()


@ON_SERVER_LOOP
async def test_a_yaml_file_without_configs_is_not_served(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "yaml-other" / "values.yml", "replicas: [\n")
    try:
        symbols = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
        )
        assert symbols is None
        assert doc.recorder.last(doc.uri) is None  # nothing published: `bklint check .` would not find it
    finally:
        doc.close()
