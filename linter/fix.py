"""Apply the fixes findings carry, without losing a byte the user did not ask to change.

Edits are spans on the decoded text (code points); the text keeps every ``\\r\\n`` of the
file, so encoding the edited text back gives the original bytes everywhere outside the
edits. The BOM is not part of the text: the BK002 fix is done here, on the bytes.

Fixing is lint, apply every non-overlapping fix, lint again — until nothing is left to fix.
It fails loudly (``FixOutcome.error``, nothing written) when that does not settle within
``MAX_PASSES`` or when the result has a BK0xx error (buildkitd would refuse the file) that
the input did not have.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from bklint.linter.run import LintResult, lint_bytes
from bklint.linter.settings import Settings
from bklint.linter.source import UTF8_BOM
from bklint.rules.base import Edit, Finding, Fix, Position, Severity
from bklint.rules.document import line_starts

MAX_PASSES = 10
BOM_CODE = "BK002"

# Decides which findings' fixes a pass applies.
FixFilter = Callable[[Finding], bool]


@dataclass(slots=True)
class FixOutcome:
    """What fixing one file produced; ``data`` is the original bytes when ``error`` is set."""

    original: bytes
    data: bytes
    result: LintResult
    applied: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.data != self.original

    def diff(self, path: str) -> str:
        """A unified diff of the fix ("" when nothing changes)."""
        if not self.changed:
            return ""
        before = _display(self.original)
        after = _display(self.data)
        lines = difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
        out = []
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


def _display(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    # Make the removed BOM visible in the diff instead of an "unchanged" looking line.
    return text.replace("\ufeff", "<BOM>", 1) if text.startswith("\ufeff") else text


def default_filter(unsafe: bool) -> FixFilter:
    def accept(finding: Finding) -> bool:
        fix = finding.fix
        return fix is not None and (unsafe or fix.applicability == "safe")

    return accept


def _errors(result: LintResult) -> Counter[str]:
    return Counter(f.code for f in result.findings if f.code.startswith("BK0") and f.severity == Severity.ERROR)


def _offsets(text: str, starts: list[int], pos: Position) -> int:
    if pos.line >= len(starts):
        return len(text)
    start = starts[pos.line]
    end = starts[pos.line + 1] if pos.line + 1 < len(starts) else len(text)
    return min(start + max(pos.column, 0), end)


def _newline(text: str) -> str:
    """The file's own line ending, so inserted lines match it (CRLF files stay CRLF)."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


class _Range(NamedTuple):
    start: int
    end: int
    content: str

    def overlaps(self, other: _Range) -> bool:
        if self.start == self.end and other.start == other.end:
            return self.start == other.start
        if self.start == self.end:
            return other.start < self.start < other.end
        if other.start == other.end:
            return self.start < other.start < self.end
        return self.start < other.end and other.start < self.end


def _ranges(text: str, starts: list[int], edits: Iterable[Edit], eol: str) -> tuple[_Range, ...]:
    out = []
    for edit in edits:
        start = _offsets(text, starts, edit.span.start)
        end = max(start, _offsets(text, starts, edit.span.end))
        content = edit.content.replace("\r\n", "\n")
        if eol != "\n":
            content = content.replace("\n", eol)
        out.append(_Range(start, end, content))
    return tuple(sorted(out, key=lambda r: (r.start, r.end)))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits that do not overlap (for tests and for callers holding one fix)."""
    ranges = _ranges(text, line_starts(text), edits, _newline(text))
    return _splice(text, list(ranges))


def _splice(text: str, ranges: list[_Range]) -> str:
    parts: list[str] = []
    pos = 0
    for r in sorted(ranges, key=lambda r: (r.start, r.end)):
        parts.append(text[pos : r.start])
        parts.append(r.content)
        pos = r.end
    parts.append(text[pos:])
    return "".join(parts)


def _label(finding: Finding, fix: Fix) -> str:
    return f"{finding.code}: {fix.message}"


def fix_pass(data: bytes, result: LintResult, accept: FixFilter) -> tuple[bytes, list[str], list[tuple[int, int]]]:
    """One pass: every accepted fix that does not overlap an earlier one (later passes get the rest).

    Returns the new bytes, the fixes applied and the replaced ranges (offsets into
    ``result.source.text``), which tests use to prove nothing else changed.
    """
    applied: list[str] = []
    bom = data.startswith(UTF8_BOM)
    text = result.source.text
    starts = line_starts(text)
    eol = _newline(text)
    taken: list[_Range] = []
    seen_edits: set[tuple[_Range, ...]] = set()
    drop_bom = False
    for finding in result.findings:
        fix = finding.fix
        if fix is None or not accept(finding):
            continue
        if finding.code == BOM_CODE:
            if bom and not drop_bom:
                drop_bom = True
                applied.append(_label(finding, fix))
            continue
        if not result.source.readable:
            continue
        ranges = _ranges(text, starts, fix.edits, eol)
        if ranges in seen_edits:
            # The same change offered by several findings (e.g. `debug` and `trace`): once.
            label = _label(finding, fix)
            if label not in applied:
                applied.append(label)
            continue
        if any(a.overlaps(b) for i, a in enumerate(ranges) for b in ranges[i + 1 :]):
            continue
        if any(r.overlaps(t) for r in ranges for t in taken):
            continue
        if all(text[r.start : r.end] == r.content for r in ranges):
            continue  # a no-op fix would loop forever
        taken.extend(ranges)
        seen_edits.add(ranges)
        applied.append(_label(finding, fix))
    if not taken and not drop_bom:
        return data, [], []
    new_text = _splice(text, taken)
    prefix = UTF8_BOM if bom and not drop_bom else b""
    return prefix + new_text.encode("utf-8"), applied, [(r.start, r.end) for r in taken]


def fix_data(data: bytes, name: str | None, settings: Settings, accept: FixFilter) -> FixOutcome:
    """Lint and fix until a fixed point; the engine behind ``--fix``, ``--diff`` and migrate."""
    first = lint_bytes(data, name, settings)
    before = _errors(first)
    result = first
    current = data
    applied: list[str] = []
    seen = {current}
    for _ in range(MAX_PASSES):
        new, done, _ = fix_pass(current, result, accept)
        if not done or new == current:
            break
        if new in seen:
            return FixOutcome(data, data, first, error="fixes undo each other; nothing was changed")
        seen.add(new)
        current = new
        applied.extend(done)
        result = lint_bytes(current, name, settings)
    else:
        pending = [f.code for f in result.findings if f.fix is not None and accept(f)]
        if pending:
            return FixOutcome(
                data,
                data,
                first,
                error=f"fixes did not settle after {MAX_PASSES} passes (still offered: {', '.join(sorted(set(pending)))}); "
                "nothing was changed",
            )
    after = _errors(result)
    new_errors = sorted(code for code, n in after.items() if n > before.get(code, 0))
    if new_errors:
        return FixOutcome(
            data,
            data,
            first,
            error=f"applying fixes ({'; '.join(applied)}) would introduce {', '.join(new_errors)}; "
            "nothing was changed (please report this)",
        )
    return FixOutcome(data, current, result, applied)


def fix_bytes(data: bytes, name: str | None, settings: Settings, unsafe: bool = False) -> FixOutcome:
    return fix_data(data, name, settings, default_filter(unsafe))


def fix_file(path: str, data: bytes, settings: Settings, unsafe: bool = False, write: bool = True) -> FixOutcome:
    """Fix ``data`` (the bytes read from ``path``) and, when ``write``, replace the file atomically."""
    outcome = fix_bytes(data, path, settings, unsafe)
    if write:
        write_outcome(path, data, outcome, lambda: lint_bytes(data, path, settings))
    return outcome


def write_outcome(path: str, data: bytes, outcome: FixOutcome, relint: Callable[[], LintResult]) -> None:
    """Write a fixed file atomically; if that fails, the outcome says so and describes the old file."""
    if outcome.error is not None or not outcome.changed:
        return
    try:
        write_atomic(path, data, outcome.data)
    except (OSError, ConcurrentChange) as exc:
        outcome.error = f"not written: {exc}"
        outcome.data = data
        outcome.applied = []
        outcome.result = relint()


class ConcurrentChange(Exception):
    """The file changed on disk between reading and writing."""


def write_atomic(path: str, expected: bytes, new: bytes) -> None:
    """Replace ``path`` by ``new`` via a temporary file in the same folder and a rename.

    The file's mode is kept; a symlink is followed (its target is replaced, the link
    stays). Refused when the file no longer holds ``expected`` (someone else wrote it).
    """
    real = os.path.realpath(path)
    folder = os.path.dirname(real) or "."
    before = os.stat(real)
    if not stat.S_ISREG(before.st_mode):
        raise ConcurrentChange(f"{path} is no longer a regular file")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".bklint", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(new)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, stat.S_IMODE(before.st_mode))
        if hasattr(os, "chown"):
            # Not permitted for other owners unless root: the mode is what matters.
            with contextlib.suppress(OSError):
                os.chown(tmp, before.st_uid, before.st_gid)
        now = os.stat(real)
        with open(real, "rb") as current:
            content = current.read(len(expected) + 1)
        if content != expected or (now.st_mtime_ns, now.st_size) != (before.st_mtime_ns, before.st_size):
            raise ConcurrentChange(f"{path} changed since it was read; run bklint again")
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


__all__ = [
    "MAX_PASSES",
    "ConcurrentChange",
    "FixFilter",
    "FixOutcome",
    "apply_edits",
    "default_filter",
    "fix_bytes",
    "fix_data",
    "fix_file",
    "fix_pass",
    "write_atomic",
]
