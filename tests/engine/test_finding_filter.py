"""The one finding filter: noqa parsing, rule-enabling precedence, and every producer going through it."""

from __future__ import annotations

import pytest

from bklint.linter import noqa
from bklint.linter.findings import FindingFilter, failing
from bklint.linter.inputs import Input
from bklint.linter.parse import parse
from bklint.linter.run import rules
from bklint.linter.settings import Settings, enabled
from bklint.rules.base import Severity, Span, registered

rules()  # the catalog, for registered()


def directives(text: str) -> list[noqa.Directive]:
    return noqa.parse_directives(text, parse(text).doc)


# --- noqa parsing ---------------------------------------------------------------------------


def test_line_directive_with_codes_is_case_insensitive_and_takes_a_list() -> None:
    (d,) = directives("[worker.oci]\ngc = 1  # NoQA: bk004 ,BK101\n")
    assert (d.scope, d.line, d.codes) == ("line", 1, ["BK004", "BK101"])


def test_bare_noqa_covers_every_code_on_its_line() -> None:
    (d,) = directives("debug = true # noqa\n")
    assert d.codes is None and d.scope == "line"


def test_a_directive_on_a_table_header_covers_the_table_up_to_the_next_header() -> None:
    text = "[worker.oci]  # noqa: BK101\na = 1\nb = 2\n[worker.containerd]\nc = 3\n"
    (d,) = directives(text)
    assert (d.scope, d.line, d.last_line) == ("table", 0, 2)


def test_file_directive_must_be_a_line_of_its_own() -> None:
    (d,) = directives("# bklint: noqa: BK401\ndebug = true\n")
    assert (d.scope, d.codes) == ("file", ["BK401"])
    (blanket,) = directives("  # bklint: noqa\n")
    assert blanket.scope == "file" and blanket.codes is None


def test_noqa_inside_a_string_or_on_a_comment_line_is_not_a_directive() -> None:
    assert directives('root = "/var/lib # noqa: BK201"\n') == []
    assert directives("# noqa: BK201\ndebug = true\n") == []


def test_yaml_directives_skip_what_belongs_to_an_embedded_config() -> None:
    text = "a: 1  # noqa: BK601\nb: |\n  debug = true  # noqa: BK401\n# bklint: noqa: BK602\n"
    found = noqa.parse_yaml_directives(text, lambda line, column: line == 2)
    assert [(d.line, d.scope, d.codes) for d in found] == [(0, "line", ["BK601"]), (3, "file", ["BK602"])]


def test_suppressed_asks_without_marking_the_directive_used() -> None:
    ds = directives("[worker.oci]  # noqa: BK101\nx = 1\n")
    assert noqa.suppressed(ds, "BK101", 1) and not noqa.suppressed(ds, "BK004", 1)
    assert not ds[0].used


# --- rule-enabling precedence ---------------------------------------------------------------


def on(code: str, path: str | None = None, **kw: object) -> bool:
    s = Settings()
    for key, value in kw.items():
        setattr(s, key, value)
    return enabled(registered()[code], s, path)


@pytest.mark.parametrize(
    ("settings", "code", "expected"),
    [
        ({}, "BK101", True),
        ({"select": ["BK1"]}, "BK201", False),
        ({"select": ["BK1"], "ignore": ["BK101"]}, "BK101", False),
        ({"select": ["BK1"], "ignore": ["BK101"]}, "BK102", True),
        ({"select": ["BK101"], "ignore": ["BK1"]}, "BK101", True),  # the more specific selector wins
        ({"select": ["BK1"], "ignore": ["BK1"]}, "BK101", False),  # ignore wins a tie
        ({"select": ["BK1"], "extend_select": ["BK201"]}, "BK201", True),
        ({"select": ["BK2"], "extend_select": ["BK1"], "ignore": ["BK101"]}, "BK101", False),
        ({"select": ["unknown-key"]}, "BK101", True),  # rule names work and beat prefixes
        ({"select": ["BK"], "ignore": ["unknown-key"]}, "BK101", False),
        ({"select": ["ALL"]}, "BK901", True),
        ({"select": []}, "BK101", False),
    ],
)
def test_selection_precedence(settings: dict[str, object], code: str, expected: bool) -> None:
    assert on(code, **settings) is expected


def test_per_file_ignores_apply_to_matching_paths_only() -> None:
    pfi = {"legacy/*.toml": ["BK4"]}
    assert not on("BK401", "legacy/a.toml", per_file_ignores=pfi)
    assert not on("BK401", "/abs/repo/legacy/a.toml", per_file_ignores=pfi)
    assert on("BK401", "other/a.toml", per_file_ignores=pfi)
    # per-file-ignores lose to a more specific select, like ignore does
    assert on("BK401", "legacy/a.toml", per_file_ignores=pfi, select=["BK401"])


def test_the_filter_applies_severity_and_the_threshold() -> None:
    s = Settings(severity={"BK401": Severity.ERROR})
    (kept,) = FindingFilter(s, "x.toml").apply([registered()["BK401"].finding("m", Span.at(0, 0))])
    assert kept.severity == Severity.ERROR and kept.path == "x.toml"
    assert failing([kept], Severity.ERROR)
    assert not failing([registered()["BK402"].finding("m", Span.at(0, 0), severity=Severity.INFO)], Severity.WARNING)


def test_the_filter_is_idempotent() -> None:
    s = Settings(severity={"BK401": Severity.ERROR}, ignore=["BK402"])
    f = FindingFilter(s, None)
    once = f.apply([registered()[c].finding("m", Span.at(0, 0)) for c in ("BK401", "BK402")])
    assert f.apply(list(once)) == once


# --- producers that used to bypass the filter -----------------------------------------------

WORKFLOW = """\
jobs:
  build:
    steps:
      - uses: docker/setup-buildx-action@v3
        with:
          config-inline: |{yaml_noqa}
            debug = true{toml_noqa}
            [worker.oci]
              max_parallelism = 4
"""


def yaml_codes(yaml_noqa: str = "", toml_noqa: str = "", head: str = "", **kw: object) -> list[tuple[str, int]]:
    text = head + WORKFLOW.format(yaml_noqa=yaml_noqa, toml_noqa=toml_noqa)
    s = Settings()
    for key, value in kw.items():
        setattr(s, key, value)
    result = Input.memory(text.encode(), "w.yml").lint(s)
    return [(f.code, f.span.start.line + 1) for f in result.findings]


def test_yaml_level_findings_are_suppressed_by_a_yaml_noqa() -> None:
    assert ("BK601", 6) in yaml_codes()
    assert [c for c, _ in yaml_codes("  # noqa: BK601")] == ["BK401", "BK101"]


def test_toml_noqa_inside_the_block_is_the_configs_not_an_unused_yaml_one() -> None:
    assert yaml_codes(toml_noqa="  # noqa: BK401") == [("BK601", 6), ("BK101", 9)]


def test_unused_yaml_noqa_is_bk901_on_the_yaml_line() -> None:
    assert ("BK901", 6) in yaml_codes("  # noqa: BK602")


def test_file_wide_yaml_noqa_covers_the_embedded_findings_too() -> None:
    assert yaml_codes(head="# bklint: noqa: BK101, BK601\n") == [("BK401", 8)]
    assert yaml_codes(head="# bklint: noqa\n") == []


def test_ignore_and_severity_reach_yaml_level_findings() -> None:
    assert "BK601" not in [c for c, _ in yaml_codes(ignore=["BK601"])]
    s = Settings(severity={"BK601": Severity.ERROR})
    result = Input.memory(WORKFLOW.format(yaml_noqa="", toml_noqa="").encode(), "w.yml").lint(s)
    assert next(f for f in result.findings if f.code == "BK601").severity == Severity.ERROR


def test_file_level_findings_go_through_the_filter(tmp_path: object) -> None:
    missing = Input.file("/nonexistent/buildkitd.toml")
    assert [f.code for f in missing.lint(Settings()).findings] == ["BK009"]
    assert missing.lint(Settings(ignore=["BK009"])).findings == []
    assert missing.lint(Settings(severity={"BK009": Severity.WARNING})).findings[0].severity == Severity.WARNING
    utf16 = Input.memory(b"\xff\xfea\x00:\x00", "w.yml")
    assert [f.code for f in utf16.lint(Settings()).findings] == ["BK003"]
    assert utf16.lint(Settings(ignore=["BK003"])).findings == []
    assert utf16.lint(Settings(per_file_ignores={"*.yml": ["BK0"]})).findings == []


def test_fix_leaves_what_a_yaml_noqa_suppresses() -> None:
    from bklint.linter.fix import default_filter

    text = "# bklint: noqa: BK101\n" + WORKFLOW.format(yaml_noqa="  # noqa: BK601, BK602", toml_noqa="")
    outcome = Input.memory(text.encode(), "w.yml").fix(Settings(), default_filter(True))
    fixed = outcome.data.decode()
    assert "max_parallelism = 4" in fixed and "config-inline: |" in fixed  # suppressed: untouched
    assert "# noqa: BK601\n" in fixed  # the unused code is dropped from the YAML comment
    assert "[log]" in fixed or "debug" not in fixed  # BK401 was not suppressed: migrated


def test_per_file_ignores_are_relative_to_the_config_directory(tmp_path, monkeypatch) -> None:
    (tmp_path / "legacy").mkdir()
    monkeypatch.chdir(tmp_path / "legacy")
    s = Settings(root=str(tmp_path), per_file_ignores={"legacy/*.toml": ["BK4"]})
    # Checked from inside legacy/ as `a.toml`: still legacy/a.toml for the project.
    assert not enabled(registered()["BK401"], s, "a.toml")
    assert enabled(registered()["BK401"], s, str(tmp_path / "other" / "a.toml"))
