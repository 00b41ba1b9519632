"""bklint's TOML parser reads a file as go-toml v2.3.1 (buildkitd, buildx) does.

What it accepts, where it puts each error, and how it goes on after one: every error of the
file from a single pass, and nothing judged that the parse could not read.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from bklint.linter import parse as parse_module
from bklint.linter.parse import parse
from tests.conftest import lint


def errors(text: str) -> list[tuple[int, int]]:
    """(line, column) of every syntax error, 1-based like go-toml's positions."""
    return [(p.line + 1, p.column + 1) for p in parse(text).problems]


def found(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.span.start.line + 1) for f in lint(text).findings]


# -- TOML 1.1's \e, which go-toml v2.3.1 accepts (issue 9 class 6) --------------------------
def test_escape_e_in_strings_multiline_strings_and_keys() -> None:
    text = '[worker.oci.labels]\n"team\\e" = "a\\eb"\nnote = """\nline\\e"""\n'
    outcome = parse(text)
    assert outcome.problems == []
    assert outcome.doc is not None
    assert outcome.doc.data["worker"]["oci"]["labels"] == {"team\x1b": "a\x1bb", "note": "line\x1b"}
    assert found(text) == []


def test_an_unknown_key_spelled_with_escape_e_is_still_reported() -> None:
    assert found('[worker.oci]\n"max-parallelism\\e" = 4\n') == [("BK101", 2)]


# -- where errors are (go-toml's line and column) ------------------------------------------
@pytest.mark.parametrize(
    ("text", "position"),
    [
        # issue 9 class 7: the loader stops at the line break that ends line 1
        ("root = '/var/lib/buildkit\n\n[worker.oci]\nmax-parallelism = 4\n", (1, 26)),
        ("a = [1, 2\n", None),  # go-toml gives no usable position at the end of the file
        ("[worker.oci]\nmax-parallelism = 04\n", (2, 20)),  # the number is `0`, then a stray `4`
        ("[worker.oci]\nmax-parallelism = 04", (2, 19)),  # at the very end, `04` is one number
        ("a = \"\\q\"\n", (1, 7)),
        ("x = [ , 1]\n", (1, 7)),
        ("x = [1 2]\n", (1, 8)),
        ("a = 1 b = 2\n", (1, 7)),
        ("a = 1979-02-30\n", (1, 5)),
        ("a = 1\r\nb = 2\rc = 3\n", (2, 6)),
        ("# bell \x07\n", (1, 8)),
        ("a = '''\nx\ny\x01\n", (3, 2)),  # an open literal string stops at a control character
        ('a = """\nx\ny\x01\n', None),  # an open basic one runs to the end
    ],
)
def test_errors_are_where_go_toml_puts_them(text: str, position: tuple[int, int] | None) -> None:
    found_at = errors(text)
    assert found_at, text
    if position is not None:
        assert found_at[0] == position


@pytest.mark.parametrize(
    "text",
    [
        "a = 0x7FFF_FFFF_FFFF_FFFF\n",
        "a = -9223372036854775808\n",
        "a = 1e308\nb = +inf\nc = -nan\nd = 1_000.5e-3\n",
        "a = 1979-05-27 07:32:00.999999999-07:00\nb = 0000-02-29\nc = 23:59:59\n",
        "a.b = 1\n[a.c]\n",
        "[a.b.c]\n[a]\nb.d = 1\n",
        "[[a]]\n[a.b]\n[[a]]\n[a.b]\n",
        "a = [[1, 2], [\"x\"], {b = {c = []}}]\n",
        "a = '''\n'' '''''\nb = \"\"\"\\\n   x \\\n  \"\"\"\n",
        "a = {}\nb = { c = 1, d.e = 2 }\n",
    ],
)
def test_what_go_toml_accepts_parses_cleanly(text: str) -> None:
    assert parse(text).problems == []


@pytest.mark.parametrize(
    "text",
    [
        "a = 9223372036854775808\n",
        "a = 0x8000000000000000\n",
        "a = 1e400\n",
        "a = 1__0\n",
        "a = 1.\n",
        "a = 00.5\n",
        "a = 07:32\n",
        "a = 1979-05-27T24:00:00\n",
        "a = 1979-05-27T07:32:00+24:00\n",
        'a = "\\x41"\n',
        'a = "\\uD800"\n',
        "a = {b = 1,}\n",
        "a = {\nb = 1}\n",
        "a = [1,,2]\n",
        "a = True\n",
        "a = '''x''''''\n",
        "[a]\n[a]\n",
        "a = 1\n[a]\n",
        "[[a]]\n[a]\n",
        "[a]\nb.c = 1\n[a.b]\n",
        "a = {b = 1}\na.c = 2\n",
        "a = [{b = 1}]\n[[a]]\n",
        "a = {b = 1, b = 2}\n",
    ],
)
def test_what_go_toml_refuses_is_an_error(text: str) -> None:
    assert parse(text).problems, text


def test_values_are_the_python_values_go_toml_decodes() -> None:
    outcome = parse(
        "i = 0o17\nf = 6.5e-1\nn = nan\nd = 1979-05-27\nt = 07:32:00.5\n"
        "z = 1979-05-27T07:32:00+01:30\nl = 1979-05-27 07:32:00\n"
    )
    assert outcome.doc is not None
    data = outcome.doc.data
    assert data["i"] == 15 and data["f"] == 0.65 and math.isnan(data["n"])
    assert data["d"] == dt.date(1979, 5, 27) and data["t"] == dt.time(7, 32, 0, 500000)
    assert data["z"].utcoffset() == dt.timedelta(hours=1, minutes=30)
    assert data["l"] == dt.datetime(1979, 5, 27, 7, 32)


# -- recovery: every error from one pass (issue 11 item 5, issue 9 class 8) ----------------
def test_twenty_five_errors_are_all_reported_from_a_single_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[int] = []
    real = parse_module._Parser.statements
    monkeypatch.setattr(parse_module._Parser, "statements", lambda self: passes.append(1) or real(self))
    text = "".join(f"[t{i}]\n" + "".join(f'k{j} = "v"\n' for j in range(20)) + "bad = = 1\n" for i in range(25))
    outcome = parse(text)
    assert len(outcome.problems) == 25
    assert [p.line for p in outcome.problems] == [22 * i + 21 for i in range(25)]
    assert passes == [1]


@pytest.mark.parametrize(
    "tail",
    [
        "foo = 1\nfoo = 2",  # a duplicate key, no final newline
        'foo = "abc',  # a string open up to the end of the file
        'foo = """abc\n',  # a multi-line string open up to the end of the file
        "foo = [1,\n",
    ],
)
def test_a_syntax_error_at_the_end_does_not_hide_an_earlier_type_error(tail: str) -> None:
    for ending in ("", "\n"):
        codes = found('[worker.oci]\nmax-parallelism = "4"\n' + tail + ending)
        assert ("BK004", 2) in codes, codes
        assert any(code == "BK001" for code, _ in codes), codes


def test_an_array_left_open_does_not_swallow_the_next_table() -> None:
    codes = found('mirrors = [\n[worker.oci]\nmax_parallelism = 4\n')
    assert ("BK001", 2) in codes and ("BK101", 3) in codes


def test_nothing_is_judged_in_what_the_parse_could_not_read() -> None:
    # The size is unreadable: no finding may come from the value or from its absence. The
    # type error stands (the loader decodes `"4"` before it meets the stray `x`).
    text = '[worker.oci]\nmax-parallelism = "4" x\nreservedSpace = 10GB\n'
    assert found(text) == [("BK004", 2), ("BK001", 2), ("BK001", 3)]


# -- stray text after a statement (`size = 10GB` is `10`, then `GB`) -------------------------
# What the loader does with each (BuildKit v0.32.2's loader, /work/oracle): it decodes the
# statement — so a type or value error in it comes first — and then fails on the stray text.
@pytest.mark.parametrize(
    ("statement", "column"),
    [
        ("reservedSpace = 10GB", 19),  # a number, then a unit
        ("reservedSpace = 04", 18),  # `0`, then `4`
        ('reservedSpace = "10GB" x', 24),  # a string
        ("reservedSpace = '10GB' '1GB'", 24),  # a literal string, then another
        ('reservedSpace = """10GB""" x', 28),  # a multi-line string
        ("keepDuration = 1979-05-27 x", 27),  # a date
        ("keepDuration = 1979-05-27T07:32:00Z x", 37),  # a date-time
        ("all = true false", 12),  # a boolean
        ("all = truex", 11),  # a boolean run into a word
        ('filters = ["type==regular"] x', 29),  # an array
        ('filters = ["type==regular"]]', 28),  # an array closed twice
        ("reservedSpace = {a = 1} x", 25),  # an inline table
        ("reservedSpace = {a = 1}}", 24),  # an inline table closed twice
        ("reservedSpace = 10\rall = true", 19),  # a lone carriage return
    ],
)
def test_stray_text_after_a_value_is_one_error_and_the_value_is_not_judged(statement: str, column: int) -> None:
    # No second error on the next line, and no finding from the half-read value nor from the
    # size it seems to lack (BK233 "deletes everything", BK229 "10 bytes", BK230…).
    text = f"[[worker.oci.gcpolicy]]\n{statement}\nmaxUsedSpace = \"10GiB\"\n"
    findings = [(f.code, f.span.start.line + 1, f.span.start.column + 1) for f in lint(text).findings]
    assert [f for f in findings if f[0] == "BK001"] == [("BK001", 2, column)], findings
    # Besides, only what the loader says of the statement itself: an error (BK004–BK008) or
    # a key it ignores (BK1xx).
    assert all(code[:4] in ("BK00", "BK10") and line == 2 for code, line, _ in findings), findings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what the loader says of the statement before the stray text stays
        ('[worker.oci]\nmax-parallelism = "4" x\n', [("BK004", 2), ("BK001", 2)]),
        ('[worker.oci]\nmax-parallelism = true x\n', [("BK004", 2), ("BK001", 2)]),
        ("[worker.oci]\nlabels = {a = 1} x\n", [("BK004", 2), ("BK001", 2)]),
        ('[worker.oci]\nreservedSpace = "10XB" x\n', [("BK005", 2), ("BK001", 2)]),
        ('[worker.oci]\nfoo = "a" x\n', [("BK101", 2), ("BK001", 2)]),
        # the next line is read as a statement of its own
        ('[worker.oci]\nfoo = "a" x\nmax-parallelism = "4"\n', [("BK101", 2), ("BK001", 2), ("BK004", 3)]),
        ("[worker.oci]\nmax-parallelism = 4 x\nmax-parallelism = 5\n", [("BK001", 2), ("BK001", 3)]),
        # headers: the table is opened, the keys below it are its own
        ("[worker.oci] x\nmax_parallelism = 4\n", [("BK001", 1), ("BK101", 2)]),
        ("[worker.oci]]\nmax_parallelism = 4\n", [("BK001", 1), ("BK101", 2)]),
        ("[[worker.oci.gcpolicy]] x\nall = true\n", [("BK001", 1)]),
        # (the header itself was read: its name is judged)
        ('[registry."docker"] x\nmirrors = ["m.example"]\n', [("BK207", 1), ("BK001", 1)]),
    ],
)
def test_stray_text_keeps_what_the_loader_says_of_the_statement(text: str, expected: list[tuple[str, int]]) -> None:
    assert found(text) == expected


def test_a_table_with_an_unreadable_value_is_not_judged_for_what_it_lacks() -> None:
    # The size is there but unreadable: the rule is not "without a size" (BK233).
    for value in ("@", "10GB", '"1\\q"', "1979-02-30"):
        codes = found(f"[[worker.oci.gcpolicy]]\nreservedSpace = {value}\nall = true\n")
        assert [code for code, _ in codes] == ["BK001"], (value, codes)
    # A readable policy beside it is still judged.
    text = "[[worker.oci.gcpolicy]]\nreservedSpace = 10GB\n[[worker.oci.gcpolicy]]\nall = true\n"
    assert found(text) == [("BK001", 2), ("BK233", 3)]
    # Each rule below judges what a table lacks: it speaks when the table reads whole and
    # lacks the key, not when the key is on a line the parse could not read.
    for lacking, unreadable, code in [
        ('[worker.containerd.runtime]\npath = "/usr/bin/runc"\n', 'name = "io.containerd.runc.v2" x\n', "BK253"),
        ('[history]\nmaxAge = "48h"\n', "maxEntries = 5O\n", "BK251"),
        ('[grpc.tls]\ncert = "/etc/a.pem"\n', 'key = "/etc/b.pem" x\n', "BK313"),
        ('[[registry."r.example".keypair]]\ncert = "/etc/a.pem"\n', 'key = "/etc/b.pem" x\n', "BK313"),
    ]:
        assert code in [c for c, _ in found(lacking)]
        assert code not in [c for c, _ in found(lacking + unreadable)], unreadable


def test_a_broken_header_does_not_move_its_keys_into_the_previous_table() -> None:
    assert found("[worker.oci]\n[registry.10.0.0.1:5000]\nhttp = true\n") == [("BK001", 2)]


def test_too_many_errors_stop_the_parse_with_a_word_about_it() -> None:
    problems = parse("x = = 1\n" * 500).problems
    assert len(problems) == parse_module.MAX_PROBLEMS + 1
    assert "stops after" in problems[-1].message
