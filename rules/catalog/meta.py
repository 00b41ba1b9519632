"""BK901: findings about bklint's own directives in the file."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import Finding, Rule, Severity, register
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
