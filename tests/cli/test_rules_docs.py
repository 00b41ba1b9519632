"""The rule catalog is documented: every rule renders, and docs/rules.md is current."""

from __future__ import annotations

import re

import pytest

from bklint.linter.cli import main
from bklint.linter.commands.rules import markdown
from bklint.linter.run import rules
from bklint.rules.base import Severity, iter_rules
from tests.conftest import REPO


def test_every_rule_has_a_code_name_summary_and_docs() -> None:
    rules()
    seen_names = set()
    for rule in iter_rules():
        assert re.fullmatch(r"BK\d{3}", rule.code), rule.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.name not in seen_names
        seen_names.add(rule.name)
        assert isinstance(rule.severity, Severity)
        assert rule.summary and not rule.summary.endswith(".")
        assert "**Why**" in rule.docs() or rule.code in ("BK009", "BK901"), f"{rule.code} docs lack a Why section"


def test_rule_docs_render(capsys: pytest.CaptureFixture[str]) -> None:
    rules()
    for rule in iter_rules():
        assert main(["rule", rule.code]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"# {rule.code} {rule.name}\n")
        # cleandoc keeps the body's indentation relative to itself: no stray leading blanks.
        assert "\n    **Why**" not in out


def test_docs_rules_md_is_up_to_date() -> None:
    rules()
    expected = markdown(list(iter_rules()))
    actual = (REPO / "docs" / "rules.md").read_text()
    assert actual == expected, "run: bklint rules --output-format markdown > docs/rules.md"


def test_rule_index_is_up_to_date() -> None:
    """The engine selects and loads rules through rules/catalog/index.py, never by importing them all."""
    from bklint.rules.catalog import index_source, load_all

    load_all()
    actual = (REPO / "rules" / "catalog" / "index.py").read_text()
    assert actual == index_source(iter_rules()), "run: bklint rules --output-format index > rules/catalog/index.py"
