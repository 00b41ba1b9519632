"""BK901: findings about bklint's own directives in the file."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import FILE_START, Finding, Rule, Severity, register
from bklint.rules.context import Context


@register
class UnusedNoqa(Rule):
    """Checks that every `# noqa` comment still suppresses something.

    Suppressions: `# noqa: BK201` (or `# noqa: BK201, BK301`) at the end of the line a
    finding is on; the same comment on a table header covers the whole table;
    `# bklint: noqa: BK201` on a line of its own covers the whole file (`# bklint: noqa`
    alone: every code). A bare `# noqa` covers every code on its line.

    **Why**: a suppression that outlives the problem it hid will silently hide the next,
    real one. Unknown codes are reported too (usually a typo).

    **Fix** (safe): remove the unused codes, or the whole comment.

    This rule is applied by the engine after every other rule has run.
    """

    code = "BK901"
    name = "unused-noqa"
    summary = "A `noqa` suppression comment that suppresses nothing"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        "[worker.oci]\nmax-parallelism = 4  # noqa: BK101\n",
        "[worker.oci]\r\nmax_parallelism = 4  # noqa: BK101, BK004\r\n",
        "# bklint: noqa: BK102\n[worker.oci]\ngc = true\n",
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()


@register
class InternalError(Rule):
    """Reports a bklint bug: a rule (or the parse) raised an exception on this file.

    The engine contains the failure to the rule that raised: every other rule still
    reports, and the failure itself becomes this finding instead of a traceback (in the
    CLI) or silently stale diagnostics (in an editor).

    **Why**: a linter that crashes on one odd file hides every real problem in it.

    Please report it with the file (or the smallest part that still triggers it).
    """

    code = "BK902"
    name = "internal-error"
    summary = "bklint failed on this file (a bug in bklint); the other rules still ran"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()

    @classmethod
    def of(cls, where: str, exc: BaseException) -> Finding:
        """The finding for ``exc`` raised by ``where`` (a rule code, or a step of the lint)."""
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if len(detail) > 300:
            detail = detail[:300] + "…"
        return cls.finding(
            f"internal error in {where} ({detail}); its findings for this file are missing. "
            "This is a bug in bklint: please report it",
            FILE_START,
        )
