"""Properties of ``--fix`` and ``migrate`` over mutants of the real corpus and the vectors.

For every mutant (``tests.fuzz.strategies.configs``, statement-level changes of real
configs): fixing never raises and settles (no "did not settle", no "undo each other");
a second run changes nothing; no comment is lost; buildkitd refuses nothing it accepted
before; one pass changes only the lines its edits touch. Migrating is idempotent and
keeps every comment. CI runs a fixed seed and a small budget; ``BKLINT_FUZZ=long`` runs
a hundred times more with fresh seeds.
"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from bklint.linter.commands.migrate import migrate_bytes
from bklint.linter.fix import default_filter, fix_bytes, fix_pass, lost_comments, refusals
from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
from tests.fix.test_fix_rules import _assert_only_edited_lines_change
from tests.fuzz.strategies import as_bytes, budget, configs

NAME = "buildkitd.toml"
TARGETS = st.sampled_from([None, "v0.11", "v0.12", "v0.16", "v0.27", "v0.29"])


@budget(25)
@given(configs(hostile=False), st.booleans())
def test_fixes_settle_are_idempotent_and_lose_nothing(text: str, unsafe: bool) -> None:
    data = as_bytes(text)
    first = lint_bytes(data, NAME, Settings())
    outcome = fix_bytes(data, NAME, Settings(), unsafe=unsafe)
    assert outcome.error is None, outcome.error
    again = fix_bytes(outcome.data, NAME, Settings(), unsafe=unsafe)
    assert again.error is None and not again.changed, (again.applied, outcome.data)
    if not outcome.changed:
        return
    assert not lost_comments(first.text, outcome.result.text)
    had, has = refusals(first), refusals(outcome.result)
    assert all(n <= had[code] for code, n in has.items()), (had, has)


@budget(25)
@given(configs(hostile=False))
def test_one_pass_changes_only_the_lines_its_edits_touch(text: str) -> None:
    data = as_bytes(text)
    result = lint_bytes(data, NAME, Settings())
    # Line attribution needs a file the loader reads (a duplicated line makes the diff ambiguous).
    assume(not refusals(result) and len(set(result.text.splitlines())) == len(result.text.splitlines()))
    new, applied, ranges = fix_pass(data, result, default_filter(True))
    if applied and not data.startswith(b"\xef\xbb\xbf"):
        _assert_only_edited_lines_change(result.text, new, ranges, ", ".join(applied))


@budget(20)
@given(configs(hostile=False), TARGETS)
def test_migrate_is_idempotent_and_keeps_comments(text: str, target: str | None) -> None:
    data = as_bytes(text)
    outcome, _ = migrate_bytes(data, NAME, target)
    assert outcome.error is None, outcome.error
    if not outcome.changed:
        return
    again, _ = migrate_bytes(outcome.data, NAME, target)
    assert again.error is None and not again.changed, (again.applied, outcome.data)
    assert not lost_comments(data.decode("utf-8", "replace"), outcome.data.decode("utf-8", "replace"))
