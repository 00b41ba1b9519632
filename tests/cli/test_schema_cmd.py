"""`bklint schema` prints a JSON Schema that accepts what buildkitd loads and rejects unknown keys and wrong types."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bklint.linter.cli import main
from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
from bklint.rules.tomllib_compat import tomllib

LOAD = Path(__file__).parents[1] / "vectors" / "load"


def lint(data: bytes) -> Any:
    return lint_bytes(data, "buildkitd.toml", Settings())
REPO = Path(__file__).parents[2]


# Values buildkitd loads that the schema still rejects (and bklint does not report): schema
# gaps to close in rules/schema/models.py; remove an entry when its case starts to validate.
KNOWN_GAPS = {
    "diskspace-inline-table-lower": "DiskSpace as an inline table {bytes = …}",
    "diskspace-plus-percent": "a DiskSpace percentage with a + sign",
    "diskspace-quoted-in-literal": "a DiskSpace in a literal string holding a quoted size",
    "key-worker-oci-gcpolicy-minfreespace-float": "a float DiskSpace",
    "key-worker-oci-gcpolicy-reservedspace-float": "a float DiskSpace",
    "key-worker-oci-reservedspace-float": "a float DiskSpace",
    "shape-header-on-size-bytes": "DiskSpace as a table [… .reservedSpace] bytes = …",
    # A header with nothing below it on a key that is not a table: go-toml accepts it (issue 9).
    "shape-empty-header-on-int-alone": "an empty [header] on an integer key",
    "shape-empty-header-on-label": "an empty [header] on one label",
    "shape-empty-header-on-bool-pointer": "an empty [header] on a boolean key",
    "shape-empty-header-on-duration": "an empty [header] on a duration key",
    "aot-empty-on-string-list": "an empty [[header]] on a list of strings",
    "aot-empty-on-mirrors": "an empty [[header]] on a list of strings",
}


def clean_vectors() -> list[Path]:
    """Load vectors buildkitd accepted without ignoring a key and on which bklint reports nothing.

    The schema matches keys case-sensitively on purpose (editors should suggest the
    documented spelling), so files that load only thanks to buildkitd's case folding, which
    bklint reports (BK104-BK106), are not "clean" here.
    """
    out = []
    for case in sorted(LOAD.iterdir()):
        expected = json.loads((case / "expected.json").read_text())
        if not (expected.get("ok") and not expected.get("unknown") and expected.get("toml_valid", True)):
            continue
        if lint((case / "buildkitd.toml").read_bytes()).findings:
            continue
        out.append(case)
    return out


def schema_from_cli(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["schema", *args]) == 0
    schema: dict[str, Any] = json.loads(capsys.readouterr().out)
    return schema


def problems(schema: dict[str, Any], toml: str) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [e.message for e in validator.iter_errors(tomllib.loads(toml))]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from bklint.linter.commands.schema import render

    parsed: dict[str, Any] = json.loads(render(None))
    return parsed


def test_prints_a_draft_07_schema(capsys):
    printed = schema_from_cli(capsys)
    jsonschema.Draft7Validator.check_schema(printed)
    assert printed["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert printed["additionalProperties"] is False


def test_documented_full_example_validates(schema):
    text = (LOAD / "docs-buildkit-full-example-fixed-gha" / "buildkitd.toml").read_text()
    assert problems(schema, text) == []


def test_every_clean_load_vector_validates(schema):
    cases = clean_vectors()
    assert len(cases) > 100
    failing = {}
    for case in cases:
        try:
            data = tomllib.loads((case / "buildkitd.toml").read_bytes().decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # go-toml accepts a few files Python's TOML parser does not; not a schema question
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)]
        if errors:
            failing[case.name] = errors[:2]
    # Only the known gaps (a gap that a new rule starts to report drops out of "clean").
    assert set(failing) <= set(KNOWN_GAPS), {k: v for k, v in failing.items() if k not in KNOWN_GAPS}


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("[worker.oci]\nmaxParallelism = 4\n", "maxParallelism"),
        ("[registry.\"docker.io\"]\nmirror = [\"m.example\"]\n", "mirror"),
        ("bogus = true\n", "bogus"),
    ],
)
def test_unknown_keys_do_not_validate(schema, toml, needle):
    assert any(needle in p for p in problems(schema, toml))


@pytest.mark.parametrize(
    "toml",
    [
        '[worker.oci]\nmax-parallelism = "4"\n',
        '[registry."docker.io"]\nhttp = "true"\n',
        '[registry."docker.io"]\nmirrors = "mirror.gcr.io"\n',
        "debug = 1\n",
    ],
)
def test_wrong_types_do_not_validate(schema, toml):
    assert problems(schema, toml)


def test_target_version_describes_that_release(capsys):
    old = schema_from_cli(capsys, "--target-version", "v0.12")
    # `[cache.gha]` arrived in v0.27: unknown for v0.12, known today.
    assert problems(old, "[cache.gha]\n")
    assert not problems(schema_from_cli(capsys), "[cache.gha]\n")


def test_unknown_target_version_is_a_usage_error(capsys):
    assert main(["schema", "--target-version", "latest-ish"]) == 2
    assert "not a BuildKit version" in capsys.readouterr().err


def test_output_file(tmp_path, capsys):
    out = tmp_path / "schema.json"
    assert main(["schema", "-o", str(out), "--indent", "0"]) == 0
    assert capsys.readouterr().out == ""
    text = out.read_text()
    assert text.count("\n") == 1
    jsonschema.Draft7Validator.check_schema(json.loads(text))


def test_the_vscode_extension_ships_the_current_schema(schema):
    shipped = REPO / "editors" / "vscode" / "schemas" / "buildkitd.schema.json"
    if not shipped.exists():
        pytest.skip("no VS Code extension in this checkout")
    assert json.loads(shipped.read_text()) == schema, "regenerate it: bklint schema -o " + str(shipped.relative_to(REPO))


@pytest.mark.skipif(shutil.which("taplo") is None, reason="taplo not installed")
def test_taplo_accepts_the_schema_and_reports_the_same_problems(tmp_path, capsys):
    schema_file = tmp_path / "buildkitd.schema.json"
    assert main(["schema", "-o", str(schema_file)]) == 0
    good = tmp_path / "good.toml"
    good.write_text((LOAD / "docs-buildkit-full-example-fixed-gha" / "buildkitd.toml").read_text())
    bad = tmp_path / "bad.toml"
    bad.write_text('[worker.oci]\nmax-parallelism = "4"\nmaxParallelism = 4\n')

    def taplo(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["taplo", "check", "--schema", schema_file.as_uri(), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    ok = taplo(good)
    assert ok.returncode == 0, ok.stderr
    failed = taplo(bad)
    assert failed.returncode != 0
    # The same two problems bklint reports (BK004 wrong type, BK101 unknown key).
    assert "maxParallelism" in failed.stderr
    assert '"4"' in failed.stderr or "integer" in failed.stderr
    main(["check", "--isolated", "--output-format", "concise", str(bad)])
    ours = capsys.readouterr().out
    assert "BK004" in ours and "BK101" in ours
