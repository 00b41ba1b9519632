"""A daemon-flags string read as buildkitd reads it.

``split_flags`` splits exactly as buildx does (``github.com/google/shlex``: quotes,
backslash escapes, ``#`` comments at the start of a word), every token keeping its offsets
in the string so a caller can point into it. ``parse_flags`` then reads the words as
buildkitd's urfave/cli v3 parser does (v0.31+; older releases used v1, see
``ParsedFlags.positional``): ``--flag value``, ``--flag=value``, ``-flag``, boolean flags
that never take the next word, repeatable list flags, ``--``. It records unknown flags,
missing values, stray words, and each use of a known flag. ``Context.flags()`` is the parsed
``buildkitd-flags`` setting of a run, parsed once.

Read from docker/buildx ``builder/builder.go`` and the urfave/cli v3 parser vendored by
moby/buildkit.
"""

from __future__ import annotations

from bklint.rules.daemon_flags.flag_values import go_parse_bool
from bklint.rules.daemon_flags.table import FlagSpec, lookup
from bklint.rules.record import FrozenRecord, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.rules.base import Finding


class Token(FrozenRecord):
    __slots__ = ("end", "start", "text")

    text: str
    start: int  # offsets in the flags string
    end: int

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end


class Split(FrozenRecord):
    __slots__ = ("error", "error_offset", "tokens")

    tokens: tuple[Token, ...]
    error: str | None  # buildx refuses the flags: "failed to parse buildkit flags: …"
    error_offset: int

    def __init__(self, tokens: tuple[Token, ...], error: str | None = None, error_offset: int = 0) -> None:
        self.tokens = tokens
        self.error = error
        self.error_offset = error_offset


_SPACE = " \t\r\n"


def split_flags(text: str) -> Split:
    """Split like google/shlex ``Split``: what buildx hands to the container as arguments."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            continue
        if ch == "#":  # a comment runs to the end of the line
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        start = i
        value: list[str] = []
        while i < n and text[i] not in _SPACE:
            ch = text[i]
            if ch == "\\":
                if i + 1 >= n:
                    return Split(tuple(tokens), "EOF found after escape character", i)
                value.append(text[i + 1])
                i += 2
            elif ch == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    return Split(tuple(tokens), "EOF found when expecting closing quote", i)
                value.append(text[i + 1 : close])
                i = close + 1
            elif ch == '"':
                j = i + 1
                while True:
                    if j >= n:
                        return Split(tuple(tokens), "EOF found when expecting closing quote", i)
                    if text[j] == "\\":
                        if j + 1 >= n:
                            return Split(tuple(tokens), "EOF found after escape character", j)
                        value.append(text[j + 1])
                        j += 2
                    elif text[j] == '"':
                        break
                    else:
                        value.append(text[j])
                        j += 1
                i = j + 1
            else:
                value.append(ch)
                i += 1
        tokens.append(Token("".join(value), start, i))
    return Split(tuple(tokens))


class FlagUse(FrozenRecord):
    """One occurrence of a known flag."""

    __slots__ = ("end", "order", "spec", "start", "value", "written")

    spec: FlagSpec
    written: str  # the flag word as given, e.g. "--oci-worker-net=cni" or "-debug"
    value: str  # the raw value ("true" for a bare boolean flag)
    start: int
    end: int  # offsets in the flags string, covering a separate value word too
    order: int  # position among all flag uses

    def __init__(self, spec: FlagSpec, written: str, value: str, start: int, end: int, order: int) -> None:
        self.spec = spec
        self.written = written
        self.value = value
        self.start = start
        self.end = end
        self.order = order

    @property
    def shown(self) -> str:
        """How messages quote it: ``--name=value`` or ``--name``."""
        name = self.written.split("=", 1)[0]
        if self.spec.kind == "bool" and "=" not in self.written:
            return name
        return f"{name}={self.value}"


class BadWord(FrozenRecord):
    """An unknown flag, a flag without its value, or a word buildkitd does not read."""

    __slots__ = ("end", "name", "start", "text")

    text: str
    name: str
    start: int
    end: int

    def __init__(self, text: str, name: str, start: int, end: int) -> None:
        self.text = text
        self.name = name
        self.start = start
        self.end = end


class ParsedFlags(Record):
    __slots__ = ("missing_value", "positional", "split", "stopped", "text", "unknown", "uses")

    text: str
    split: Split
    uses: list[FlagUse]
    unknown: list[BadWord]
    missing_value: list[BadWord]
    # Words that are not flags. buildkitd (v0.31+) ignores them and goes on parsing;
    # releases up to v0.30 (urfave/cli v1, Go's flag package) stop at the first one and
    # ignore every flag after it too.
    positional: list[BadWord]
    # Where parsing stopped for good ("--", or a lone "-" after which v3 drops the rest).
    stopped: BadWord | None

    def __init__(
        self,
        text: str,
        split: Split,
        uses: list[FlagUse] | None = None,
        unknown: list[BadWord] | None = None,
        missing_value: list[BadWord] | None = None,
        positional: list[BadWord] | None = None,
        stopped: BadWord | None = None,
    ) -> None:
        self.text = text
        self.split = split
        self.uses = [] if uses is None else uses
        self.unknown = [] if unknown is None else unknown
        self.missing_value = [] if missing_value is None else missing_value
        self.positional = [] if positional is None else positional
        self.stopped = stopped

    def of(self, name: str) -> list[FlagUse]:
        return [u for u in self.uses if u.spec.name == name]

    def last(self, name: str) -> FlagUse | None:
        found = self.of(name)
        return found[-1] if found else None

    def on(self, *names: str) -> bool:
        """Whether one of the boolean flags ``names`` is given and true (its last use counts)."""
        return any((use := self.last(name)) is not None and go_parse_bool(use.value) is True for name in names)

    def is_set(self, name: str) -> bool:
        return any(u.spec.name == name for u in self.uses)


def parse_flags(text: str) -> ParsedFlags:
    split = split_flags(text)
    out = ParsedFlags(text, split)
    toks = split.tokens
    i = 0
    while i < len(toks):
        tok = toks[i]
        first = tok.text.strip()
        if not first or first[0] != "-":
            out.positional.append(BadWord(tok.text, "", tok.start, tok.end))
            i += 1
            continue
        if first == "--" or len(first) == 1:
            out.stopped = BadWord(tok.text, first, tok.start, toks[-1].end)
            out.positional.extend(BadWord(t.text, "", t.start, t.end) for t in toks[i + 1 :])
            break
        dashes = 2 if first[1] == "-" else 1
        if dashes == 1 and not first[1].isalpha():
            # Not a flag: urfave/cli treats it and everything after it as arguments.
            out.positional.extend(BadWord(t.text, "", t.start, t.end) for t in toks[i:])
            break
        name = first[dashes:]
        value: str | None = None
        if "=" in name:
            name, value = name.split("=", 1)
        spec = lookup(name)
        end = tok.end
        if spec is None:
            # buildkitd stops here ("flag provided but not defined"); keep reading to report
            # more, taking a following non-flag word as this flag's value.
            if value is None and i + 1 < len(toks) and not toks[i + 1].text.startswith("-"):
                i += 1
                end = toks[i].end
            out.unknown.append(BadWord(tok.text, name, tok.start, end))
            i += 1
            continue
        if spec.kind == "bool":
            value = value or "true"
        elif value is None:
            if i + 1 >= len(toks):
                out.missing_value.append(BadWord(tok.text, name, tok.start, tok.end))
                i += 1
                continue
            i += 1
            value = toks[i].text
            end = toks[i].end
        out.uses.append(
            FlagUse(spec, tok.text if "=" in first else first, value, tok.start, end, len(out.uses))
        )
        i += 1
    return out


def flag_finding(finding: Finding, *words: FlagUse | BadWord) -> Finding:
    """Attach where in the flags string the finding is (for callers that re-anchor)."""
    if words:
        finding.flags_span = (min(w.start for w in words), max(w.end for w in words))
    return finding
