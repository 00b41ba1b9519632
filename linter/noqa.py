"""Suppression comments: `# noqa: BK201` on a line or a table header, `# bklint: noqa` for a file.

Applied by the runner after every rule has run, so rules never deal with them; directives
that suppress nothing are reported (BK901) so they do not outlive the problem they hid.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bklint.rules.base import Edit, Finding, Fix, Span
from bklint.rules.catalog.meta import UnusedNoqa
from bklint.rules.document import Document
from bklint.rules.record import Record
from bklint.rules.regex import Regex

_CODE = r"[A-Z]+[0-9]+"
_LINE = Regex(rf"#\s*noqa(?P<sep>\s*:\s*(?P<codes>{_CODE}(?:\s*,\s*{_CODE})*))?", re.IGNORECASE)
_FILE = Regex(rf"^\s*#\s*bklint\s*:\s*noqa(?:\s*:\s*(?P<codes>{_CODE}(?:\s*,\s*{_CODE})*))?\s*$", re.IGNORECASE)
_HEADER = Regex(r"^\s*\[")


class Directive(Record):
    __slots__ = ("codes", "end", "last_line", "line", "scope", "start", "used", "used_blanket")

    line: int
    start: int  # column of "#"
    end: int
    codes: list[str] | None  # None = every code
    scope: str  # "line" | "table" | "file"
    # The last line the directive covers (tables: up to the next header).
    last_line: int
    used: set[str]
    used_blanket: bool

    def __init__(
        self,
        line: int,
        start: int,
        end: int,
        codes: list[str] | None,
        scope: str,
        last_line: int = 0,
        used: set[str] | None = None,
        used_blanket: bool = False,
    ) -> None:
        self.line = line
        self.start = start
        self.end = end
        self.codes = codes
        self.scope = scope
        self.last_line = last_line
        self.used = set() if used is None else used
        self.used_blanket = used_blanket


def parse_directives(text: str, doc: Document | None) -> list[Directive]:
    """The directives in a TOML file (``doc`` tells table headers and strings apart)."""
    if "noqa" not in text.lower():
        return []
    lines = text.split("\n")
    strings = _string_ranges(doc)

    def inside_string(line: int, column: int) -> bool:
        return doc is not None and _inside(doc, strings, line, column)

    return _scan(lines, _header_lines(lines, doc), inside_string)


def parse_yaml_directives(text: str, foreign: Callable[[int, int], bool]) -> list[Directive]:
    """The directives in the comments of a YAML file that embeds configs.

    YAML has no tables, so a directive covers its line or (``# bklint: noqa`` on a line of
    its own) the file. ``foreign(line, column)`` is true where the ``#`` is part of an
    embedded config: its own lint reads those comments, with TOML's scopes.
    """
    if "noqa" not in text.lower():
        return []
    return _scan(text.split("\n"), [], foreign)


def _scan(lines: list[str], header_lines: list[int], skip: Callable[[int, int], bool]) -> list[Directive]:
    directives: list[Directive] = []
    for n, raw in enumerate(lines):
        if "noqa" not in raw.lower():
            continue
        line = raw.rstrip("\r")
        m = _FILE.match(line)
        if m:
            if not skip(n, line.index("#")):
                directives.append(Directive(n, line.index("#"), len(line), _codes(m.group("codes")), "file", len(lines)))
            continue
        for m in _LINE.finditer(line):
            if skip(n, m.start()):
                continue
            codes = _codes(m.group("codes"))
            if line.lstrip().startswith("#"):
                continue  # a comment line of its own is not attached to anything
            if n in header_lines:
                nxt = next((h for h in header_lines if h > n), len(lines))
                directives.append(Directive(n, m.start(), m.end(), codes, "table", nxt - 1))
            else:
                directives.append(Directive(n, m.start(), m.end(), codes, "line", n))
            break
    return directives


def _codes(group: str | None) -> list[str] | None:
    if not group:
        return None
    return [c.strip().upper() for c in group.split(",") if c.strip()]


def _header_lines(lines: list[str], doc: Document | None) -> list[int]:
    if doc is not None:
        out: set[int] = set()
        for _, node in doc.walk():
            for start, _end in node.headers:
                out.add(doc.position(start).line)
        return sorted(out)
    return [i for i, line in enumerate(lines) if _HEADER.match(line)]


def _string_ranges(doc: Document | None) -> list[tuple[int, int]]:
    if doc is None:
        return []
    out = []
    for _, node in doc.walk():
        if node.kind == "value" and node.value_start >= 0 and doc.text[node.value_start] in "\"'":
            out.append((node.value_start, node.value_end))
    return out


def _inside(doc: Document, strings: list[tuple[int, int]], line: int, column: int) -> bool:
    offset = doc.line_starts[line] + column
    return any(s <= offset < e for s, e in strings)


def _covers(d: Directive, code: str, line: int) -> bool:
    if d.scope == "line" and d.line != line:
        return False
    if d.scope == "table" and not d.line <= line <= d.last_line:
        return False
    return d.codes is None or code in d.codes


def suppressed(directives: list[Directive], code: str, line: int) -> bool:
    """Whether a finding of ``code`` on ``line`` would be suppressed (nothing is marked used)."""
    return any(_covers(d, code, line) for d in directives)


def apply(findings: list[Finding], directives: list[Directive]) -> list[Finding]:
    """Drop suppressed findings; mark which directive codes were used."""
    if not directives:
        return findings
    kept = []
    for finding in findings:
        line = finding.span.start.line
        suppressed = False
        for d in directives:
            if not _covers(d, finding.code, line):
                continue
            if d.codes is None:
                d.used_blanket = True
            else:
                d.used.add(finding.code)
            suppressed = True
        if not suppressed:
            kept.append(finding)
    return kept


def unused(directives: list[Directive], enabled_codes: set[str], known_codes: set[str]) -> list[Finding]:
    """BK901 findings for directives (or codes in them) that suppressed nothing."""
    out = []
    for d in directives:
        span = Span.at(d.line, d.start, d.line, d.end)
        if d.codes is None:
            if not d.used_blanket:
                out.append(UnusedNoqa.finding("`noqa` suppresses nothing here", span, fix=_remove(d)))
            continue
        unknown = [c for c in d.codes if c not in known_codes]
        idle = [c for c in d.codes if c in known_codes and c in enabled_codes and c not in d.used]
        if not unknown and not idle:
            continue
        parts = []
        if idle:
            parts.append(f"nothing to suppress for {', '.join(idle)}")
        if unknown:
            parts.append(f"unknown code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
        keep = [c for c in d.codes if c not in idle and c not in unknown]
        fix = _remove(d) if not keep else _rewrite(d, keep)
        out.append(UnusedNoqa.finding(f"unused `noqa`: {'; '.join(parts)}", span, fix=fix))
    return out


def _remove(d: Directive) -> Fix | None:
    if d.scope == "file":
        return Fix("remove the directive", (Edit(Span.at(d.line, 0, d.line + 1, 0), ""),))
    return Fix("remove the `noqa` comment", (Edit(Span.at(d.line, d.start, d.line, d.end), ""),))


def _rewrite(d: Directive, keep: list[str]) -> Fix:
    prefix = "# bklint: noqa: " if d.scope == "file" else "# noqa: "
    start = 0 if d.scope == "file" else d.start
    return Fix("keep only the codes in use", (Edit(Span.at(d.line, start, d.line, d.end), prefix + ", ".join(keep)),))


def prose(comment: str) -> str:
    """A comment without its noqa directives: the words a fix must never delete."""
    return _LINE.sub("", _FILE.sub("", comment)).strip("# \t\r")


def noqa_edit(line_text: str, line: int, code: str) -> Edit:
    """The edit adding ``code`` to the line's noqa comment (or a new one), for editors."""
    body = line_text.rstrip("\r")
    m = _LINE.search(body)
    if m is not None:
        codes = _codes(m.group("codes")) or []
        if code not in codes:
            codes.append(code)
        return Edit(Span.at(line, m.start(), line, m.end()), "# noqa: " + ", ".join(codes))
    stripped = body.rstrip()
    return Edit(Span.at(line, len(stripped), line, len(body)), f"  # noqa: {code}")
