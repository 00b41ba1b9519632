"""Along random editing sessions, the server's incremental parse and lint equal a fresh one."""

from __future__ import annotations

from hypothesis import given

from bklint.linter.incremental import ParseCache
from bklint.linter.run import lint_text
from bklint.linter.settings import Settings
from tests.engine.test_incremental import PAD, _same
from tests.fuzz.limits import bounded
from tests.fuzz.strategies import Edit, apply, budget, edit_scripts

# Long enough that every version takes the incremental path.
TAIL = "\n" + PAD * 8


@budget(40)
@given(script=edit_scripts())
def test_incremental_parse_equals_full_parse_along_a_session(script: tuple[str, list[Edit]]) -> None:
    text, edits = script
    cache = ParseCache()
    with bounded(what="editing session"):
        _same(text + TAIL, cache)
        for edit in edits:
            text = apply(text, edit)
            _same(text + TAIL, cache)


@budget(25)
@given(script=edit_scripts(max_edits=15))
def test_cached_lint_equals_fresh_lint_after_every_edit(script: tuple[str, list[Edit]]) -> None:
    text, edits = script
    cache = ParseCache()
    settings = Settings()
    with bounded(what="editing session"):
        for edit in edits:
            text = apply(text, edit)
            cached = lint_text(text + TAIL, "buildkitd.toml", settings, cache).findings
            fresh = lint_text(text + TAIL, "buildkitd.toml", settings).findings
            assert [(f.code, f.span, f.message) for f in cached] == [(f.code, f.span, f.message) for f in fresh]
