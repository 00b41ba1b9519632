"""buildkitd configs embedded in YAML: GitHub Actions workflows and Kubernetes manifests.

Where a config is found (the discovery rule, also documented in the README):

* any mapping with ``uses: docker/setup-buildx-action[@ref]`` (workflow steps, composite
  ``action.yml``): its ``with:`` inputs ``buildkitd-config-inline`` and the old
  ``config-inline`` are linted as TOML, ``buildkitd-flags`` as the daemon flags the config
  runs with (the action's default flags when unset); ``config``/``config-inline`` get BK601
  and an inline config next to a config file gets BK602;
* any mapping key named ``buildkitd.toml`` with a string value (ConfigMap ``data:``, Helm
  values, kustomize literals), in every document of a multi-document file.

Findings are reported in the YAML file's own coordinates. The TOML text is mapped back line
by line: exactly for literal block scalars (``|``, ``|-``, ``|+``) and one-line scalars;
for other shapes (folded ``>``, multi-line quoted strings) the finding points at the key
and its message gives the line and column inside the embedded config. Fixes are written
back only into literal blocks, the one shape where re-indenting the fixed TOML is exact,
and only after re-parsing the YAML gives back exactly the fixed TOML.

GitHub expressions (``${{ … }}``) are not TOML until the workflow runs: outside strings
they are masked as same-length strings, and findings touching one are dropped.

ruamel.yaml (round-trip mode keeps line and column of every key and value) is imported
only when a YAML file is checked.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from bklint.linter.files import is_yaml_path
from bklint.linter.run import LintResult, lint_text
from bklint.linter.settings import Settings, enabled
from bklint.linter.source import decode_bytes
from bklint.rules.base import Edit, Finding, Fix, Position, Rule, Span
from bklint.rules.context import SourceText
from bklint.rules.document import line_starts

if TYPE_CHECKING:
    from bklint.linter.fix import FixOutcome

ACTION = "docker/setup-buildx-action"
CONFIG_KEY = "buildkitd.toml"
INLINE_INPUTS = ("buildkitd-config-inline", "config-inline")
FILE_INPUTS = ("buildkitd-config", "config")
# What setup-buildx-action passes when `buildkitd-flags` is empty (docker-container,
# kubernetes and the default driver): it replaces the file's insecure-entitlements.
ACTION_DEFAULT_FLAGS = "--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host"
DEFAULT_FLAG_DRIVERS = ("", "docker", "docker-container", "kubernetes")
# Files in a directory tree are parsed only when their text mentions one of these.
_MARKERS = (ACTION, CONFIG_KEY)
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_USES = re.compile(r"^\s*docker/setup-buildx-action(?:@(?P<ref>\S+))?\s*$", re.IGNORECASE)
_VERSION = re.compile(r"^(?:v(?P<major>\d+)(?:\.(?P<minor>\d+))?|(?P<major2>\d+)\.(?P<minor2>\d+))(?:\.\d+)*$")

Style = Literal["literal", "folded", "plain", "double", "single"]


def might_embed(path: str, head: bytes | None = None) -> bool:
    """Directory discovery: a YAML file whose text mentions setup-buildx-action or a buildkitd.toml key."""
    if not is_yaml_path(path):
        return False
    if head is None:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4 << 20)
        except OSError:
            return False
    return any(marker.encode() in head for marker in _MARKERS)


# --- where the TOML sits in the YAML ------------------------------------------------------


class BlockLayout(NamedTuple):
    """A literal block scalar: its TOML lines are YAML lines ``first_line …`` indented by ``indent``."""

    first_line: int  # YAML line of the first content line
    last_line: int  # YAML line of the last line that holds TOML text (inclusive; first-1 when empty)
    indent: int


@dataclass(slots=True)
class Embedded:
    """One embedded config: its TOML text and how TOML positions map to the YAML file."""

    kind: str  # the key it came from: buildkitd-config-inline, config-inline, buildkitd.toml
    text: str
    key_span: Span
    style: Style
    # Exact mapping: (offset in text, YAML line, YAML column) where each run of text that sits
    # on one YAML line starts; None = inexact (findings go to the key).
    segments: list[tuple[int, int, int]] | None
    block: BlockLayout | None = None  # literal blocks: where fixes can be written back
    flags: str | None = None  # the daemon flags it runs with, when known
    where: str = ""
    # The step's `buildkitd-flags` input (kind "buildkitd-flags"), when the user set it.
    flags_input: Embedded | None = None

    def offset_position(self, offset: int) -> Position | None:
        if not self.segments:
            return None
        offset = max(0, min(offset, len(self.text)))
        start, line, col = self.segments[bisect_right([s[0] for s in self.segments], offset) - 1]
        return Position(line, col + offset - start)

    def position(self, pos: Position) -> Position | None:
        starts = line_starts(self.text)
        if pos.line >= len(starts):
            return self.offset_position(len(self.text))
        end = starts[pos.line + 1] - 1 if pos.line + 1 < len(starts) else len(self.text)
        return self.offset_position(min(starts[pos.line] + pos.column, end))

    def span(self, span: Span) -> Span | None:
        start, end = self.position(span.start), self.position(span.end)
        if start is None or end is None:
            return None
        return Span(start, max(start, end))


@dataclass(slots=True)
class Extraction:
    configs: list[Embedded] = field(default_factory=list)
    # `buildkitd-flags` inputs, linted with the daemon-flag rules.
    flag_inputs: list[Embedded] = field(default_factory=list)
    # Findings about the YAML around the configs (BK601, BK602, BK603).
    findings: list[Finding] = field(default_factory=list)
    parsed: bool = True


def _leading_spaces(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(line: str) -> bool:
    return line.strip(" ") == ""


def _block_header(raw: str) -> tuple[str, str, int | None] | None:
    """``|``/``>`` with chomping and indentation indicators: (style char, chomping, indent digit)."""
    m = re.match(r"([|>])([+-]?)([1-9]?)([+-]?)(?:\s+#.*)?\s*$", raw)
    if m is None or (m.group(2) and m.group(4)):
        return None
    digit = int(m.group(3)) if m.group(3) else None
    return m.group(1), m.group(2) or m.group(4), digit


def _literal_block(
    lines: list[str], header_line: int, header: tuple[str, str, int | None], parent_indent: int, value: str
) -> tuple[list[tuple[int, int, int]], BlockLayout] | None:
    """Map a literal block's lines, or None when our reading differs from the YAML parser's."""
    _, chomp, digit = header
    first = header_line + 1
    if digit is not None:
        indent = parent_indent + digit
    else:
        k = first
        while k < len(lines) and _blank(lines[k]):
            k += 1
        if k == len(lines) or _leading_spaces(lines[k]) <= parent_indent:
            return None
        indent = _leading_spaces(lines[k])
    k = first
    content: list[str] = []
    while k < len(lines) and (_blank(lines[k]) or _leading_spaces(lines[k]) >= indent):
        content.append(lines[k][indent:] if len(lines[k]) > indent else "")
        k += 1
    last = len(content)
    while last > 0 and content[last - 1] == "":
        last -= 1
    body = "\n".join(content[:last])
    if chomp == "-":
        text = body
    elif chomp == "+":
        text = body + "\n" * (len(content) - last + (1 if last else 0))
    else:
        text = body + "\n" if last else ""
    if text != value:
        return None
    segments, offset = [], 0
    for n, line in enumerate(content[: max(last, 1)]):
        segments.append((offset, first + n, indent))
        offset += len(line) + 1
    return segments, BlockLayout(first, first + last - 1, indent)


def _folded_block(
    lines: list[str], header_line: int, header: tuple[str, str, int | None], parent_indent: int, value: str
) -> list[tuple[int, int, int]] | None:
    """The simple folded block (no blank or more-indented lines): YAML joins its lines with spaces."""
    _, chomp, digit = header
    first = header_line + 1
    if first >= len(lines) or _blank(lines[first]):
        return None
    indent = parent_indent + digit if digit is not None else _leading_spaces(lines[first])
    if indent <= parent_indent:
        return None
    content: list[str] = []
    k = first
    while k < len(lines) and not _blank(lines[k]) and _leading_spaces(lines[k]) >= indent:
        content.append(lines[k][indent:])
        k += 1
    if any(line[:1] in (" ", "\t") for line in content):
        return None
    body = " ".join(content)
    if value not in (body, body + "\n") or (chomp == "-" and value != body):
        return None
    segments, offset = [], 0
    for n, line in enumerate(content):
        segments.append((offset, first + n, indent))
        offset += len(line) + 1
    return segments


def _locate(
    lines: list[str], line: int, col: int, parent_indent: int, value: str
) -> tuple[Style, list[tuple[int, int, int]] | None, BlockLayout | None]:
    raw = lines[line][col:] if line < len(lines) else ""
    if raw[:1] in ("|", ">"):
        header = _block_header(raw)
        style: Style = "literal" if raw[0] == "|" else "folded"
        if header is not None and style == "literal":
            found = _literal_block(lines, line, header, parent_indent, value)
            if found is not None:
                return style, found[0], found[1]
        if header is not None and style == "folded":
            return style, _folded_block(lines, line, header, parent_indent, value), None
        return style, None, None
    if "\n" in value:
        quoted: Style = "double" if raw[:1] == '"' else "single" if raw[:1] == "'" else "plain"
        return quoted, None, None
    if raw[:1] == '"':
        exact = "\\" not in raw[1 : len(value) + 1] and raw[1 : len(value) + 2] == value + '"'
        return "double", ([(0, line, col + 1)] if exact else None), None
    if raw[:1] == "'":
        exact = raw[1 : len(value) + 2] == value + "'"
        return "single", ([(0, line, col + 1)] if exact else None), None
    return "plain", ([(0, line, col)] if raw.startswith(value) else None), None


def _key_span(lines: list[str], line: int, col: int, key: str) -> Span:
    raw = lines[line][col:] if line < len(lines) else ""
    width = len(key)
    if raw[:1] in ("'", '"'):
        close = raw.find(raw[0], 1)
        width = close + 1 if close > 0 else width + 2
    return Span.at(line, col, line, col + width)


def _positions(mapping: Any, key: Any) -> tuple[tuple[int, int], tuple[int, int]] | None:
    try:
        k = mapping.lc.key(key)
        v = mapping.lc.value(key)
    except (AttributeError, KeyError, TypeError):
        return None
    if not (isinstance(k, tuple) and isinstance(v, tuple)):
        return None
    return (int(k[0]), int(k[1])), (int(v[0]), int(v[1]))


def _walk(node: Any) -> Iterator[Any]:
    """Every mapping in a document (iterative: deep manifests must not hit the recursion limit)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:  # YAML aliases can make cycles
            continue
        seen.add(id(current))
        if isinstance(current, dict):
            yield current
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


def _version(ref: str | None) -> tuple[int, int] | None:
    """``v3`` means the newest v3.x (a moving tag), ``v3.1.0`` that release; SHAs and branches: None."""
    m = _VERSION.match(ref or "")
    if m is None:
        return None
    major = m.group("major") or m.group("major2")
    minor = m.group("minor") or m.group("minor2")
    return int(major), int(minor) if minor is not None else 99


def _embedded(
    lines: list[str], mapping: Any, key: Any, kind: str, where: str, flags: str | None = None
) -> Embedded | None:
    value = mapping.get(key)
    pos = _positions(mapping, key)
    if not isinstance(value, str) or pos is None:
        return None
    (kl, kc), (vl, vc) = pos
    style, origins, block = _locate(lines, vl, vc, kc, str(value))
    return Embedded(kind, str(value), _key_span(lines, kl, kc, str(key)), style, origins, block, flags, where)


def extract(text: str, strict: bool = True) -> Extraction:
    """Find embedded configs (and the findings about their surroundings) in YAML text."""
    from bklint.rules.catalog.embedding import InvalidEmbeddingYaml

    out = Extraction()
    try:
        documents = _load_all(text)
    except Exception as exc:  # ruamel raises many error types; any of them means "not YAML"
        out.parsed = False
        if strict:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line, col = (int(mark.line), int(mark.column)) if mark is not None else (0, 0)
            problem = getattr(exc, "problem", None) or type(exc).__name__
            out.findings.append(
                InvalidEmbeddingYaml.finding(f"not valid YAML: {problem}", Span.at(line, col, line, col + 1))
            )
        return out
    lines = [line.rstrip("\r") for line in text.split("\n")]
    for document in documents:
        for mapping in _walk(document):
            uses = mapping.get("uses")
            if isinstance(uses, str) and (m := _USES.match(uses)):
                _action_step(lines, mapping, m.group("ref"), out)
            for key in mapping:
                if isinstance(key, str) and key == CONFIG_KEY:
                    found = _embedded(lines, mapping, key, CONFIG_KEY, f"`{CONFIG_KEY}` key")
                    if found is not None:
                        out.configs.append(found)
    out.configs.sort(key=lambda e: (e.key_span.start.line, e.key_span.start.column))
    return out


def _load_all(text: str) -> list[Any]:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    return [d for d in yaml.load_all(text) if d is not None]


def _action_step(lines: list[str], step: Any, ref: str | None, out: Extraction) -> None:
    from bklint.rules.catalog.embedding import InlineConfigIgnored, RemovedActionInput

    inputs = step.get("with")
    if not isinstance(inputs, dict):
        return
    name = step.get("name")
    where = f"setup-buildx-action step {name!r}" if isinstance(name, str) else "setup-buildx-action step"
    flags = inputs.get("buildkitd-flags")
    driver = inputs.get("driver")
    driver_name = driver.strip() if isinstance(driver, str) else ""
    flags_input: Embedded | None = None
    if isinstance(flags, str) and flags.strip():
        effective: str | None = str(flags)
        flags_input = _embedded(lines, inputs, "buildkitd-flags", "buildkitd-flags", where)
        if flags_input is not None:
            out.flag_inputs.append(flags_input)
    elif driver_name in DEFAULT_FLAG_DRIVERS and "${{" not in driver_name:
        effective = ACTION_DEFAULT_FLAGS
    else:
        effective = None
    version = _version(ref)
    for old, new in (("config", "buildkitd-config"), ("config-inline", "buildkitd-config-inline")):
        if old in inputs:
            finding = _removed_input(lines, inputs, old, new, ref, version, RemovedActionInput)
            if finding is not None:
                out.findings.append(finding)
    inline = next((k for k in INLINE_INPUTS if k in inputs), None)
    file_input = next((k for k in FILE_INPUTS if k in inputs and inputs.get(k)), None)
    if inline is not None:
        found = _embedded(lines, inputs, inline, inline, where, effective)
        if found is not None:
            found.flags_input = flags_input
            out.configs.append(found)
            if file_input is not None:
                out.findings.append(
                    InlineConfigIgnored.finding(
                        f"`{file_input}` and `{inline}` are both set: setup-buildx-action uses the file and "
                        "ignores this inline config",
                        found.key_span,
                    )
                )


def _removed_input(
    lines: list[str],
    inputs: Any,
    old: str,
    new: str,
    ref: str | None,
    version: tuple[int, int] | None,
    rule: type[Rule],
) -> Finding | None:
    pos = _positions(inputs, old)
    if pos is None:
        return None
    span = _key_span(lines, *pos[0], old)
    rename = (Edit(span, new),)
    if version is not None and version < (3, 2):
        return rule.finding(
            f"`{old}` is renamed `{new}` in setup-buildx-action v3.2 and removed in v4; "
            f"rename it when you upgrade from {ref}",
            span,
            severity=rule.severity.HINT,
        )
    if version is not None and version >= (4, 0):
        return rule.finding(
            f"setup-buildx-action v4 removed `{old}`: the input is ignored and the builder starts without this "
            f"config; use `{new}`",
            span,
            severity=rule.severity.ERROR,
            fix=Fix(f"rename to `{new}`", rename, "unsafe"),
        )
    if version is not None:
        return rule.finding(
            f"`{old}` is deprecated since setup-buildx-action v3.2 and removed in v4; use `{new}`",
            span,
            fix=Fix(f"rename to `{new}`", rename, "safe"),
        )
    return rule.finding(
        f"`{old}` was renamed `{new}` in setup-buildx-action v3.2 and removed in v4 (ref {ref or 'unpinned'})",
        span,
        fix=Fix(f"rename to `{new}`", rename, "unsafe"),
    )


# --- linting -----------------------------------------------------------------------------


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
            if _inside_string(line, m.start()) or '"' in inner or "\\" in inner:
                pieces.append(inner)
            else:
                pieces.append('"' + inner[1:-1] + '"')
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


def _settings_for(embedded: Embedded, settings: Settings) -> Settings:
    if embedded.flags is None:
        return settings
    own = settings.copy()
    own.rules.buildkitd_flags = embedded.flags
    return own


def _map_finding(embedded: Embedded, finding: Finding, path: str | None) -> Finding:
    mapped = embedded.span(finding.span)
    data: dict[str, object] = {
        **finding.data,
        "embedded": embedded.kind,
        "embedded_line": finding.span.start.line + 1,
        "embedded_column": finding.span.start.column + 1,
    }
    if mapped is None:
        where = f"line {finding.span.start.line + 1}, column {finding.span.start.column + 1} of the embedded config"
        return replace(
            finding,
            message=f"{finding.message} ({where})",
            span=embedded.key_span,
            fix=None,
            related=(),
            path=path,
            data=data,
        )
    related = tuple((s, note) for s, note in ((embedded.span(r), note) for r, note in finding.related) if s is not None)
    return replace(finding, span=mapped, fix=_map_fix(embedded, finding.fix), related=related, path=path, data=data)


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
    result = lint_text(masked_text, path, _settings_for(embedded, settings))
    out = []
    for finding in result.findings:
        if masked and _touches(finding.span, masked):
            continue
        if "flags_span" in finding.data:
            if embedded.flags_input is not None:
                continue  # about the flags alone: reported once, on the `buildkitd-flags` input
            out.append(_default_flags_finding(embedded, finding, path))
            continue
        out.append(_map_finding(embedded, finding, path))
    return out


def _default_flags_finding(embedded: Embedded, finding: Finding, path: str | None) -> Finding:
    return replace(
        finding,
        message=f"{finding.message} (setup-buildx-action's default buildkitd-flags: {ACTION_DEFAULT_FLAGS})",
        span=embedded.key_span,
        fix=None,
        related=(),
        path=path,
    )


def lint_flags_input(flags: Embedded, path: str | None, settings: Settings) -> list[Finding]:
    """The daemon-flag rules on a `buildkitd-flags` input, anchored on the offending words."""
    try:
        from bklint.rules.daemon_flags import lint_flags
    except ImportError:  # the flag rules are optional for this module
        return []
    from bklint.rules.context import Context

    ctx = Context(path=path, source=SourceText(""), settings=settings.rules)
    out = []
    for finding in lint_flags(flags.text, ctx):
        if not enabled(_rule_of(finding), settings, path):
            continue
        where = finding.data.get("flags_span")
        span: Span | None = None
        if isinstance(where, tuple) and len(where) == 2:
            start, end = flags.offset_position(int(where[0])), flags.offset_position(int(where[1]))
            if start is not None and end is not None:
                span = Span(start, max(start, end))
        override = settings.severity.get(finding.code)
        out.append(
            replace(
                finding,
                span=span or flags.key_span,
                fix=None,
                related=(),
                path=path,
                severity=override if override is not None else finding.severity,
                data={**finding.data, "embedded": "buildkitd-flags"},
            )
        )
    return out


def lint_yaml_source(source: SourceText, path: str | None, settings: Settings, strict: bool = True) -> LintResult:
    """Lint every config embedded in a YAML file; findings are in the YAML file's coordinates."""
    result = LintResult(path, source)
    if not source.readable:
        from bklint.rules.catalog.syntax import InvalidEncoding

        problem = next(p for p in source.problems if p.kind != "bom")
        result.findings.append(InvalidEncoding.finding(problem.message, Span.at(0, 0)))
        return result
    extraction = extract(source.text, strict)
    for finding in extraction.findings:
        if enabled(_rule_of(finding), settings, path):
            finding.path = path
            override = settings.severity.get(finding.code)
            if override is not None:
                finding.severity = override
            result.findings.append(finding)
    for embedded in extraction.configs:
        result.findings.extend(lint_embedded(embedded, path, settings))
    for flags in extraction.flag_inputs:
        result.findings.extend(lint_flags_input(flags, path, settings))
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def _rule_of(finding: Finding) -> type[Rule]:
    from bklint.rules.base import registered

    return registered()[finding.code]


def lint_yaml_bytes(data: bytes, path: str | None, settings: Settings, strict: bool = True) -> LintResult:
    return lint_yaml_source(decode_bytes(data), path, settings, strict)


def has_embedded(data: bytes) -> bool:
    """Whether directory discovery should report this YAML file at all."""
    source = decode_bytes(data)
    if not source.readable:
        return False
    extraction = extract(source.text, strict=False)
    return bool(extraction.configs or extraction.flag_inputs or extraction.findings)


# --- fixing ------------------------------------------------------------------------------


def fix_yaml_bytes(data: bytes, name: str | None, settings: Settings, unsafe: bool = False) -> FixOutcome:
    """Fix the configs in literal blocks (and the YAML-level fixes), verifying the YAML re-reads to the fixed TOML."""
    from bklint.linter.fix import FixOutcome, apply_edits, fix_bytes

    path = name
    source = decode_bytes(data)
    first = lint_yaml_source(source, path, settings)
    if not source.readable:
        return FixOutcome(data, data, first)
    text = source.text
    eol = "\r\n" if "\r\n" in text else "\n"
    applied: list[str] = []
    expected: dict[int, str] = {}
    extraction = extract(text)
    # YAML-level fixes (input renames) stay on their line: apply them first, while their
    # positions are those of the original text (a block rewrite below may add or drop lines).
    renames = [
        f
        for f in extraction.findings
        if f.fix is not None and (unsafe or f.fix.applicability == "safe") and enabled(_rule_of(f), settings, path)
    ]
    renamed = apply_edits(text, [e for f in renames if f.fix is not None for e in f.fix.edits]) if renames else text
    applied.extend(f"{f.code}: {f.fix.message}" for f in renames if f.fix is not None)
    lines = renamed.split("\n")
    # Whole-block rewrites, bottom-up so earlier line numbers stay valid.
    for index, embedded in sorted(enumerate(extraction.configs), key=lambda p: -p[1].key_span.start.line):
        block = embedded.block
        if block is None or "${{" in embedded.text:
            continue
        outcome = fix_bytes(embedded.text.encode("utf-8"), path, _settings_for(embedded, settings), unsafe)
        if outcome.error is not None:
            return FixOutcome(data, data, first, error=f"{embedded.where or embedded.kind}: {outcome.error}")
        if not outcome.changed:
            continue
        new_toml = outcome.data.decode("utf-8")
        expected[index] = new_toml
        body = new_toml.rstrip("\n").split("\n") if new_toml.strip("\n") else []
        pad = " " * block.indent
        cr = "\r" if eol == "\r\n" else ""
        new_lines = [(pad + line if line else "") + cr for line in body]
        lines[block.first_line : block.last_line + 1] = new_lines
        applied.extend(outcome.applied)
    new_text = "\n".join(lines)
    if new_text == text:
        return FixOutcome(data, data, first)
    check = extract(new_text)
    if not check.parsed or len(check.configs) != len(extraction.configs):
        return FixOutcome(data, data, first, error="the fixed YAML does not parse back; nothing was changed")
    for index, new_toml in expected.items():
        if check.configs[index].text != new_toml:
            return FixOutcome(
                data, data, first, error="the fixed config does not read back from the YAML block; nothing was changed"
            )
    new_data = (b"\xef\xbb\xbf" if source.had_bom else b"") + new_text.encode("utf-8")
    return FixOutcome(data, new_data, lint_yaml_bytes(new_data, path, settings), applied)


def fix_yaml_file(path: str, data: bytes, settings: Settings, unsafe: bool = False, write: bool = True) -> FixOutcome:
    from bklint.linter.fix import write_outcome

    outcome = fix_yaml_bytes(data, path, settings, unsafe)
    if write:
        write_outcome(path, data, outcome, lambda: lint_yaml_bytes(data, path, settings))
    return outcome


__all__ = [
    "ACTION_DEFAULT_FLAGS",
    "Embedded",
    "Extraction",
    "extract",
    "fix_yaml_bytes",
    "fix_yaml_file",
    "has_embedded",
    "is_yaml_path",
    "lint_yaml_bytes",
    "lint_yaml_source",
    "mask_expressions",
    "might_embed",
]
