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
from dataclasses import replace
from typing import TYPE_CHECKING

from bklint.linter import noqa
from bklint.linter.buildx_create import IGNORING_DRIVERS, Create, Option, find_creates
from bklint.linter.findings import apply as filter_findings
from bklint.linter.followed import BuilderContext, FollowedConfig, locate, missing
from bklint.linter.run import LintResult, lint_flags
from bklint.linter.shell_words import Script, Word, blank_recipe_prefixes, split
from bklint.linter.source import decode_bytes
from bklint.rules.base import Finding, Position, Span
from bklint.rules.catalog.embedding import DriverIgnoresConfig
from bklint.rules.document import line_starts

if TYPE_CHECKING:
    from bklint.linter.fix import FixFilter, FixOutcome
    from bklint.linter.incremental import ParseCache
    from bklint.linter.settings import Settings
    from bklint.rules.context import SourceText

# Directory discovery reads a script only when it mentions this.
_MARKER = re.compile(rb"buildx[ \t]*(?:\\\r?\n[ \t]*)?create\b")
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
        return read.data is not None and _MARKER.search(read.data) is not None


KIND = ScriptKind()


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = line_starts(text)

    def position(self, offset: int) -> Position:
        line = bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(max(start, end)))

    def word(self, word: Word) -> Span:
        return self.span(word.start, word.end)


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
        raw.extend(_judge(create, path, settings, lines, result))
    result.findings = filter_findings(raw, settings, path, _directives(source.text, script, lines))
    return result


def _judge(create: Create, path: str | None, settings: Settings, lines: _Lines, result: LintResult) -> list[Finding]:
    driver = create.driver_name
    out: list[Finding] = []
    flags = create.flags.value.value if create.flags is not None and not create.flags.value.expanded else None
    if driver in IGNORING_DRIVERS:
        for option in (create.config, create.flags):
            if option is not None:
                out.append(DriverIgnoresConfig.finding(_ignored(driver, option), lines.span(option.flag.start, option.value.end)))
        return out
    if create.flags is not None and flags is not None:
        out.extend(_flag_findings(create.flags.value, flags, path, settings, lines))
    config = create.config
    if config is None or config.value.expanded or not config.value.value:
        return out
    by = path or "-"
    written = config.value.value
    span = lines.word(config.value)
    found, looked = locate(written, by, settings)
    if found is None:
        out.append(missing(written, looked, span, f"`{config.name}`"))
        return out
    image, version = create.image()
    builder = BuilderContext(flags, image, version, "--driver-opt")
    note = f"`docker buildx create {config.name}` names this config here"
    result.followed.append(FollowedConfig(found, builder, by, span, note, flags_reported=flags is not None))
    return out


def _flag_findings(word: Word, flags: str, path: str | None, settings: Settings, lines: _Lines) -> list[Finding]:
    """The daemon-flag rules on `--buildkitd-flags`, each on the words it is about."""
    out = []
    for finding in lint_flags(flags, path, settings):
        start, end = word.offsets(*finding.flags_span) if finding.flags_span is not None else (word.start, word.end)
        out.append(replace(finding, span=lines.span(start, end), fix=None, related=()))
    return out


def _ignored(driver: str, option: Option) -> str:
    if driver == "docker":
        what = (
            'buildx refuses a config file for it ("setting config file is not supported for docker driver")'
            if option.name != "--buildkitd-flags"
            else "`--buildkitd-flags` is never applied"
        )
        return (
            f"`--driver docker` uses the Docker daemon's own BuildKit: {what}; set registry mirrors as "
            "`registry-mirrors` and plain-HTTP registries as `insecure-registries` in the daemon's daemon.json instead"
        )
    what = "buildkit flags" if option.name == "--buildkitd-flags" else "config file"
    return (
        f"`--driver remote` connects to a running buildkitd: buildx refuses `{option.name}` (\"setting {what} "
        "is not supported for remote driver\"); configure that daemon where it runs"
    )


def _directives(text: str, script: Script, lines: _Lines) -> list[noqa.Directive]:
    """`noqa` comments: a `#` that starts a shell comment (one inside a word or quotes does not)."""
    comments = {lines.position(offset) for offset in script.comments}
    return noqa.parse_yaml_directives(text, lambda line, column: Position(line, column) not in comments)


__all__ = ["KIND", "dialect", "has_shebang", "lint_script"]
