"""The YAML kind: workflows and manifests with buildkitd configs embedded (``linter/embedded.py`` finds them).

Each embedded config is linted as TOML and its findings are mapped to the YAML file's
lines and columns; findings the mapping cannot place exactly (folded or quoted multi-line
values) point at the key and name the line inside the config. The YAML's own findings
(removed action inputs, an ignored inline config, invalid YAML) and the `buildkitd-flags`
inputs join them, and the whole file goes through the finding filter with the YAML's own
``noqa`` comments (a ``#`` inside an embedded config is the config's, read with TOML's
scopes by its own lint).

Fixes are written back only into literal blocks, the one shape where re-indenting the
fixed TOML is exact, and only when the YAML reads back to exactly the fixed TOML. GitHub
expressions (``${{ … }}``) are not TOML until the workflow runs: outside strings they are
masked as same-length strings, findings touching one are dropped, and such blocks are not
fixed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bklint.linter import noqa
from bklint.linter.embedded import (
    ACTION_DEFAULT_FLAGS,
    Embedded,
    Extraction,
    extract,
    has_embedded,
    might_embed,
)
from bklint.linter.findings import apply as filter_findings
from bklint.linter.followed import BuilderContext, FollowedConfig, locate, missing
from bklint.linter.run import LintResult, lint_flags, lint_text
from bklint.linter.settings import Settings
from bklint.linter.source import decode_bytes
from bklint.rules.base import Edit, Finding, Fix, Span
from bklint.rules.context import SourceText
from bklint.rules.regex import Regex
from bklint.rules.toml_text import basic_string

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.linter.fix import FixFilter, FixOutcome
    from bklint.linter.incremental import ParseCache

_EXPRESSION = Regex(r"\$\{\{.*?\}\}")


class YamlKind:
    name = "yaml"

    def lint(
        self, source: SourceText, path: str | None, settings: Settings, cache: ParseCache | None = None
    ) -> LintResult:
        return lint_yaml_source(source, path, settings)

    def fix(self, data: bytes, path: str | None, settings: Settings, accept: FixFilter) -> FixOutcome:
        return fix_yaml_data(data, path, settings, accept)

    def discovered(self, path: str) -> bool:
        if not might_embed(path):
            return False
        from bklint.linter.files import read_file

        read = read_file(path)
        return read.data is not None and has_embedded(read.data)


KIND = YamlKind()


def mask_expressions(text: str) -> tuple[str, list[Span]]:
    """Replace ``${{ … }}`` outside TOML strings by a same-length basic string; return their spans."""
    if "${{" not in text:
        return text, []
    spans: list[Span] = []
    out_lines = []
    for n, line in enumerate(text.split("\n")):
        pieces: list[str] = []
        pos = 0
        for m in _EXPRESSION.finditer(line):
            spans.append(Span.at(n, m.start(), n, m.end()))
            pieces.append(line[pos : m.start()])
            inner = m.group(0)
            # `${{ x }}` -> `"{{ x }"`: a string of the same length, so every span holds.
            masked = basic_string(inner[1:-1])
            keep = _inside_string(line, m.start()) or len(masked) != len(inner)
            pieces.append(inner if keep else masked)
            pos = m.end()
        pieces.append(line[pos:])
        out_lines.append("".join(pieces))
    return "\n".join(out_lines), spans


def _inside_string(line: str, col: int) -> bool:
    quote: str | None = None
    i = 0
    while i < col:
        ch = line[i]
        if quote is None:
            if ch == "#":
                return True  # in a comment: leave it alone
            if ch in ("'", '"'):
                quote = ch
        elif ch == "\\" and quote == '"':
            i += 1
        elif ch == quote:
            quote = None
        i += 1
    return quote is not None


def _touches(span: Span, masked: list[Span]) -> bool:
    return any(
        m.start.line <= span.start.line <= m.end.line
        and (span.start.line != m.start.line or (m.start.column <= span.end.column and span.start.column <= m.end.column))
        for m in masked
    )


def _builder(embedded: Embedded, text: str | None = None) -> BuilderContext:
    """The step's flags (with what `buildx create` adds for a config of ``text``) and the release its pinned image runs."""
    builder = BuilderContext(
        embedded.flags, embedded.image, embedded.image_version, driver=embedded.driver, driver_opts=embedded.driver_opts
    )
    return builder if text is None else builder.resolved(text)


def _map_finding(embedded: Embedded, finding: Finding) -> Finding:
    mapped = embedded.span(finding.span)
    if mapped is None:
        where = f"line {finding.span.start.line + 1}, column {finding.span.start.column + 1} of the embedded config"
        return _on_key(embedded, finding, where)
    related = tuple((s, note) for s, note in ((embedded.span(r), note) for r, note in finding.related) if s is not None)
    return finding.evolve(span=mapped, fix=_map_fix(embedded, finding.fix), related=related)


def _map_fix(embedded: Embedded, fix: Fix | None) -> Fix | None:
    """A TOML fix as YAML edits (literal blocks only): new lines get the block's indentation."""
    if fix is None or embedded.block is None or "${{" in embedded.text:
        return None  # --fix leaves templated blocks alone, so do not advertise a fix
    pad = " " * embedded.block.indent
    edits = []
    for edit in fix.edits:
        span = embedded.span(edit.span)
        if span is None:
            return None
        content = re.sub(r"\n(?!\n|$)", "\n" + pad, edit.content)
        edits.append(Edit(span, content))
    return Fix(fix.message, tuple(edits), fix.applicability)


def lint_embedded(embedded: Embedded, path: str | None, settings: Settings) -> list[Finding]:
    masked_text, masked = mask_expressions(embedded.text)
    builder = _builder(embedded, masked_text)
    result = lint_text(masked_text, path, builder.settings(settings))
    out = []
    for finding in result.findings:
        if masked and _touches(finding.span, masked):
            continue
        if finding.flags_span is not None:
            if embedded.flags_input is not None:
                continue  # about the flags alone: reported once, on the `buildkitd-flags` input
            out.append(_on_key(embedded, finding, f"setup-buildx-action's default buildkitd-flags: {ACTION_DEFAULT_FLAGS}"))
            continue
        out.append(builder.note(_map_finding(embedded, finding), settings))
    return out


def _on_key(embedded: Embedded, finding: Finding, note: str) -> Finding:
    """A finding that cannot point into the config: on its key, with ``note`` saying where it is."""
    return finding.evolve(message=f"{finding.message} ({note})", span=embedded.key_span, fix=None, related=())


def lint_flags_input(flags: Embedded, path: str | None, settings: Settings) -> list[Finding]:
    """The daemon-flag rules on a `buildkitd-flags` input, anchored on the offending words."""
    out = []
    for finding in lint_flags(flags.text, path, settings):
        span: Span | None = None
        if finding.flags_span is not None:
            start, end = (flags.offset_position(offset) for offset in finding.flags_span)
            if start is not None and end is not None:
                span = Span(start, max(start, end))
        out.append(finding.evolve(span=span or flags.key_span, fix=None, related=()))
    return out


def lint_yaml_source(source: SourceText, path: str | None, settings: Settings) -> LintResult:
    """Lint every config embedded in a YAML file; findings are in the YAML file's coordinates."""
    if not source.readable:
        from bklint.linter.inputs import unreadable_text

        return unreadable_text(source, path, settings)
    result = LintResult(path, source)
    extraction = extract(source.text)
    raw = list(extraction.findings)
    for embedded in extraction.configs:
        raw.extend(lint_embedded(embedded, path, settings))
    for flags in extraction.flag_inputs:
        raw.extend(lint_flags_input(flags, path, settings))
    for named in extraction.config_files:
        raw.extend(_config_input(named, path, settings, result))
    for run, workdir in extraction.run_steps:
        raw.extend(_run_step(run, workdir, path, settings, result))
    result.findings = filter_findings(raw, settings, path, yaml_directives(source.text, extraction))
    return result


def _config_input(named: Embedded, path: str | None, settings: Settings, result: LintResult) -> list[Finding]:
    """setup-buildx-action's `buildkitd-config:` path: the action reads it from the workspace
    (the repository root) and passes it to `buildx create` with the step's flags and image."""
    by = path or "-"
    written = named.text.strip()
    span = _place(named)(0, len(named.text))
    found, looked = locate(written, by, settings, workdir="")
    if found is None:
        return [missing(written, looked, span, f"`{named.kind}`")]
    note = f"setup-buildx-action `{named.kind}` names this config here"
    flags_reported = named.flags_input is not None
    result.followed.append(FollowedConfig(found, _builder(named), by, span, note, flags_reported=flags_reported))
    return []


def _run_step(run: Embedded, workdir: str, path: str | None, settings: Settings, result: LintResult) -> list[Finding]:
    """The `docker buildx create` lines of a `run:` step, judged as in a script (from `working-directory`)."""
    from bklint.linter.buildx_create import find_creates, judge
    from bklint.linter.shell_words import split

    out: list[Finding] = []
    for create in find_creates(split(run.text).commands):
        found, followed = judge(create, _place(run), path or "-", settings, workdir)
        out.extend(found)
        result.followed.extend(followed)
    return out


def _place(value: Embedded) -> Callable[[int, int], Span]:
    """Offsets in a YAML value's text as a span in the YAML file (its key where not exact)."""

    def place(start: int, end: int) -> Span:
        a, b = value.offset_position(start), value.offset_position(end)
        return Span(a, max(a, b)) if a is not None and b is not None else value.key_span

    return place


def yaml_directives(text: str, extraction: Extraction) -> list[noqa.Directive]:
    """The `noqa` comments of the YAML itself (those inside an embedded config are the config's)."""
    values = [*extraction.configs, *extraction.flag_inputs]
    return noqa.parse_yaml_directives(text, lambda line, column: any(e.owns(line, column) for e in values))


def fix_yaml_data(data: bytes, name: str | None, settings: Settings, accept: FixFilter) -> FixOutcome:
    """Fix the configs in literal blocks and the YAML around them; the YAML must read back to the fixed TOML.

    Every change is an edit on the original text (a literal block is replaced whole), so
    positions never shift under a later edit; only findings the YAML file's own filter
    kept (``noqa`` comments in the YAML included) are fixed.
    """
    from bklint.linter.fix import FixOutcome, apply_edits, fix_data

    path = name
    source = decode_bytes(data)
    first = lint_yaml_source(source, path, settings)
    if not source.readable:
        return FixOutcome(data, data, first)
    text = source.text
    extraction = extract(text)
    directives = yaml_directives(text, extraction)
    applied: list[str] = []
    dropped: list[str] = []
    edits: list[Edit] = []
    # YAML-level fixes (input renames, unused YAML `noqa` comments): everything outside the configs.
    for f in first.findings:
        if f.fix is not None and accept(f) and not any(_inside_config(extraction, e.span) for e in f.fix.edits):
            edits.extend(f.fix.edits)
            applied.append(f"{f.code}: {f.fix.message}")
    expected: dict[int, str] = {}
    lines = text.split("\n")
    for index, embedded in enumerate(extraction.configs):
        block = embedded.block
        if block is None or "${{" in embedded.text:
            continue

        def wanted(f: Finding, embedded: Embedded = embedded) -> bool:
            at = embedded.position(f.span.start)
            return accept(f) and at is not None and not noqa.suppressed(directives, f.code, at.line)

        outcome = fix_data(embedded.text.encode("utf-8"), path, _builder(embedded, embedded.text).settings(settings), wanted)
        if outcome.error is not None:
            return FixOutcome(data, data, first, error=f"{embedded.where or embedded.kind}: {outcome.error}")
        dropped.extend(f"{embedded.where or embedded.kind}: {d}" for d in outcome.dropped)
        if not outcome.changed:
            continue
        new_toml = outcome.data.decode("utf-8")
        expected[index] = new_toml
        body = new_toml.rstrip("\n").split("\n") if new_toml.strip("\n") else []
        pad = " " * block.indent
        if body:
            last = lines[block.last_line].rstrip("\r")
            span = Span.at(block.first_line, 0, block.last_line, len(last))
            edits.append(Edit(span, "\n".join(pad + line if line else "" for line in body)))
        else:
            edits.append(Edit(Span.at(block.first_line, 0, block.last_line + 1, 0), ""))
        applied.extend(outcome.applied)
    new_text = apply_edits(text, edits) if edits else text
    if new_text == text:
        return FixOutcome(data, data, first, dropped=dropped)
    check = extract(new_text)
    if not check.parsed or len(check.configs) != len(extraction.configs):
        return FixOutcome(data, data, first, error="the fixed YAML does not parse back; nothing was changed")
    for index, new_toml in expected.items():
        if check.configs[index].text != new_toml:
            return FixOutcome(
                data, data, first, error="the fixed config does not read back from the YAML block; nothing was changed"
            )
    new_data = (b"\xef\xbb\xbf" if source.had_bom else b"") + new_text.encode("utf-8")
    return FixOutcome(data, new_data, lint_yaml_source(decode_bytes(new_data), path, settings), applied, dropped=dropped)


def _inside_config(extraction: Extraction, span: Span) -> bool:
    return any(e.owns(span.start.line, span.start.column) for e in extraction.configs)
