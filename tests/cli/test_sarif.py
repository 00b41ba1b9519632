"""`bklint check --output-format sarif` writes a valid SARIF 2.1.0 log that code scanning can place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bklint.linter.cli import main
from bklint.linter.run import rules

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())

BAD = """\
# café: a non-ASCII comment before the problems
[worker.oci]
max-parallelism = "4"
bogus = 1
"""


def sarif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str) -> Any:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir(exist_ok=True)
    (tmp_path / "conf" / "buildkitd.toml").write_text(text, encoding="utf-8")
    code = main(["check", "--isolated", "--output-format", "sarif", "conf/buildkitd.toml"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def validate(log: Any) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_report_validates_against_the_sarif_schema(tmp_path, monkeypatch, capsys):
    code, log = sarif(tmp_path, monkeypatch, capsys, BAD)
    assert code == 1
    validate(log)
    assert log["version"] == "2.1.0"


def test_a_clean_file_is_a_valid_log_with_no_results(tmp_path, monkeypatch, capsys):
    code, log = sarif(tmp_path, monkeypatch, capsys, "[worker.oci]\nmax-parallelism = 4\n")
    assert code == 0
    validate(log)
    assert log["runs"][0]["results"] == []


def test_driver_describes_every_rule(tmp_path, monkeypatch, capsys):
    _, log = sarif(tmp_path, monkeypatch, capsys, BAD)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "bklint"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(type(r).code for r in rules())
    unknown_key = next(r for r in driver["rules"] if r["id"] == "BK101")
    assert unknown_key["name"] == "unknown-key"
    assert unknown_key["shortDescription"]["text"]
    assert "**Why**" in unknown_key["help"]["markdown"]
    assert unknown_key["fullDescription"]["text"]
    assert unknown_key["helpUri"].endswith("#bk101")
    assert unknown_key["defaultConfiguration"]["level"] == "warning"
    invalid = next(r for r in driver["rules"] if r["id"] == "BK001")
    assert invalid["defaultConfiguration"]["level"] == "error"


def test_results_point_at_the_finding_with_1_based_code_point_regions(tmp_path, monkeypatch, capsys):
    _, log = sarif(tmp_path, monkeypatch, capsys, BAD)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    by_rule = {r["ruleId"]: r for r in run["results"]}
    unknown = by_rule["BK101"]
    assert unknown["level"] == "warning"
    assert run["tool"]["driver"]["rules"][unknown["ruleIndex"]]["id"] == "BK101"
    location = unknown["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "conf/buildkitd.toml", "uriBaseId": "%SRCROOT%"}
    # `bogus` on line 4, columns 1-5 (end exclusive)
    assert location["region"] == {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 6}
    assert "bogus" in unknown["message"]["text"]


def test_fixes_are_replacements_of_regions(tmp_path, monkeypatch, capsys):
    _, log = sarif(tmp_path, monkeypatch, capsys, BAD)
    wrong_type = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "BK004")
    assert wrong_type["level"] == "error"
    (fix,) = wrong_type["fixes"]
    (change,) = fix["artifactChanges"]
    (replacement,) = change["replacements"]
    assert replacement["insertedContent"]["text"] == "4"
    assert replacement["deletedRegion"] == {"startLine": 3, "startColumn": 19, "endLine": 3, "endColumn": 22}
    assert fix["properties"]["applicability"] in ("safe", "unsafe")


def test_paths_outside_the_working_directory_are_absolute_file_uris(tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "elsewhere dir"
    elsewhere.mkdir()
    (elsewhere / "buildkitd.toml").write_text("bogus = 1\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    main(["check", "--isolated", "--output-format", "sarif", str(elsewhere / "buildkitd.toml")])
    log = json.loads(capsys.readouterr().out)
    validate(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (elsewhere / "buildkitd.toml").as_uri()}
    assert "%20" in location["uri"]


def test_output_file_and_environment_select_sarif(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "buildkitd.toml").write_text(BAD)
    monkeypatch.setenv("BKLINT_OUTPUT_FORMAT", "sarif")
    code = main(["check", "--isolated", "-o", "report.sarif", "buildkitd.toml"])
    assert code == 1
    assert capsys.readouterr().out == ""
    log = json.loads((tmp_path / "report.sarif").read_text(encoding="utf-8"))
    validate(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"BK004", "BK101"}
