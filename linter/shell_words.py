"""Shell text split into simple commands and words, as a POSIX shell splits them, with offsets.

Enough of the shell's grammar to read a `docker buildx create …` line back exactly: quotes
(``'…'``, ``"…"`` with its four escapes), backslashes, backslash-newline continuations
(inside double quotes too), ``#`` comments, and the operators that end a simple command
(newline, ``;``, ``&``, ``|``, ``(``, ``)``). Nothing is expanded: a word holding a
parameter or command substitution (``$VAR``, ``${…}``, ``$(…)``, backticks) or a make/just
interpolation (``$(VAR)``, ``{{var}}``) is marked ``expanded``, because its value is only
known when the script runs. Each character of a word's value remembers the offset it came
from in the text, so a finding about part of a value (one daemon flag inside
``--buildkitd-flags "…"``) lands on the right column of the script.

This is not ``shlex``: the standard module gives no offsets and no command boundaries.
"""

from __future__ import annotations

from collections.abc import Callable

from bklint.rules.record import Record
from bklint.rules.regex import Regex

_BLANK = " \t\r"
_OPERATORS = "\n;&|()"
_NAME_START = Regex(r"[A-Za-z_0-9@*#?$!{(-]")
_PARAMETER = Regex(r"[A-Za-z_][A-Za-z_0-9]*|.")
_Keep = Callable[[str, int], None]
# A make recipe line (tab first) or a just recipe line (indented) may start with the
# prefixes that silence it or ignore its failure; they are not part of the command.
_MAKE_PREFIX = Regex(r"^(\t[ \t]*)([@+-]+)")
_JUST_PREFIX = Regex(r"^([ \t]+)([@-]+)")


class Word(Record):
    """One word after quote removal, with where each of its characters came from."""

    __slots__ = ("end", "expanded", "origins", "start", "value")

    value: str
    start: int  # offsets in the text: the word as written, quotes included
    end: int
    expanded: bool  # holds something only the running shell (or make, just) knows
    origins: list[int]  # text offset of each value character

    def __init__(
        self,
        value: str,
        start: int,
        end: int,
        expanded: bool = False,
        origins: list[int] | None = None,
    ) -> None:
        self.value = value
        self.start = start
        self.end = end
        self.expanded = expanded
        self.origins = [] if origins is None else origins

    def offsets(self, start: int, end: int) -> tuple[int, int]:
        """Text offsets of ``value[start:end]`` (the whole word when the slice is empty)."""
        if not self.origins or start >= end or start >= len(self.origins):
            return self.start, self.end
        return self.origins[start], self.origins[min(end, len(self.origins)) - 1] + 1


class Script(Record):
    __slots__ = ("commands", "comments")

    commands: list[list[Word]]
    comments: list[int]  # offsets of the `#` that start comments

    def __init__(self, commands: list[list[Word]] | None = None, comments: list[int] | None = None) -> None:
        self.commands = [] if commands is None else commands
        self.comments = [] if comments is None else comments


def blank_recipe_prefixes(text: str, dialect: str) -> str:
    """Make's `@`/`-`/`+` and just's `@`/`-` recipe prefixes as spaces (offsets unchanged).

    Only where a recipe line starts: a line continued from the one before is not.
    """
    pattern = _MAKE_PREFIX if dialect == "make" else _JUST_PREFIX if dialect == "just" else None
    if pattern is None:
        return text
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if n and lines[n - 1].rstrip("\r").endswith("\\"):
            continue
        lines[n] = pattern.sub(lambda m: m.group(1) + " " * len(m.group(2)), line, count=1)
    return "\n".join(lines)


def split(text: str) -> Script:
    """The simple commands of ``text``, each a list of words."""
    out = Script()
    command: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and text.startswith("\n", i + 1):
            i += 2
        elif ch in _BLANK:
            i += 1
        elif ch in _OPERATORS:
            if command:
                out.commands.append(command)
                command = []
            i += 1
        elif ch == "#":
            out.comments.append(i)
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
        else:
            word, i = _word(text, i)
            command.append(word)
    if command:
        out.commands.append(command)
    return out


def _word(text: str, i: int) -> tuple[Word, int]:
    n = len(text)
    word = Word("", i, i)
    chars: list[str] = []

    def keep(ch: str, at: int) -> None:
        chars.append(ch)
        word.origins.append(at)

    while i < n:
        ch = text[i]
        if ch == "\\":
            if text.startswith("\n", i + 1):
                i += 2
            elif i + 1 < n:
                keep(text[i + 1], i + 1)
                i += 2
            else:
                i += 1
        elif ch == "'":
            close = text.find("'", i + 1)
            close = n if close < 0 else close
            for k in range(i + 1, close):
                keep(text[k], k)
            i = close + 1
        elif ch == '"':
            i = _double_quoted(text, i + 1, word, keep)
        elif (after := _expansion(text, i, word, keep)) is not None:
            i = after
        elif ch in _BLANK or ch in _OPERATORS:
            break
        else:
            if ch == "{" and text.startswith("{{", i):
                word.expanded = True  # a just interpolation
            keep(ch, i)
            i += 1
    word.value = "".join(chars)
    word.end = min(i, n)
    return word, word.end


def _double_quoted(text: str, i: int, word: Word, keep: _Keep) -> int:
    n = len(text)
    while i < n and text[i] != '"':
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in '"\\$`\n':
            if text[i + 1] != "\n":
                keep(text[i + 1], i + 1)
            i += 2
        elif (after := _expansion(text, i, word, keep)) is not None:
            i = after
        else:
            keep(ch, i)
            i += 1
    return i + 1


def _expansion(text: str, i: int, word: Word, keep: _Keep) -> int | None:
    """A substitution starting at ``i``, kept verbatim (the word is marked); None when there is none."""
    if text[i] == "$" and _NAME_START.match(text, i + 1):
        word.expanded = True
        return _substitution(text, i, keep)
    if text[i] == "`":
        word.expanded = True
        return _backticks(text, i, keep)
    return None


def _backticks(text: str, i: int, keep: _Keep) -> int:
    """An old-style command substitution kept verbatim; returns the offset after it."""
    close = text.find("`", i + 1)
    end = len(text) if close < 0 else close + 1
    for k in range(i, end):
        keep(text[k], k)
    return end


def _substitution(text: str, i: int, keep: _Keep) -> int:
    """``$name``, ``${…}`` or ``$(…)`` kept verbatim (brackets balanced); returns the offset after it."""
    n = len(text)
    opener = text[i + 1] if i + 1 < n else ""
    if opener in "({":
        closer = ")" if opener == "(" else "}"
        depth, j = 0, i + 1
        while j < n:
            if text[j] == opener:
                depth += 1
            elif text[j] == closer:
                depth -= 1
                if depth == 0:
                    break
            j += 1
        end = min(j + 1, n)
    else:
        m = _PARAMETER.match(text, i + 1)
        end = m.end() if m else i + 1
    for k in range(i, end):
        keep(text[k], k)
    return end


__all__ = ["Script", "Word", "blank_recipe_prefixes", "split"]
