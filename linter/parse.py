"""Text to ``Document``: syntax check with ``tomllib``, then the source map.

``tomllib`` agrees with go-toml v2's generic parse (what ``docker buildx create`` runs first)
on every file of the TOML test suite, so it is the syntax oracle. Deeply nested arrays are
valid TOML that go-toml accepts; Python's recursion limit is not, so such files are parsed
again in a thread with a large stack.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bklint.linter.sourcemap import build_source_map
from bklint.rules.context import SyntaxProblem
from bklint.rules.document import Document, line_starts
from bklint.rules.schema.values import INT64_MAX, INT64_MIN
from bklint.rules.tomllib_compat import tomllib

T = TypeVar("T")

# Nesting deeper than this is refused outright: memory and time must stay bounded.
MAX_DEPTH = 20_000
LONG_NUMBER = re.compile(r"[0-9a-fA-F_]{16}")
_HUGE_DIGITS = re.compile(r"[0-9_]{4000,}")
_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_EOD = "(at end of document)"


@dataclass(slots=True)
class ParseOutcome:
    """A document (possibly recovered around syntax errors) and the errors found."""

    doc: Document | None
    problems: list[SyntaxProblem] = field(default_factory=list)
    # Character ranges replaced by blanks or placeholders to get past syntax errors.
    masked: list[tuple[int, int]] = field(default_factory=list)


# Recovery re-parses the text once per syntax error; bound the work on big or broken files.
MAX_RECOVERIES = 25
MAX_RECOVERY_SIZE = 2_000_000
_KEY_VALUE = re.compile(
    r"""[ \t]*(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
    r"""(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'))*[ \t]*=[ \t]*"""
)


def parse(text: str) -> ParseOutcome:
    """Parse ``text``; after a syntax error, blank the offending statement and go on.

    go-toml stops at the first error, but the user (and the editor) gains from seeing the
    rest of the file checked too; recovered parts are masked so no finding comes from them.
    """
    outcome = ParseOutcome(None)
    work = text
    tried: set[int] = set()
    for _ in range(MAX_RECOVERIES + 1):
        try:
            data = _deep(tomllib.loads, work)
        except tomllib.TOMLDecodeError as exc:
            problem = _problem(str(exc), work)
            outcome.problems.append(problem)
            if len(text) > MAX_RECOVERY_SIZE or "end of the file" in problem.message:
                return outcome
            work = _mask(work, problem.line, problem.line in tried, outcome.masked)
            tried.add(problem.line)
            continue
        except (RecursionError, MemoryError):
            outcome.problems.append(SyntaxProblem("the file nests arrays or inline tables too deeply to check", 0, 0))
            return outcome
        except ValueError:  # Python's int-from-text limit (4,300 digits), far beyond 64 bits
            outcome.problems.append(_huge_integer(work))
            return outcome
        root = _deep(build_source_map, work)
        outcome.doc = Document(text, data, root)
        if LONG_NUMBER.search(text):  # an integer beyond 64 bits needs at least 16 digits
            _check_integers(outcome)
        return outcome
    return outcome


def _mask(text: str, line: int, whole: bool, masked: list[tuple[int, int]]) -> str:
    """Replace the value on ``line`` by a placeholder (or the whole line by blanks)."""
    starts = line_starts(text)
    if line >= len(starts):
        return text
    start = starts[line]
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    m = None if whole else _KEY_VALUE.match(text, start, end)
    if m is not None and m.end() < end:
        vstart = m.end()
        filler = "0" + " " * (end - vstart - 1)
        masked.append((vstart, end))
        return text[:vstart] + filler + text[end:]
    masked.append((start, end))
    return text[:start] + re.sub(r"[^\r]", " ", text[start:end]) + text[end:]


def _check_integers(outcome: ParseOutcome) -> None:
    """go-toml refuses integers beyond 64 bits anywhere, even under keys it ignores."""
    doc = outcome.doc
    assert doc is not None

    stack: list[tuple[Any, Any]] = [(doc.data, doc.root)]
    while stack:
        value, node = stack.pop()
        if isinstance(value, dict):
            stack.extend((child, node.child(key) if node is not None else None) for key, child in value.items())
        elif isinstance(value, list):
            items = node.items if node is not None else None
            stack.extend(
                (child, items[i] if items is not None and i < len(items) else None) for i, child in enumerate(value)
            )
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not INT64_MIN <= value <= INT64_MAX
            and node is not None
        ):
            pos = doc.position(node.value_start)
            outcome.problems.append(
                SyntaxProblem("integer out of the 64-bit range buildkitd can read", pos.line, pos.column)
            )
            outcome.masked.append((node.value_start, node.value_end))


def _huge_integer(text: str) -> SyntaxProblem:
    m = _HUGE_DIGITS.search(text)
    offset = m.start() if m else 0
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return SyntaxProblem("integer out of the 64-bit range buildkitd can read", line, column)


def _deep(fn: Callable[[str], T], text: str) -> T:
    try:
        return fn(text)
    except RecursionError:
        pass
    if _max_depth(text) > MAX_DEPTH:
        raise RecursionError("too deep")
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(fn(text))
        except BaseException as exc:
            box.append(exc)

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    sys.setrecursionlimit(max(old_limit, MAX_DEPTH * 6))
    threading.stack_size(512 * 1024 * 1024)
    try:
        worker = threading.Thread(target=run, name="bklint-deep-parse")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    result = box[0]
    if isinstance(result, BaseException):
        raise result
    return result  # type: ignore[no-any-return]


def _max_depth(text: str) -> int:
    depth = best = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > best:
                best = depth
        elif ch in "]}":
            depth -= 1
    return best


def _problem(message: str, text: str) -> SyntaxProblem:
    m = _POS.search(message)
    if m:
        line, col = int(m.group(1)) - 1, int(m.group(2)) - 1
        clean = message[: m.start()].rstrip()
    elif _EOD in message:
        lines = text.rstrip("\r\n").split("\n")
        line, col = len(lines) - 1, len(lines[-1].rstrip("\r"))
        clean = message.replace(_EOD, "").rstrip() + " (at the end of the file)"
    else:
        line, col, clean = 0, 0, message
    return SyntaxProblem(_humanise(clean), line, col)


def _humanise(message: str) -> str:
    message = message.strip()
    return message[:1].lower() + message[1:] if message else "invalid TOML"
