"""Apply the fixes findings carry, without losing a byte the user did not ask to change.

Edits are spans on the decoded text (code points); the text keeps every ``\\r\\n`` of the
file, so encoding the edited text back gives the original bytes everywhere outside the
edits. The BOM is not part of the text: the BK002 fix is done here, on the bytes.

Fixing is lint, apply every non-overlapping fix, lint again — until nothing is left to fix.
Every pass is checked by :func:`judge`, the one test every edit passes (``--fix``,
``migrate`` and each edit the language server offers): no new BK0xx error (buildkitd would
refuse the file where it did not) and no deleted comment. A fix that fails it is dropped
alone (``FixOutcome.dropped`` says why) and the others still apply. Fixing fails loudly
(``FixOutcome.error``, nothing written) only when the fixes do not settle within
``MAX_PASSES`` or undo each other.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable

from bklint.linter.noqa import prose
from bklint.linter.run import LintResult, lint_bytes, rules
from bklint.linter.settings import Settings
from bklint.linter.source import UTF8_BOM
from bklint.rules.base import Edit, Finding, Fix, Position, Severity
from bklint.rules.document import line_starts, utf8
from bklint.rules.record import FrozenRecord, Record
from bklint.rules.toml_text import comments

MAX_PASSES = 10
BOM_CODE = "BK002"

# Decides which findings' fixes a pass applies.
FixFilter = Callable[[Finding], bool]


class FixOutcome(Record):
    """What fixing one file produced; ``data`` is the original bytes when ``error`` is set."""

    __slots__ = ("applied", "data", "dropped", "error", "original", "result")

    original: bytes
    data: bytes
    result: LintResult
    applied: list[str]
    error: str | None
    # Fixes left out because their result failed ``judge``: "CODE: message: not applied: why".
    dropped: list[str]

    def __init__(
        self,
        original: bytes,
        data: bytes,
        result: LintResult,
        applied: list[str] | None = None,
        error: str | None = None,
        dropped: list[str] | None = None,
    ) -> None:
        self.original = original
        self.data = data
        self.result = result
        self.applied = [] if applied is None else applied
        self.error = error
        self.dropped = [] if dropped is None else dropped

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


# -- is an edit acceptable? ------------------------------------------------------------------


def refusals(result: LintResult) -> Counter[str]:
    """The BK0xx errors of a lint — what buildkitd would refuse — before any filter hides one.

    Counted from the rules themselves, not from ``result.findings``: a user's ``ignore``,
    ``severity`` or ``noqa`` must not let a fix break the file unseen.
    """
    ctx = result.context
    if ctx is None:
        return Counter(f.code for f in result.findings if f.code.startswith("BK0") and f.severity == Severity.ERROR)
    found: Counter[str] = Counter()
    for rule in rules():
        if type(rule).code.startswith("BK0"):
            found.update(f.code for f in rule.check(ctx) if f.severity == Severity.ERROR)
    return found


def lost_comments(before: str, after: str) -> list[str]:
    """Comments of ``before`` that ``after`` no longer has (noqa directives aside), moved ones kept."""
    kept = Counter(prose(after[s:e]) for s, e in comments(after))
    lost: list[str] = []
    for s, e in comments(before):
        words = prose(before[s:e])
        if not words:
            continue
        if kept[words] > 0:
            kept[words] -= 1
        else:
            lost.append(words)
    return lost


def judge(before: LintResult, after: LintResult, had: Counter[str] | None = None) -> str | None:
    """Why ``after`` (``before`` with edits applied) must not be written or offered; None if it may.

    An edit must not make buildkitd refuse the file where it did not (a new BK0xx error: broken
    syntax, a duplicate key, a type error) and must not delete a comment. ``had`` is
    ``refusals(before)`` when the caller judges several edits of one text.
    """
    had = refusals(before) if had is None else had
    has = refusals(after)
    new = sorted(code for code, n in has.items() if n > had[code])
    if new:
        return f"it would introduce {', '.join(new)}"
    lost = lost_comments(before.text, after.text)
    if lost:
        return f"it would delete the comment `# {lost[0]}`"
    return None


# -- one pass ---------------------------------------------------------------------------------


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


def _styled(content: str, eol: str) -> str:
    content = content.replace("\r\n", "\n")
    return content.replace("\n", eol) if eol != "\n" else content


class _Range(FrozenRecord):
    __slots__ = ("content", "end", "start")

    start: int
    end: int
    content: str

    def __init__(self, start: int, end: int, content: str) -> None:
        self.start = start
        self.end = end
        self.content = content


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
        out.append(_Range(start, end, _styled(edit.content, eol)))
    return tuple(sorted(out, key=lambda r: (r.start, r.end)))


def in_file_style(text: str, edits: Iterable[Edit]) -> tuple[Edit, ...]:
    """The edits with the file's own line ending in what they insert, as ``--fix`` writes them."""
    eol = _newline(text)
    return tuple(Edit(edit.span, _styled(edit.content, eol)) for edit in edits)


def refused(before: LintResult, edits: Iterable[Edit], relint: Callable[[str], LintResult]) -> str | None:
    """:func:`judge` of ``edits`` on the text ``before`` was linted from; ``relint`` lints the
    edited text the same way. What the language server asks before it offers a code action."""
    return judge(before, relint(apply_edits(before.text, edits)))


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


class _Candidate(Record):
    """One fix of a pass; ``labels`` has one entry per finding offering the very same edits."""

    __slots__ = ("labels", "ranges")

    labels: list[str]
    ranges: tuple[_Range, ...]

    def __init__(self, labels: list[str], ranges: tuple[_Range, ...]) -> None:
        self.labels = labels
        self.ranges = ranges

    @property
    def key(self) -> tuple[str, tuple[_Range, ...]]:
        return self.labels[0], self.ranges


class _Plan(Record):
    """The fixes one pass may apply to ``text`` (none overlapping), and the BOM removal."""

    __slots__ = ("bom", "bom_label", "candidates", "data", "text")

    data: bytes
    text: str
    bom: bool
    candidates: list[_Candidate]
    bom_label: str | None

    def __init__(
        self,
        data: bytes,
        text: str,
        bom: bool,
        candidates: list[_Candidate] | None = None,
        bom_label: str | None = None,
    ) -> None:
        self.data = data
        self.text = text
        self.bom = bom
        self.candidates = [] if candidates is None else candidates
        self.bom_label = bom_label

    def render(self, chosen: list[_Candidate]) -> bytes:
        if not chosen and self.bom_label is None:
            return self.data
        new_text = _splice(self.text, [r for c in chosen for r in c.ranges])
        prefix = UTF8_BOM if self.bom and self.bom_label is None else b""
        return prefix + utf8(new_text)

    def labels(self, chosen: list[_Candidate]) -> list[str]:
        head = [self.bom_label] if self.bom_label is not None else []
        return head + [label for c in chosen for label in c.labels]


def _plan(data: bytes, result: LintResult, accept: FixFilter, skip: set[tuple[str, tuple[_Range, ...]]]) -> _Plan:
    """Every accepted fix that does not overlap an earlier one (later passes get the rest)."""
    text = result.source.text
    plan = _Plan(data, text, data.startswith(UTF8_BOM))
    starts = line_starts(text)
    eol = _newline(text)
    taken: list[_Range] = []
    by_ranges: dict[tuple[_Range, ...], _Candidate] = {}
    for finding in result.findings:
        fix = finding.fix
        if fix is None or not accept(finding):
            continue
        if finding.code == BOM_CODE:
            if plan.bom and plan.bom_label is None:
                plan.bom_label = _label(finding, fix)
            continue
        if not result.source.readable:
            continue
        ranges = _ranges(text, starts, fix.edits, eol)
        label = _label(finding, fix)
        same = by_ranges.get(ranges)
        if same is not None:
            # The same change offered by several findings (e.g. `debug` and `trace`): once.
            if label not in same.labels:
                same.labels.append(label)
            continue
        if (label, ranges) in skip:
            continue
        if any(a.overlaps(b) for i, a in enumerate(ranges) for b in ranges[i + 1 :]):
            continue
        if any(r.overlaps(t) for r in ranges for t in taken):
            continue
        if all(text[r.start : r.end] == r.content for r in ranges):
            continue  # a no-op fix would loop forever
        taken.extend(ranges)
        candidate = _Candidate([label], ranges)
        by_ranges[ranges] = candidate
        plan.candidates.append(candidate)
    return plan


def fix_pass(data: bytes, result: LintResult, accept: FixFilter) -> tuple[bytes, list[str], list[tuple[int, int]]]:
    """One pass, unchecked: every accepted fix that does not overlap an earlier one.

    Returns the new bytes, the fixes applied and the replaced ranges (offsets into
    ``result.source.text``), which tests use to prove nothing else changed.
    """
    plan = _plan(data, result, accept, set())
    if not plan.candidates and plan.bom_label is None:
        return data, [], []
    ranges = [(r.start, r.end) for c in plan.candidates for r in c.ranges]
    return plan.render(plan.candidates), plan.labels(plan.candidates), sorted(ranges)


class _Settled(FrozenRecord):
    __slots__ = ("data", "kept", "refused", "result")

    data: bytes
    result: LintResult
    kept: list[_Candidate]
    refused: list[tuple[_Candidate, str]]

    def __init__(self, data: bytes, result: LintResult, kept: list[_Candidate], refused: list[tuple[_Candidate, str]]) -> None:
        self.data = data
        self.result = result
        self.kept = kept
        self.refused = refused


def _settle(plan: _Plan, before: LintResult, relint: Callable[[bytes], LintResult]) -> _Settled:
    """Apply a pass's fixes; if the result fails :func:`judge`, find and drop the fixes to blame.

    The group is halved until each refused fix stands alone, so one bad fix among many costs
    a few lints, and every fix that passes with the others is kept.
    """
    everything = plan.candidates
    had = refusals(before)
    new = plan.render(everything)
    after = relint(new)
    why = judge(before, after, had)
    if why is None:
        return _Settled(new, after, everything, [])
    kept: list[_Candidate] = []
    refused: list[tuple[_Candidate, str]] = []
    state: tuple[bytes, LintResult] | None = None

    def place(group: list[_Candidate], known: str | None = None) -> None:
        nonlocal state
        if known is None:
            trial = plan.render(kept + group)
            result = relint(trial)
            known = judge(before, result, had)
            if known is None:
                kept.extend(group)
                state = (trial, result)
                return
        if len(group) == 1:
            refused.append((group[0], known))
            return
        mid = len(group) // 2
        place(group[:mid])
        place(group[mid:])

    place(everything, why)
    if state is None:
        data = plan.render([])
        state = (data, before if data == plan.data else relint(data))
    return _Settled(state[0], state[1], sorted(kept, key=everything.index), refused)


def _shift(ranges: tuple[_Range, ...], applied: list[_Range]) -> tuple[_Range, ...]:
    """Where ranges untouched by ``applied`` lie in the text after it was applied."""
    out = []
    for r in ranges:
        delta = sum(len(a.content) - (a.end - a.start) for a in applied if a.end <= r.start)
        out.append(_Range(r.start + delta, r.end + delta, r.content))
    return tuple(out)


def fix_data(data: bytes, name: str | None, settings: Settings, accept: FixFilter) -> FixOutcome:
    """Lint and fix until a fixed point; the engine behind ``--fix``, ``--diff`` and migrate."""
    first = lint_bytes(data, name, settings)

    def relint(new: bytes) -> LintResult:
        return lint_bytes(new, name, settings)

    result = first
    current = data
    applied: list[str] = []
    dropped: list[str] = []
    refused: set[tuple[str, tuple[_Range, ...]]] = set()
    seen = {current}
    for _ in range(MAX_PASSES):
        plan = _plan(current, result, accept, refused)
        if not plan.candidates and plan.bom_label is None:
            break
        settled = _settle(plan, result, relint)
        for candidate, why in settled.refused:
            dropped.extend(f"{label}: not applied: {why}" for label in candidate.labels)
        moved = [r for c in settled.kept for r in c.ranges]
        refused = {(label, _shift(ranges, moved)) for label, ranges in refused}
        refused |= {(c.key[0], _shift(c.ranges, moved)) for c, _ in settled.refused}
        if settled.data == current:
            continue  # every fix of this pass was refused: the next pass tries the ones they hid
        if settled.data in seen:
            return FixOutcome(data, data, first, error="fixes undo each other; nothing was changed")
        seen.add(settled.data)
        current = settled.data
        applied.extend(plan.labels(settled.kept))
        result = settled.result
    else:
        pending = [f.code for f in result.findings if f.fix is not None and accept(f)]
        if pending and _plan(current, result, accept, refused).candidates:
            return FixOutcome(
                data,
                data,
                first,
                error=f"fixes did not settle after {MAX_PASSES} passes (still offered: {', '.join(sorted(set(pending)))}); "
                "nothing was changed",
            )
    return FixOutcome(data, current, result, applied, dropped=dropped)


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
    "in_file_style",
    "judge",
    "lost_comments",
    "refusals",
    "refused",
    "write_atomic",
]
