"""``restructure.appended_table_edits`` is the text-only shortcut for one tomlkit round trip
(a new top-level table at the end of a file): it must give the very edits the round trip
gives, or step aside."""

from __future__ import annotations

from typing import Any

import pytest

from bklint.linter.parse import parse
from bklint.rules import restructure, toml_text
from tests.conftest import TESTS

FILES = sorted(p for p in TESTS.rglob("*.toml") if p.is_file() and p.stat().st_size < 20_000)
# How a file may end: as it is, with a blank line, a comment, a statement without a line
# break, blanks, CRLF, or nothing at all.
ENDINGS = ("", "\n", "\n\n", "# c\n", "x = 1", "  \n", "\r\n", "\t")


def _round_trip(comment: str) -> Any:
    def mutate(doc: Any) -> None:
        import tomlkit

        value = tomlkit.item("debug")
        if comment:
            value.comment(comment)
        restructure.ensure_table(doc, "log")["level"] = value

    return mutate


@pytest.mark.parametrize("chunk", range(4))
def test_a_table_appended_as_text_is_what_tomlkit_appends(chunk: int) -> None:
    wrong, compared = [], 0
    for path in FILES[chunk::4]:
        base = path.read_text(encoding="utf-8", errors="replace")
        for ending in ("", "\n") if len(base) > 2000 else ENDINGS:
            text = base + ending
            outcome = parse(text)
            if outcome.doc is None or outcome.problems or outcome.doc.orphans:
                continue
            if any(k.lower() == "log" for k in outcome.doc.root.children or {}):
                continue
            for comment in ("", "# noisy"):
                fast = restructure.appended_table_edits(text, (), "log", "level", toml_text.string("debug"), comment)
                if fast is None:
                    continue
                compared += 1
                if fast != restructure.tomlkit_edits(text, _round_trip(comment)):
                    wrong.append(f"{path.relative_to(TESTS)} + {ending!r} ({comment or 'no comment'})")
    assert compared > 500
    assert wrong == []


def test_cuts_are_taken_out_first_and_deep_nesting_is_left_to_tomlkit() -> None:
    text = "debug = true # noisy\n[worker.oci]\nenabled = true\n"
    cut = (0, text.index("\n") + 1)
    fast = restructure.appended_table_edits(text, [cut], "log", "level", '"debug"', "# noisy")
    assert fast == restructure.tomlkit_edits(text, _round_trip("# noisy"), [cut])
    deep = "x = " + "[" * 120 + "]" * 120 + "\n"
    assert restructure.appended_table_edits(deep, (), "log", "level", '"debug"') is None
