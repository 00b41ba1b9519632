"""Reporters: each turns lint results into text in one output format."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from bklint.linter.run import LintResult
from bklint.rules.record import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Renderer(Protocol):
        def __call__(self, results: Sequence[LintResult], options: ReportOptions) -> str: ...

# format name -> module defining ``render(results, options) -> str``
FORMATS: dict[str, str] = {
    "full": "bklint.linter.report.full",
    "concise": "bklint.linter.report.concise",
    "json": "bklint.linter.report.json_format",
    "sarif": "bklint.linter.report.sarif",
    "github": "bklint.linter.report.github",
    "gitlab": "bklint.linter.report.gitlab",
    "junit": "bklint.linter.report.junit",
    "rdjson": "bklint.linter.report.rdjson",
}
# The formats meant for people: they end with a summary line and may be coloured.
TEXT_FORMATS = ("full", "concise")


class ReportOptions(FrozenRecord):
    __slots__ = ("color", "fixed", "quiet", "show_fixes", "unsafe_fixes")

    color: bool
    show_fixes: bool
    # Fixes applied per file by --fix (path -> "CODE: message" lines), for --show-fixes.
    fixed: tuple[tuple[str, tuple[str, ...]], ...]
    unsafe_fixes: bool
    # -q: the findings only, no closing summary.
    quiet: bool

    def __init__(
        self,
        color: bool = False,
        show_fixes: bool = False,
        fixed: tuple[tuple[str, tuple[str, ...]], ...] = (),
        unsafe_fixes: bool = False,
        quiet: bool = False,
    ) -> None:
        self.color = color
        self.show_fixes = show_fixes
        self.fixed = fixed
        self.unsafe_fixes = unsafe_fixes
        self.quiet = quiet


def render(fmt: str, results: Sequence[LintResult], options: ReportOptions) -> str:
    module = importlib.import_module(FORMATS[fmt])
    renderer: Renderer = module.render
    return renderer(results, options)
