"""The script kind: shell scripts, Makefiles and justfiles that create buildx builders.

Each `docker buildx create` command line (``linter/buildx_create.py``, over the words
``linter/shell_words.py`` splits) is judged the way buildx runs it:

* ``--buildkitd-flags`` gets the daemon-flag rules, each finding on the flag's own column
  in the script (the BK5xx of a workflow's `buildkitd-flags` input, here);
* ``--config``/``--buildkitd-config`` names a file that is linted with those flags and the
  release an ``image=moby/buildkit:vX.Y`` driver-opt pins (``linter/followed.py``): its
  findings are on its own lines with this script as a location elsewhere; a file that is
  not there is BK009 on the path in the script;
* a config or flags given to a driver that never applies them (``--driver docker``,
  ``remote``) is BK604 on the option.

A value only the running shell knows (``$CONFIG``, ``${DIR}/x.toml``, make's ``$(VAR)``,
just's ``{{var}}``) is not followed and not guessed, and gets no finding. Comments in the
script carry ``noqa`` as in YAML: `# noqa: BK501` on a line, `# bklint: noqa` for the file.
Nothing in a script is fixed.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right

from bklint.linter import noqa
from bklint.linter.buildx_create import find_creates, judge, mentions_create
from bklint.linter.findings import apply as filter_findings
from bklint.linter.run import LintResult
from bklint.linter.shell_words import Script, blank_recipe_prefixes, split
from bklint.linter.source import decode_bytes
from bklint.rules.base import Finding, Position, Span
from bklint.rules.document import line_starts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.linter.fix import FixFilter, FixOutcome
    from bklint.linter.incremental import ParseCache
    from bklint.linter.settings import Settings
    from bklint.rules.context import SourceText

_SHEBANG = re.compile(rb"#![ \t]*\S*/(?:env[ \t]+(?:-\S+[ \t]+)*)?(?:ba|da|k|z|a)?sh\b")


def dialect(path: str | None) -> str:
    """"make", "just" or "sh", by the file name."""
    base = os.path.basename(path or "").lower()
    if base in ("makefile", "gnumakefile") or base.endswith(".mk"):
        return "make"
    if base in ("justfile", ".justfile") or base.endswith(".just"):
        return "just"
    return "sh"


def has_shebang(data: bytes) -> bool:
    """Whether a file without a telling name is a shell script (`#!/bin/sh`, `#!/usr/bin/env bash`, …)."""
    return _SHEBANG.match(data, 0, 256) is not None


class ScriptKind:
    name = "script"

    def lint(
        self, source: SourceText, path: str | None, settings: Settings, cache: ParseCache | None = None
    ) -> LintResult:
        return lint_script(source, path, settings)

    def fix(self, data: bytes, path: str | None, settings: Settings, accept: FixFilter) -> FixOutcome:
        from bklint.linter.fix import FixOutcome

        return FixOutcome(data, data, lint_script(decode_bytes(data), path, settings))

    def discovered(self, path: str) -> bool:
        from bklint.linter.files import read_file

        read = read_file(path)
        return read.data is not None and mentions_create(read.data.decode("utf-8", "replace"))


KIND = ScriptKind()


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = line_starts(text)

    def position(self, offset: int) -> Position:
        line = bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(max(start, end)))


def lint_script(source: SourceText, path: str | None, settings: Settings) -> LintResult:
    """Findings about the `buildx create` lines of a script; the configs they name go to ``followed``."""
    from bklint.linter.inputs import unreadable_text

    if not source.readable:
        return unreadable_text(source, path, settings)
    script = split(blank_recipe_prefixes(source.text, dialect(path)))
    lines = _Lines(source.text)
    result = LintResult(path, source)
    raw: list[Finding] = []
    for create in find_creates(script.commands):
        found, followed = judge(create, lines.span, path or "-", settings)
        raw.extend(found)
        result.followed.extend(followed)
    result.findings = filter_findings(raw, settings, path, _directives(source.text, script, lines))
    return result


def _directives(text: str, script: Script, lines: _Lines) -> list[noqa.Directive]:
    """`noqa` comments: a `#` that starts a shell comment (one inside a word or quotes does not)."""
    comments = {lines.position(offset) for offset in script.comments}
    return noqa.parse_yaml_directives(text, lambda line, column: Position(line, column) not in comments)


__all__ = ["KIND", "dialect", "has_shebang", "lint_script"]
