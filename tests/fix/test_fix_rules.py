"""Every fixable rule, fixed the way ruff tests its fixes.

For each rule marked ``fixable`` in the catalog and each of its example configs: the rule
fires with a fix; applying the fixes (this rule's only) and re-linting reaches a fixed point
within the engine's pass limit; the result has no BK0xx error the input did not have; a
second run changes nothing; every original line the diff touches lies inside an edit of the
first pass; line endings (CRLF) and everything else are byte-identical.

Examples come from the rule class (``fix_examples``: strings, or dicts with ``text`` and
optional ``target_version``), from a module-level ``FIX_EXAMPLES`` dict keyed by code in
the rule's module, or from ``EXAMPLES`` below for rules whose module has none yet. A
fixable rule without any example fails the suite; a rule whose fix cannot be expressed as
a TOML file is listed in ``NOT_TOML`` with the test that covers it instead.
"""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Any

import pytest

from bklint.linter.fix import MAX_PASSES, fix_data, fix_pass
from bklint.linter.run import LintResult, lint_bytes, rules
from bklint.linter.settings import Settings
from bklint.rules.base import Finding, Rule, Severity, iter_rules

# Fixable rules whose fix edits something other than the TOML config, and where it is tested.
NOT_TOML: dict[str, str] = {
    "BK601": (
        "BK601 renames a setup-buildx-action input in the workflow YAML around an embedded config, so no TOML "
        "example can trigger it; its fix is tested in tests/cli/test_embedded.py "
        "(test_removed_inputs_are_renamed_only_with_unsafe_fixes_on_v4 and neighbours)"
    ),
}


def _examples(rule: type[Rule]) -> list[dict[str, Any]]:
    out = []
    for item in rule.fix_examples:
        out.append(dict(item) if isinstance(item, dict) else {"text": item})
    return out


def _fixable() -> list[type[Rule]]:
    rules()
    return [r for r in iter_rules() if r.fixable]


def _cases() -> list[Any]:
    cases = []
    for rule in _fixable():
        if rule.code in NOT_TOML:
            cases.append(pytest.param(rule.code, None, id=f"{rule.code}-not-toml", marks=pytest.mark.skip(NOT_TOML[rule.code])))
            continue
        examples = _examples(rule)
        if not examples:
            # Fails in test_fix: every fixable rule must show its fix working.
            cases.append(pytest.param(rule.code, None, id=f"{rule.code}-no-example"))
        for i, example in enumerate(examples):
            cases.append(pytest.param(rule.code, example, id=f"{rule.code}-{i}"))
    return cases


def _settings(example: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.rules.target_version = example.get("target_version")
    return settings


def _errors(result: LintResult) -> Counter[str]:
    return Counter(f.code for f in result.findings if f.code.startswith("BK0") and f.severity == Severity.ERROR)


@pytest.mark.parametrize(("code", "example"), _cases())
def test_fix(code: str, example: dict[str, Any] | None) -> None:
    assert example is not None, f"{code} is fixable but has no fix example: add `fix_examples` to the rule class"
    text = example["text"]
    data = text.encode("utf-8") if isinstance(text, str) else text
    settings = _settings(example)

    def only_this(f: Finding) -> bool:
        return f.code == code and f.fix is not None

    before = lint_bytes(data, "buildkitd.toml", settings)
    assert any(only_this(f) for f in before.findings), f"{code} offers no fix on its example: {before.findings}"

    # One pass: only the edited spans change, byte for byte.
    once, applied, ranges = fix_pass(data, before, only_this)
    assert applied and once != data
    _assert_only_edited_lines_change(before.source.text, once, ranges, code)

    outcome = fix_data(data, "buildkitd.toml", settings, only_this)
    assert outcome.error is None, outcome.error
    assert outcome.changed
    after = lint_bytes(outcome.data, "buildkitd.toml", settings)
    assert not any(only_this(f) for f in after.findings), f"not at a fixed point: {after.findings}"
    new_errors = {c for c, n in _errors(after).items() if n > _errors(before)[c]}
    assert not new_errors, f"the fix introduced {new_errors}: {outcome.data!r}"

    again = fix_data(outcome.data, "buildkitd.toml", settings, only_this)
    assert again.error is None and not again.changed and not again.applied

    if b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""):
        assert b"\n" not in outcome.data.replace(b"\r\n", b""), f"CRLF lost: {outcome.data!r}"


def _assert_only_edited_lines_change(text: str, new: bytes, ranges: list[tuple[int, int]], code: str) -> None:
    bom = new.startswith(b"\xef\xbb\xbf")
    new_text = new[3:].decode() if bom else new.decode()
    old_lines = text.splitlines(keepends=True)
    starts = [0]
    for line in old_lines:
        starts.append(starts[-1] + len(line))
    touched: set[int] = set()
    for start, end in ranges:
        for i in range(len(old_lines) + 1):
            line_start, line_end = starts[i], starts[i + 1] if i + 1 < len(starts) else starts[i]
            if line_start <= end and start <= line_end:
                touched.add(i)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_text.splitlines(keepends=True), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        changed = set(range(i1, i2)) or {i1, i1 - 1}
        assert changed & touched, f"{code}: lines {sorted(changed)} changed outside the edits {ranges}"
        assert set(range(i1, i2)) <= touched | {i2}, f"{code}: lines {i1}..{i2} changed outside the edits {ranges}"


def test_every_fixable_rule_is_exercised() -> None:
    missing = [r.code for r in _fixable() if not _examples(r) and r.code not in NOT_TOML]
    assert not missing, f"fixable rules without a fix example: {', '.join(missing)}"


def test_rules_exempt_from_toml_examples_are_fixable_and_have_none() -> None:
    """An exemption must not outlive its reason (the rule dropped its fix or gained TOML examples)."""
    fixable = {r.code: r for r in _fixable()}
    for code in NOT_TOML:
        assert code in fixable, f"{code} is exempt in NOT_TOML but is not a fixable rule"
        assert not _examples(fixable[code]), f"{code} has TOML examples: remove it from NOT_TOML"


def test_fix_pass_limit_is_bounded() -> None:
    assert 1 < MAX_PASSES <= 20
