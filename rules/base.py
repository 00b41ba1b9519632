"""The vocabulary every rule speaks: positions, findings, fixes and the rule class.

It sits at the bottom of the import graph (``lsp -> linter -> rules``) so a rule never
imports the machinery that runs it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping

from bklint.rules.record import FrozenRecord, Record

# Not `typing.TYPE_CHECKING`: importing `typing` costs `bklint check` start-up, and mypy and
# ruff treat any name `TYPE_CHECKING` as the flag. For the same reason the records below are
# written out (rules/record.py) rather than made by `dataclasses` or `NamedTuple`
# (issue 15; tests/test_architecture.py keeps those modules off the check path).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar, Literal

    from bklint.rules.context import Context
    from bklint.rules.document import Document
    from bklint.rules.schema.decode import Decoded

DOCS_URL = "https://github.com/bklint/bklint/blob/main/docs/rules.md#{code}"


class Severity(enum.IntEnum):
    """Numbered as LSP numbers them, so the server maps them one to one."""

    ERROR = 1
    WARNING = 2
    INFO = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning, info, hint)") from None


class Position(tuple[int, int]):
    """0-based line and column; the column counts code points (Python ``str`` indices).

    A tuple, so positions order, compare and hash as (line, column).
    """

    __slots__ = ()

    def __new__(cls, line: int, column: int) -> Position:
        return tuple.__new__(cls, (line, column))

    @property
    def line(self) -> int:
        return self[0]

    @property
    def column(self) -> int:
        return self[1]

    def __repr__(self) -> str:
        return f"Position(line={self[0]}, column={self[1]})"


class Span(tuple[Position, Position]):
    """A range of text, end exclusive; a tuple of its two positions."""

    __slots__ = ()

    def __new__(cls, start: Position, end: Position) -> Span:
        return tuple.__new__(cls, (start, end))

    @property
    def start(self) -> Position:
        return self[0]

    @property
    def end(self) -> Position:
        return self[1]

    def __repr__(self) -> str:
        return f"Span(start={self[0]!r}, end={self[1]!r})"

    @classmethod
    def at(cls, line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> Span:
        return cls(
            Position(line, column),
            Position(line if end_line is None else end_line, column if end_column is None else end_column),
        )

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end


FILE_START = Span.at(0, 0)

if TYPE_CHECKING:
    Applicability = Literal["safe", "unsafe"]


class Edit(tuple[Span, str]):
    """Replace the text of ``span`` by ``content`` (an empty span inserts)."""

    __slots__ = ()

    def __new__(cls, span: Span, content: str) -> Edit:
        return tuple.__new__(cls, (span, content))

    @property
    def span(self) -> Span:
        return self[0]

    @property
    def content(self) -> str:
        return self[1]

    def __repr__(self) -> str:
        return f"Edit(span={self[0]!r}, content={self[1]!r})"


class Fix:
    """A change that resolves a finding: a message, an applicability and text edits.

    Edits may be given directly or computed on first use (``compute``): rules whose fix
    needs a tomlkit round trip would otherwise pay for it on every lint, keystroke
    included, even though most fixes are never applied. A computed fix that turns out to
    be impossible has no edits and is treated as absent.
    """

    __slots__ = ("_compute", "_edits", "applicability", "message")

    def __init__(
        self,
        message: str,
        edits: tuple[Edit, ...] | None = None,
        applicability: Applicability = "safe",
        *,
        compute: Callable[[], tuple[Edit, ...] | None] | None = None,
    ) -> None:
        self.message = message
        self.applicability: Applicability = applicability
        self._edits = edits
        self._compute = compute

    @property
    def edits(self) -> tuple[Edit, ...]:
        if self._edits is None:
            self._edits = tuple((self._compute() if self._compute else None) or ())
            self._compute = None
        return self._edits

    @property
    def available(self) -> bool:
        return bool(self.edits)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fix):
            return NotImplemented
        return (self.message, self.applicability, self.edits) == (other.message, other.applicability, other.edits)

    def __hash__(self) -> int:
        return hash((self.message, self.applicability, self.edits))

    def __repr__(self) -> str:
        return f"Fix({self.message!r}, {self.applicability})"


class Finding(Record):
    """What a rule says about one place in a file."""

    __slots__ = (
        "code",
        "elsewhere",
        "fix",
        "flags_span",
        "message",
        "name",
        "path",
        "related",
        "severity",
        "span",
        "url",
    )

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        message: str,
        span: Span,
        fix: Fix | None = None,
        url: str | None = None,
        path: str | None = None,
        related: tuple[tuple[Span, str], ...] = (),
        elsewhere: tuple[tuple[str, Span, str], ...] = (),
        flags_span: tuple[int, int] | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.message = message
        self.span = span
        self.fix = fix
        self.url = url
        self.path = path
        # Extra spans the message refers to (e.g. the first definition of a duplicate).
        self.related = related
        # Places in other files the finding concerns, as (path, span, note): the script or
        # workflow step that hands this config to a builder (linter/followed.py).
        self.elsewhere = elsewhere
        # Character offsets of the words in the daemon-flags string the finding is about, so
        # a front end linting a workflow's `buildkitd-flags` input can point at them.
        self.flags_span = flags_span

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.start.line, self.span.start.column, self.code)


# The trigger of rules that judge the daemon flags (`--buildkitd-flags`), not a key.
FLAGS_GIVEN = "--buildkitd-flags"
# The trigger of rules that speak only when the file is judged for a named release
# (`--target-version`, or the image a builder runs): without one they are not even imported.
TARGET_GIVEN = "--target-version"
# Triggers the run's settings hold, not the file (``rules.catalog.given``).
SETTINGS_TRIGGERS = (FLAGS_GIVEN, TARGET_GIVEN)
# The trigger of rules about the YAML around an embedded config: the YAML kind reports
# them itself, so no TOML file triggers them.
EMBEDDING = "--embedding"


class RuleRef(FrozenRecord):
    """What the engine knows of a rule before importing it: enough to select, filter and
    find it (rules/catalog/index.py is generated from the rule classes)."""

    __slots__ = ("code", "fixable", "module", "name", "options", "severity", "triggers")

    def __init__(
        self,
        code: str,
        name: str,
        module: str,  # under bklint.rules.catalog
        severity: str,
        fixable: bool,
        options: tuple[str, ...],
        triggers: tuple[str, ...],
    ) -> None:
        self.code = code
        self.name = name
        self.module = module
        self.severity = severity
        self.fixable = fixable
        self.options = options
        self.triggers = triggers


class Rule:
    """Base class of every rule.

    A rule's class docstring is its documentation (what it checks, why, examples, fix
    safety); ``summary`` is the one-line description used in listings and SARIF.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    fixable: ClassVar[bool] = False
    # Options this rule reads from settings, with a one-line description each.
    options: ClassVar[dict[str, str]] = {}
    # Files (or dicts with ``text`` and more, see tests/fix) on which the fix must apply,
    # converge and keep the file valid; every fixable rule has some.
    fix_examples: ClassVar[tuple[str | Mapping[str, object], ...]] = ()
    # The verdict needs the files the config names (certificates): a front end that cannot
    # read the user's files (the browser playground) switches the rule off and says so.
    reads_files: ClassVar[bool] = False
    # Where in a file this rule looks: key paths in the loader's spelling, `*` for any name
    # ("registry", "registry.*.ca", "worker.oci"), and FLAGS_GIVEN for the daemon flags. A file
    # that has none of them gets no finding from the rule, so the engine does not even
    # import it (rules/catalog/index.py). Empty: every file may.
    triggers: ClassVar[tuple[str, ...]] = ()
    # "table": what the rule says about a `[registry."host"]` table depends on that table
    # alone, so its findings on the file are its findings on each such table decoded alone
    # plus those on the rest of the file, and the server re-runs it only for the tables an
    # edit touched (linter/per_table.py). "document" (the default): it reads across tables.
    scope: ClassVar[Literal["table", "document"]] = "document"

    def check(self, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def judges_alone(self, decoded: Decoded) -> bool:
        """For a "table" rule: whether, in a file decoded as ``decoded``, judging each table
        alone still gives its findings on the file (False when it counts across tables)."""
        return True

    @classmethod
    def docs(cls) -> str:
        import inspect  # docs are read by `bklint rule` and hover, not by a lint

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code.lower())

    @classmethod
    def page(cls) -> str:
        """The rule's documentation page in Markdown (`bklint rule`, docs/rules.md, the playground)."""
        meta = f"Default severity: {cls.severity.label}. Fix: {'available' if cls.fixable else 'none'}."
        parts = [f"# {cls.code} {cls.name}", "", cls.summary + ".", "", meta, "", cls.docs()]
        if cls.options:
            parts += ["", "**Options**", *[f"- `{k}`: {v}" for k, v in cls.options.items()]]
        return "\n".join(parts).rstrip() + "\n"

    @classmethod
    def finding(
        cls,
        message: str,
        span: Span,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
        related: tuple[tuple[Span, str], ...] = (),
    ) -> Finding:
        return Finding(
            code=cls.code,
            name=cls.name,
            severity=cls.severity if severity is None else severity,
            message=message,
            span=span,
            fix=fix,
            url=cls.url(),
            related=related,
        )


class ParsedRule(Rule):
    """A rule that judges the parsed file: it runs only when the file parsed, and receives
    the document (text and syntax tree) and the loader's view of it (``Decoded``)."""

    def check(self, ctx: Context) -> Iterable[Finding]:
        if ctx.doc is None or ctx.decoded is None:
            return ()
        return self.check_parsed(ctx, ctx.doc, ctx.decoded)

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        raise NotImplementedError


_REGISTRY: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the catalog; codes and names must be unique."""
    if rule.code in _REGISTRY and _REGISTRY[rule.code] is not rule:
        raise ValueError(f"duplicate rule code {rule.code}")
    for other in _REGISTRY.values():
        if other.name == rule.name and other is not rule:
            raise ValueError(f"duplicate rule name {rule.name}")
    _REGISTRY[rule.code] = rule
    return rule


def registered() -> dict[str, type[Rule]]:
    return _REGISTRY


def rule_named(ident: str) -> type[Rule] | None:
    """The registered rule with this code (BK101) or name (unknown-key), any case."""
    for rule in _REGISTRY.values():
        if rule.code == ident.upper() or rule.name == ident.lower():
            return rule
    return None


def iter_rules() -> Iterator[type[Rule]]:
    yield from sorted(_REGISTRY.values(), key=lambda r: r.code)
