"""Hypothesis strategies: structure-aware mutants of real configs and the conformance vectors.

Seeds are every config the tests hold: the load and certs vectors, the valid toml-test
files and the real corpus (once copied into tests/). A mutant is a seed with a few
statement-level changes drawn from what real configs contain (their own key names, headers
and value forms), so most mutants stay close to something a user could write; the hostile
mutations add what editors and attackers send (lone surrogates, NUL, bare CR, huge
repetition, truncation).

Reuse: ``configs()`` for any property over configs (``hostile=False`` keeps to the
statement-level changes), ``edit_scripts()`` for editing sessions, ``as_bytes()`` to write a
mutant to disk exactly.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.conftest import TESTS, VECTORS

# BKLINT_FUZZ=long runs every property a hundred times longer, with a fresh random seed.
LONG = os.environ.get("BKLINT_FUZZ", "") == "long"


def budget(examples: int, **kwargs: object) -> settings:
    """Hypothesis settings: in CI a fixed seed and ``examples`` runs, no example database.

    No per-example deadline: time is bounded by :func:`tests.fuzz.limits.bounded`, which stops a
    runaway input instead of timing normal ones.
    """
    common: dict[str, object] = {
        "deadline": None,
        "suppress_health_check": list(HealthCheck),
        "print_blob": True,
        **kwargs,
    }
    if LONG:
        return settings(max_examples=examples * 100, **common)  # type: ignore[arg-type]
    return settings(max_examples=examples, derandomize=True, database=None, **common)  # type: ignore[arg-type]


# Bounds that keep one example cheap; the hostile-file checks run bigger inputs on purpose.
MAX_REPEAT = 400
MAX_LONG = 20_000


def corpus_dirs() -> list[Path]:
    """Where the real configs live inside tests/ (the catalog engineer's copy), if present."""
    return [p for p in (TESTS / "data" / "corpus" / "real", TESTS / "data" / "corpus") if p.is_dir()]


@functools.cache
def seeds() -> tuple[tuple[str, str], ...]:
    """(name, text) of every seed config that is UTF-8 text."""
    files: list[tuple[str, Path]] = []
    for family in ("load", "certs"):
        files += [(f"{family}/{p.parent.name}", p) for p in sorted((VECTORS / family).glob("*/buildkitd.toml"))]
    files += [(str(p.relative_to(VECTORS)), p) for p in sorted((VECTORS / "toml-test" / "valid").rglob("*.toml"))]
    for folder in corpus_dirs():
        files += [(f"corpus/{p.name}", p) for p in sorted(folder.glob("*.toml"))]
    out: list[tuple[str, str]] = []
    for name, path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if len(text) <= 200_000:
            out.append((name, text))
    return tuple(out)


class Vocabulary(NamedTuple):
    keys: tuple[str, ...]
    headers: tuple[str, ...]
    values: tuple[str, ...]
    lines: tuple[str, ...]


_KEY_LINE = re.compile(r"^[ \t]*([A-Za-z0-9_\-\"'. ]+?)[ \t]*=[ \t]*(.+?)[ \t]*$")
_HEADER_LINE = re.compile(r"^[ \t]*(\[\[?[^\[\]\n]+\]\]?)")


@functools.cache
def vocabulary() -> Vocabulary:
    """Key names, headers, single-line values and statements as the seeds write them."""
    keys: set[str] = set()
    headers: set[str] = set()
    values: set[str] = set()
    lines: set[str] = set()
    for _, text in seeds():
        for line in text.splitlines():
            if len(line) > 300:
                continue
            if (m := _HEADER_LINE.match(line)) is not None:
                headers.add(m.group(1))
                lines.add(line)
            elif (m := _KEY_LINE.match(line)) is not None:
                keys.add(m.group(1).strip())
                value = m.group(2)
                if not value.startswith(("'''", '"""')) and "#" not in value:
                    values.add(value)
                lines.add(line)
    return Vocabulary(*(tuple(sorted(s)) for s in (keys, headers, values, lines)))


# -- values ------------------------------------------------------------------------------------

_SCALARS = st.sampled_from(
    [
        "true", "false", "0", "-1", "+7", "4", "0x10", "0o17", "0b101", "1_000", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1.5", "-0.0", "inf", "-inf", "nan", "1e400", "6.02e23",
        '""', '"48h"', '"10GB"', '"512MiB"', '"10%"', '"-5%"', '"abc"', '"1h30m"', "'literal'", "''",
        '"\\u00e9"', '"\\uD800"', '"tab\\there"', '"\\x41"', "1979-05-27T07:32:00Z", "1979-05-27", "07:32:00",
        '"/etc/buildkit/ca.pem"', '"certs/ca.pem"', '"docker.io"', '"mirror.gcr.io"', '"unix:///run/buildkit.sock"',
    ]
)


def values() -> st.SearchStrategy[str]:
    """A TOML value as written (right or wrong for any key): scalars, arrays, inline tables."""
    seen = st.sampled_from(vocabulary().values) if vocabulary().values else _SCALARS
    leaf = st.one_of(_SCALARS, seen)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.lists(st.tuples(st.sampled_from(vocabulary().keys or ("a",)), inner), max_size=3).map(
                lambda kvs: "{" + ", ".join(f"{k} = {v}" for k, v in kvs) + "}"
            ),
        ),
        max_leaves=6,
    )


# -- mutations ---------------------------------------------------------------------------------

Mutation = Callable[[st.DrawFn, str], str]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _index(draw: st.DrawFn, items: Sequence[object], extra: int = 0) -> int:
    return draw(st.integers(0, max(len(items) - 1 + extra, 0)))


def _with_newline(line: str) -> str:
    return line if line.endswith("\n") else line + "\n"


def delete_statement(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    del lines[_index(draw, lines)]
    return "".join(lines)


def duplicate_statement(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    line = lines[_index(draw, lines)]
    lines.insert(_index(draw, lines, 1), _with_newline(line))
    return "".join(lines)


def move_statement(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    line = lines.pop(_index(draw, lines))
    lines.insert(_index(draw, lines, 1), _with_newline(line))
    return "".join(lines)


def splice_statement(draw: st.DrawFn, text: str) -> str:
    """A statement (key line or header) from another config."""
    lines = _lines(text)
    pool = vocabulary().lines
    if not pool:
        return text
    lines.insert(_index(draw, lines, 1), _with_newline(draw(st.sampled_from(pool))))
    return "".join(lines)


def insert_key(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    key = draw(st.sampled_from(vocabulary().keys or ("debug",)))
    lines.insert(_index(draw, lines, 1), f"{key} = {draw(values())}\n")
    return "".join(lines)


def insert_header(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    header = draw(st.sampled_from(vocabulary().headers or ("[worker.oci]",)))
    lines.insert(_index(draw, lines, 1), header + "\n")
    return "".join(lines)


_VALUE_AT = re.compile(r"(=[ \t]*)([^#\n]*?)([ \t]*(?:#[^\n]*)?)$", re.M)


def _rewrite_match(draw: st.DrawFn, text: str, pattern: re.Pattern[str], new: Callable[[str], str]) -> str:
    """``text`` with group 2 of one match of ``pattern`` replaced by ``new(group)``."""
    matches = list(pattern.finditer(text))
    if not matches:
        return text
    m = draw(st.sampled_from(matches))
    return text[: m.start(2)] + new(m.group(2)) + text[m.end(2) :]


def change_value(draw: st.DrawFn, text: str) -> str:
    return _rewrite_match(draw, text, _VALUE_AT, lambda _: draw(values()))


def _respell(draw: st.DrawFn, key: str) -> str:
    how = draw(st.sampled_from(["upper", "lower", "swapcase", "dash", "underscore", "drop", "suffix", "dot"]))
    if how == "upper":
        return key.upper()
    if how == "lower":
        return key.lower()
    if how == "swapcase":
        return key.swapcase()
    if how == "dash":
        return key.replace("_", "-")
    if how == "underscore":
        return key.replace("-", "_")
    if how == "drop" and len(key) > 1:
        i = draw(st.integers(0, len(key) - 1))
        return key[:i] + key[i + 1 :]
    if how == "dot":
        return f"{key}.x"
    return key + draw(st.sampled_from(["s", "_", "2", "Bytes"]))


_KEY_AT = re.compile(r"^([ \t]*)([A-Za-z0-9_\-]+)([ \t]*=)", re.M)


def respell_key(draw: st.DrawFn, text: str) -> str:
    """A key as users misspell it: case, ``-``/``_``, a dropped or added letter."""
    return _rewrite_match(draw, text, _KEY_AT, lambda key: _respell(draw, key))


_QUOTED_NAME = re.compile(r'"([A-Za-z0-9.\-:_]+)"')


def toggle_quotes(draw: st.DrawFn, text: str) -> str:
    """``registry."docker.io"`` <-> ``registry.docker.io`` (the classic dotted-name mistake)."""
    matches = list(_QUOTED_NAME.finditer(text))
    if matches and draw(st.booleans()):
        m = draw(st.sampled_from(matches))
        return text[: m.start()] + m.group(1) + text[m.end() :]
    return text.replace("[registry.", '[registry."', 1).replace("]", '"]', 1) if "[registry." in text else text


def add_comment(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    i = _index(draw, lines)
    comment = "# " + draw(st.sampled_from(["keep me", "needed for CI incident 42", "30GB", "é 🐳", "noqa", "bklint: noqa"]))
    if draw(st.booleans()):
        body = lines[i].rstrip("\r\n")
        ending = lines[i][len(body) :]
        lines[i] = f"{body}  {comment}{ending or ''}"
    else:
        lines.insert(i, comment + "\n")
    return "".join(lines)


# Hostile: what an editor buffer or an attacker can hold.
_ODD = ["\ud800", "\udfff", "\U0001f433", "\u00e9", "e\u0301", "\u212a", "\x00", "\r", "\r\n", "\t", "\ufeff",
        "\x7f", "\u2028", "\\", '"', "'", "[", "]", "{", "}", "=", ".", ",", "#", "\n", '"""', "'''"]


def insert_odd(draw: st.DrawFn, text: str) -> str:
    """A character or token at any offset (lone surrogates, NUL, bare CR, BOM, brackets…)."""
    at = draw(st.integers(0, len(text)))
    odd = "".join(draw(st.lists(st.sampled_from(_ODD), min_size=1, max_size=3)))
    return text[:at] + odd + text[at:]


def truncate(draw: st.DrawFn, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


def repeat_statement(draw: st.DrawFn, text: str) -> str:
    """One statement many times (duplicate keys, tables, array-of-tables headers)."""
    lines = _lines(text)
    line = _with_newline(lines[_index(draw, lines)])
    times = draw(st.integers(2, MAX_REPEAT))
    lines.insert(_index(draw, lines, 1), line * times)
    return "".join(lines)


def long_value(draw: st.DrawFn, text: str) -> str:
    """A long string, a long array or a long line of findings, at most ``MAX_LONG`` characters."""
    n = draw(st.integers(1, MAX_LONG // 8))
    kind = draw(st.sampled_from(["string", "array", "mixed-array", "inline", "comment"]))
    key = draw(st.sampled_from(vocabulary().keys or ("mirrors",)))
    if kind == "string":
        value = '"' + draw(st.sampled_from(["a", "é", "🐳", "\\n"])) * n + '"'
    elif kind == "array":
        value = "[" + ", ".join(['"x"'] * n) + "]"
    elif kind == "mixed-array":
        value = "[" + ", ".join(["1", '"é"', "true"] * (n // 3 + 1)) + "]"
    elif kind == "inline":
        value = "{" + ", ".join(f"k{i} = {i}" for i in range(min(n, 1000))) + "}"
    else:
        value = '"x" # ' + "🐳" * n
    lines = _lines(text)
    lines.insert(_index(draw, lines, 1), f"{key} = {value}\n")
    return "".join(lines)


SAFE: tuple[Mutation, ...] = (
    delete_statement,
    duplicate_statement,
    move_statement,
    splice_statement,
    insert_key,
    insert_header,
    change_value,
    respell_key,
    toggle_quotes,
    add_comment,
)
HOSTILE: tuple[Mutation, ...] = (insert_odd, truncate, repeat_statement, long_value)


@st.composite
def configs(draw: st.DrawFn, hostile: bool = True, max_mutations: int = 4) -> str:
    """A seed config with up to ``max_mutations`` mutations (``hostile`` adds the hostile ones)."""
    _, text = draw(st.sampled_from(seeds()))
    pool = SAFE + HOSTILE if hostile else SAFE
    for _ in range(draw(st.integers(0, max_mutations))):
        text = draw(st.sampled_from(pool))(draw, text)
    return text


def as_bytes(text: str) -> bytes:
    """A mutant as file bytes (lone surrogates become the invalid UTF-8 an editor would save)."""
    return text.encode("utf-8", "surrogatepass")


# -- editing sessions ----------------------------------------------------------------------------


class Edit(NamedTuple):
    """Replace ``text[start:end]`` (code-point offsets) with ``new``."""

    start: int
    end: int
    new: str


@functools.cache
def typed() -> st.SearchStrategy[str]:
    """What one edit inserts: a keystroke (half a surrogate pair included), a word or a statement."""
    return st.one_of(
        st.sampled_from(["", "a", "=", " ", "\n", '"', "[", "]", ".", "#", "é", "🐳", "\ud83d", "\udc33", "\r\n", "\t"]),
        st.text(max_size=8),
        st.sampled_from(vocabulary().lines or ("debug = true",)).map(_with_newline),
    )


@st.composite
def edits(draw: st.DrawFn, text: str) -> Edit:
    """One edit of ``text``: a keystroke, a deletion, a paste or a replacement of a range."""
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + draw(st.sampled_from([0, 0, 1, 5, 80])))))
    return Edit(start, end, draw(typed()))


def apply(text: str, edit: Edit) -> str:
    return text[: edit.start] + edit.new + text[edit.end :]


@st.composite
def edit_scripts(draw: st.DrawFn, max_edits: int = 50) -> tuple[str, list[Edit]]:
    """A starting config and a sequence of edits, each drawn against the text before it."""
    text = draw(configs(max_mutations=2))
    start = text
    script: list[Edit] = []
    for _ in range(draw(st.integers(1, max_edits))):
        edit = draw(edits(text))
        script.append(edit)
        text = apply(text, edit)
    return start, script


__all__ = [
    "HOSTILE",
    "SAFE",
    "Edit",
    "apply",
    "as_bytes",
    "budget",
    "configs",
    "corpus_dirs",
    "edit_scripts",
    "edits",
    "seeds",
    "values",
    "vocabulary",
]
