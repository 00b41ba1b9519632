"""buildkitd configs embedded in YAML: GitHub Actions workflows and Kubernetes manifests.

Where a config is found (the discovery rule, also documented in the README):

* any mapping with ``uses: docker/setup-buildx-action[@ref]`` (workflow steps, composite
  ``action.yml``) — or a fork: any owner's ``setup-buildx-action``, or an action of any name
  whose ``with:`` passes the action's own inputs (``ACTION_INPUTS``): its ``with:`` inputs ``buildkitd-config-inline`` and the old
  ``config-inline`` are linted as TOML, ``buildkitd-flags`` as the daemon flags the config
  runs with (the action's default flags when unset); ``config``/``config-inline`` get BK601
  and an inline config next to a config file gets BK602;
  a config or flags the step's ``driver`` never applies (docker, remote) gets BK604, and an
  ``image=moby/buildkit:vX.Y[.Z]`` driver-opt sets the release the config is judged for
  (unless ``--target-version`` is given; floating tags mean the newest);
* any mapping key named ``buildkitd.toml`` with a string value (ConfigMap ``data:``, Helm
  values, kustomize literals), in every document of a multi-document file;
* a `buildkitd-config:` path input is followed (``linter/followed.py``) with the step's
  flags and image, as setup-buildx-action passes it to `buildx create --config`
  (src/context.ts ``getCreateArgs``); `run:` steps holding a `docker buildx create` line are
  judged as scripts are (``linter/buildx_create.py``), from their `working-directory`.

This module finds the configs and maps positions in their TOML text to the YAML file:
exactly for literal block scalars (``|``, ``|-``, ``|+``), simple folded blocks and
one-line scalars; not at all for other shapes (multi-line quoted strings). Linting and
fixing a YAML file is ``linter/inputs/yaml.py``.

ruamel.yaml (round-trip mode keeps line and column of every key and value) is imported
only when a YAML file is checked.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from bklint.linter.buildx_create import (
    IGNORING_DRIVERS,
    buildkit_image,
    mentions_create,
    rootless_kubernetes_skips_config,
)
from bklint.linter.source import decode_bytes
from bklint.rules.base import Edit, Finding, Fix, Position, Rule, Span
from bklint.rules.document import line_starts
from bklint.rules.record import FrozenRecord, Record
from bklint.rules.regex import Regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    Style = Literal["literal", "folded", "plain", "double", "single"]

CONFIG_KEY = "buildkitd.toml"
INLINE_INPUTS = ("buildkitd-config-inline", "config-inline")
FILE_INPUTS = ("buildkitd-config", "config")
FLAGS_INPUT = "buildkitd-flags"
DRIVER_OPTS_INPUT = "driver-opts"
# The inputs that make a step setup-buildx-action, whatever it is called (a fork, an internal
# copy, a local path); the removed `config`/`config-inline` are too generic to tell.
ACTION_INPUTS = (INLINE_INPUTS[0], FILE_INPUTS[0], FLAGS_INPUT, DRIVER_OPTS_INPUT)
# What setup-buildx-action passes when `buildkitd-flags` is empty (docker-container,
# kubernetes and the default driver): it replaces the file's insecure-entitlements.
ACTION_DEFAULT_FLAGS = "--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host"
DEFAULT_FLAG_DRIVERS = ("", "docker", "docker-container", "kubernetes")
# Files in a directory tree are parsed only when their text mentions one of these.
_MARKERS = ("setup-buildx-action", CONFIG_KEY, *ACTION_INPUTS, "buildx create")
# Any owner (and any folder of a repository): forks and internal mirrors of the action are
# recognised by its name; the rest by their inputs (``ACTION_INPUTS``).
_USES = Regex(r"^\s*[\w.-]+(?:/[\w.-]+)*/setup-buildx-action(?:@(?P<ref>\S+))?\s*$", re.IGNORECASE)
# `uses: owner/setup-buildx-action@<sha> # pin v2.4.0`: the version a SHA stands for.
_PIN_COMMENT = Regex(r"#.*?\b(v\d+(?:\.\d+){0,2})\b")
_VERSION = Regex(r"^(?:v(?P<major>\d+)(?:\.(?P<minor>\d+))?|(?P<major2>\d+)\.(?P<minor2>\d+))(?:\.\d+)*$")


def might_embed(path: str, head: bytes | None = None) -> bool:
    """Directory discovery: a file whose text mentions setup-buildx-action or a buildkitd.toml key."""
    if head is None:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4 << 20)
        except OSError:
            return False
    return any(marker.encode() in head for marker in _MARKERS)


# --- where the TOML sits in the YAML ------------------------------------------------------


class BlockLayout(FrozenRecord):
    """A literal block scalar: its TOML lines are YAML lines ``first_line …`` indented by ``indent``."""

    __slots__ = ("first_line", "indent", "last_line")

    first_line: int  # YAML line of the first content line
    last_line: int  # YAML line of the last line that holds TOML text (inclusive; first-1 when empty)
    indent: int

    def __init__(self, first_line: int, last_line: int, indent: int) -> None:
        self.first_line = first_line
        self.last_line = last_line
        self.indent = indent


class Embedded(Record):
    """One embedded config: its TOML text and how TOML positions map to the YAML file."""

    __slots__ = (
        "block",
        "driver",
        "driver_opts",
        "flags",
        "flags_input",
        "image",
        "image_version",
        "inline_end",
        "key_span",
        "kind",
        "last_line",
        "segments",
        "style",
        "text",
        "value_column",
        "value_line",
        "where",
    )

    kind: str  # the key it came from: buildkitd-config-inline, config-inline, buildkitd.toml
    text: str
    key_span: Span
    style: Style
    # Exact mapping: (offset in text, YAML line, YAML column) where each run of text that sits
    # on one YAML line starts; None = inexact (findings go to the key).
    segments: list[tuple[int, int, int]] | None
    block: BlockLayout | None  # literal blocks: where fixes can be written back
    flags: str | None  # the daemon flags it runs with, when known
    where: str
    # The step's `buildkitd-flags` input (kind "buildkitd-flags"), when the user set it.
    flags_input: Embedded | None
    # The release a pinned `image=moby/buildkit:vX.Y[.Z]` driver-opt runs ("" for a floating tag:
    # the newest), and that driver-opt as written; None when the step names no BuildKit image.
    image_version: str | None
    image: str
    # The step's driver ("" = the action's default) and driver-opts, as `buildx create` gets them;
    # None when the driver is only known when the workflow runs.
    driver: str | None
    driver_opts: tuple[str, ...]
    # The YAML text the value occupies: its first line from ``value_column`` up to column
    # ``inline_end``, and the lines after it up to ``last_line`` (its comments are its own).
    value_line: int
    value_column: int
    inline_end: int
    last_line: int

    def __init__(
        self,
        kind: str,
        text: str,
        key_span: Span,
        style: Style,
        segments: list[tuple[int, int, int]] | None,
        block: BlockLayout | None = None,
        flags: str | None = None,
        where: str = "",
        flags_input: Embedded | None = None,
        image_version: str | None = None,
        image: str = "",
        driver: str | None = None,
        driver_opts: tuple[str, ...] = (),
        value_line: int = 0,
        value_column: int = 0,
        inline_end: int = 0,
        last_line: int = -1,
    ) -> None:
        self.kind = kind
        self.text = text
        self.key_span = key_span
        self.style = style
        self.segments = segments
        self.block = block
        self.flags = flags
        self.where = where
        self.flags_input = flags_input
        self.image_version = image_version
        self.image = image
        self.driver = driver
        self.driver_opts = driver_opts
        self.value_line = value_line
        self.value_column = value_column
        self.inline_end = inline_end
        self.last_line = last_line

    def owns(self, line: int, column: int) -> bool:
        """Whether a YAML position is inside the value (a `#` there is not a YAML comment)."""
        if line == self.value_line:
            return self.value_column <= column < self.inline_end
        return self.value_line < line <= self.last_line

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


class Extraction(Record):
    __slots__ = ("config_files", "configs", "findings", "flag_inputs", "parsed", "run_steps")

    configs: list[Embedded]
    # `buildkitd-flags` inputs, linted with the daemon-flag rules.
    flag_inputs: list[Embedded]
    # Findings about the YAML around the configs (BK601, BK602, BK603).
    findings: list[Finding]
    # setup-buildx-action `buildkitd-config:` paths (text = the path as written), followed
    # with the step's flags and image like an inline config.
    config_files: list[Embedded]
    # `run:` steps with a `docker buildx create` line, and their `working-directory`.
    run_steps: list[tuple[Embedded, str]]
    parsed: bool

    def __init__(
        self,
        configs: list[Embedded] | None = None,
        flag_inputs: list[Embedded] | None = None,
        findings: list[Finding] | None = None,
        config_files: list[Embedded] | None = None,
        run_steps: list[tuple[Embedded, str]] | None = None,
        parsed: bool = True,
    ) -> None:
        self.configs = [] if configs is None else configs
        self.flag_inputs = [] if flag_inputs is None else flag_inputs
        self.findings = [] if findings is None else findings
        self.config_files = [] if config_files is None else config_files
        self.run_steps = [] if run_steps is None else run_steps
        self.parsed = parsed


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
    inline_end, last_line = _extent(lines, kc, vl, vc, style)
    return Embedded(
        kind,
        str(value),
        _key_span(lines, kl, kc, str(key)),
        style,
        origins,
        block,
        flags,
        where,
        value_line=vl,
        value_column=vc,
        inline_end=inline_end,
        last_line=last_line,
    )


def _extent(lines: list[str], key_column: int, line: int, column: int, style: Style) -> tuple[int, int]:
    """Where a scalar ends: the column it ends at on its first line, and its last line.

    Continuation lines of any scalar in a block mapping are indented deeper than its key.
    """
    raw = lines[line] if line < len(lines) else ""
    if style in ("literal", "folded"):
        inline_end = column + 1  # the header; a comment after it is YAML's
    elif style == "double":
        inline_end = _closing(raw, column, escapes=True)
    elif style == "single":
        inline_end = _closing(raw, column, escapes=False)
    else:
        comment = re.search(r"[ \t]#", raw[column:])
        inline_end = column + comment.start() if comment else len(raw)
    last = line
    k = line + 1
    while k < len(lines) and (_blank(lines[k]) or _leading_spaces(lines[k]) > key_column):
        k += 1
        if not _blank(lines[k - 1]):
            last = k - 1
    return inline_end, last


def _closing(raw: str, column: int, escapes: bool) -> int:
    """The column after a quoted scalar's closing quote on its line (the line's end if none)."""
    quote = raw[column : column + 1]
    i = column + 1
    while i < len(raw):
        if escapes and raw[i] == "\\":
            i += 2
            continue
        if raw[i] == quote:
            if not escapes and raw[i + 1 : i + 2] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return len(raw)


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
                _action_step(lines, mapping, _pinned(lines, mapping, m.group("ref")), out)
            elif isinstance(uses, str) and _takes_action_inputs(mapping):
                _action_step(lines, mapping, None, out)  # its ref is its own, not the action's version
            run = mapping.get("run")
            if isinstance(run, str) and mentions_create(run):
                _run_step(lines, mapping, out)
            for key in mapping:
                if isinstance(key, str) and key == CONFIG_KEY:
                    found = _embedded(lines, mapping, key, CONFIG_KEY, f"`{CONFIG_KEY}` key")
                    if found is not None:
                        out.configs.append(found)
    out.configs.sort(key=lambda e: (e.key_span.start.line, e.key_span.start.column))
    return out


def _takes_action_inputs(step: Any) -> bool:
    """Whether a step of another name passes setup-buildx-action's own inputs (so is a fork)."""
    inputs = step.get("with")
    return isinstance(inputs, dict) and any(key in inputs for key in ACTION_INPUTS)


def _pinned(lines: list[str], step: Any, ref: str | None) -> str | None:
    """The ref, or for a ref that is no version (a SHA) the version its `# pin vX.Y.Z` comment names."""
    if _version(ref) is not None:
        return ref
    try:
        line = int(step.lc.value("uses")[0])
    except (AttributeError, KeyError, TypeError):
        return ref
    m = _PIN_COMMENT.search(lines[line]) if 0 <= line < len(lines) else None
    return m.group(1) if m else ref


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
    flags = inputs.get(FLAGS_INPUT)
    driver = inputs.get("driver")
    driver_name = driver.strip() if isinstance(driver, str) else ""
    flags_input: Embedded | None = None
    if isinstance(flags, str) and flags.strip():
        effective: str | None = str(flags)
        flags_input = _embedded(lines, inputs, FLAGS_INPUT, FLAGS_INPUT, where)
        if flags_input is not None:
            out.flag_inputs.append(flags_input)
    elif driver_name in DEFAULT_FLAG_DRIVERS and "${{" not in driver_name:
        effective = ACTION_DEFAULT_FLAGS
    else:
        effective = None
    version = _version(ref)
    opts = _driver_opts(inputs.get(DRIVER_OPTS_INPUT))
    image, image_version = buildkit_image(opts)
    known_driver = driver_name if "${{" not in driver_name and not any("${{" in o for o in opts) else None
    _driver_findings(lines, inputs, driver_name, opts, where, flags_input, out)
    for old, new in (("config", "buildkitd-config"), ("config-inline", "buildkitd-config-inline")):
        if old in inputs:
            finding = _removed_input(lines, inputs, old, new, ref, version, RemovedActionInput)
            if finding is not None:
                out.findings.append(finding)
    inline = next((k for k in INLINE_INPUTS if k in inputs), None)
    file_input = next((k for k in FILE_INPUTS if k in inputs and inputs.get(k)), None)
    if file_input is not None and driver_name not in IGNORING_DRIVERS:
        named = _embedded(lines, inputs, file_input, file_input, where, effective)
        if named is not None and "${{" not in named.text:
            named.flags_input = flags_input
            named.image, named.image_version = image, image_version
            named.driver, named.driver_opts = known_driver, opts
            out.config_files.append(named)
    if inline is not None:
        found = _embedded(lines, inputs, inline, inline, where, effective)
        if found is not None:
            found.flags_input = flags_input
            found.image, found.image_version = image, image_version
            found.driver, found.driver_opts = known_driver, opts
            out.configs.append(found)
            if file_input is not None:
                out.findings.append(
                    InlineConfigIgnored.finding(
                        f"`{file_input}` and `{inline}` are both set: setup-buildx-action uses the file and "
                        "ignores this inline config",
                        found.key_span,
                    )
                )


def _run_step(lines: list[str], step: Any, out: Extraction) -> None:
    name = step.get("name")
    found = _embedded(lines, step, "run", "run", f"step {name!r}" if isinstance(name, str) else "run step")
    workdir = step.get("working-directory")
    if found is not None:
        out.run_steps.append((found, workdir if isinstance(workdir, str) and "${{" not in workdir else ""))


def _driver_opts(opts: Any) -> tuple[str, ...]:
    """`driver-opts` as the `--driver-opt` values the action passes (one a line, or a list)."""
    if isinstance(opts, str):
        return tuple(line for line in opts.splitlines() if line.strip())
    if isinstance(opts, list):
        return tuple(str(o) for o in opts)
    return ()


def _driver_findings(
    lines: list[str],
    inputs: Any,
    driver: str,
    opts: tuple[str, ...],
    where: str,
    flags_input: Embedded | None,
    out: Extraction,
) -> None:
    """BK604: a config or daemon flags the step's driver never applies."""
    from bklint.rules.catalog.embedding import DriverIgnoresConfig

    if driver not in IGNORING_DRIVERS:
        flags = inputs.get(FLAGS_INPUT)
        flags = flags if isinstance(flags, str) and "${{" not in flags else None
        skipped = rootless_kubernetes_skips_config(driver, opts, flags)
        if not skipped or any("${{" in o for o in opts) or (FLAGS_INPUT in inputs and flags is None):
            return
        for key in (*INLINE_INPUTS, *FILE_INPUTS):
            value = inputs.get(key)
            pos = _positions(inputs, key) if isinstance(value, str) and value.strip() else None
            if pos is not None:
                out.findings.append(DriverIgnoresConfig.finding(f"`{key}`: {skipped}", _key_span(lines, *pos[0], key)))
        return
    for key in (*INLINE_INPUTS, *FILE_INPUTS, FLAGS_INPUT):
        value = inputs.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        pos = _positions(inputs, key)
        if pos is None:
            continue
        span = _key_span(lines, *pos[0], key)
        is_flags = key == FLAGS_INPUT
        if driver == "docker":
            message = (
                f"`driver: docker` uses the Docker daemon's own BuildKit: setup-buildx-action creates no "
                f"builder, so `{key}` is never applied; set registry mirrors as `registry-mirrors` and "
                "plain-HTTP registries as `insecure-registries` in the daemon's daemon.json instead"
            )
        else:
            what = "buildkit flags" if is_flags else "config file"
            message = (
                f"`driver: remote` connects to a running buildkitd: buildx refuses `{key}` (\"setting "
                f"{what} is not supported for remote driver\"); configure that daemon where it runs"
            )
        out.findings.append(DriverIgnoresConfig.finding(message, span))


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


def has_embedded(data: bytes) -> bool:
    """Whether directory discovery should report this YAML file at all."""
    source = decode_bytes(data)
    if not source.readable:
        return False
    extraction = extract(source.text, strict=False)
    return bool(
        extraction.configs or extraction.flag_inputs or extraction.findings or extraction.config_files or extraction.run_steps
    )


__all__ = [
    "ACTION_DEFAULT_FLAGS",
    "Embedded",
    "Extraction",
    "extract",
    "has_embedded",
    "might_embed",
]
