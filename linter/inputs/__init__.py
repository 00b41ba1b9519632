"""Everything bklint reads: an :class:`Input` (where the bytes come from and go back to) of a
:class:`Kind` (what the bytes are).

`check`, `--fix`/`--diff`, `migrate` and the language server drive every kind through the
same four steps — read, lint, fix, write back — and never ask which kind they hold. A kind
is a module with a ``KIND`` object, chosen by the end of the file name (:data:`KINDS`), or,
for a file whose name says nothing, a shell shebang; a TOML config is the default. A new
kind adds a module and a line to :data:`KINDS`. Kind modules are imported only when a file
of theirs is met, so `bklint check` on TOML never loads the YAML or script machinery.
"""

from __future__ import annotations

import importlib
import os
import sys

from bklint.linter.files import is_config_name, read_file, read_head
from bklint.linter.findings import apply as filter_findings
from bklint.linter.source import decode_bytes
from bklint.rules.base import Span
from bklint.rules.catalog.syntax import UnreadableFile
from bklint.rules.context import SourceText
from bklint.rules.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from bklint.linter.fix import FixFilter, FixOutcome
    from bklint.linter.incremental import ParseCache
    from bklint.linter.run import LintResult
    from bklint.linter.settings import Settings

    class Kind(Protocol):
        """What one kind of file knows: how to lint it and how to fix it."""

        name: str

        def lint(
            self, source: SourceText, path: str | None, settings: Settings, cache: ParseCache | None = None
        ) -> LintResult:
            """Findings in the file's own coordinates, through the one finding filter.

            ``cache`` (the language server's, one per open document) may make a re-lint cheaper.
            """
            ...

        def fix(self, data: bytes, path: str | None, settings: Settings, accept: FixFilter) -> FixOutcome:
            """The fixed bytes (the original ones and ``error`` set when fixing is not safe)."""
            ...

        def discovered(self, path: str) -> bool:
            """Directory discovery: whether a file not named like a config holds configs anyway."""
            ...


# (ends of file names, module with ``KIND``); files matching none are TOML configs.
KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((".yml", ".yaml"), "bklint.linter.inputs.yaml"),
    ((".sh", ".bash", "makefile", ".mk", "justfile", ".just"), "bklint.linter.inputs.script"),
)
DEFAULT_KIND = "bklint.linter.inputs.toml"
SCRIPT_KIND = "bklint.linter.inputs.script"


def kind_for(name: str | None, data: bytes | None = None) -> Kind:
    """The kind of a file, by its name (stdin: by ``--stdin-filename``), else by a shebang in ``data``."""
    lowered = (name or "").lower()
    module = next((m for ends, m in KINDS if lowered.endswith(ends)), None)
    if module is None:
        module = SCRIPT_KIND if _shell_script(name, data) else DEFAULT_KIND
    loaded = sys.modules.get(module)  # (asked per file: import_module costs more than the look-up)
    kind: Kind = (loaded if loaded is not None else importlib.import_module(module)).KIND
    return kind


def _shell_script(name: str | None, data: bytes | None) -> bool:
    """An executable script without a telling name (``bin/create-builder``): its shebang says so."""
    if not data or data[:2] != b"#!" or (name is not None and is_config_name(name)):
        return False
    from bklint.linter.inputs.script import has_shebang

    return has_shebang(data)


def sniffed(name: str) -> bool:
    """Whether discovery must ask the file's kind (TOML configs are found by name alone)."""
    lowered = name.lower()
    return any(lowered.endswith(ends) for ends, _ in KINDS) or "." not in os.path.basename(lowered)


def discovered(path: str) -> bool:
    """Directory discovery: whether a file found by ``sniffed`` holds anything to check."""
    kind = kind_for(path)
    if kind.name == "toml":  # no telling name: only a shell script is worth opening
        head = read_head(path)
        if not _shell_script(path, head):
            return False
        kind = kind_for(path, head)
    return kind.discovered(path)


def unreadable_text(source: SourceText, path: str | None, settings: Settings) -> LintResult:
    """BK003 (through the filter) for a file of another kind that is not text bklint can read."""
    from bklint.linter.run import LintResult
    from bklint.rules.catalog.syntax import InvalidEncoding

    problem = next(p for p in source.problems if p.kind != "bom")
    findings = filter_findings([InvalidEncoding.finding(problem.message, Span.at(0, 0))], settings, path)
    return LintResult(path, source, findings)


class Input(Record):
    """One thing to check: a file, or stdin under the name ``--stdin-filename`` gives it."""

    __slots__ = ("data", "error", "kind", "name", "stdin")

    name: str | None
    kind: Kind
    data: bytes | None
    error: str | None
    stdin: bool

    def __init__(
        self,
        name: str | None,
        kind: Kind,
        data: bytes | None,
        error: str | None = None,
        stdin: bool = False,
    ) -> None:
        self.name = name
        self.kind = kind
        self.data = data
        self.error = error
        self.stdin = stdin

    @classmethod
    def file(cls, path: str) -> Input:
        read = read_file(path)
        error = None if read.data is not None else read.error or "cannot be read"
        return cls(path, kind_for(path, read.data), read.data, error)

    @classmethod
    def from_stdin(cls, name: str | None) -> Input:
        data = sys.stdin.buffer.read()
        return cls(name, kind_for(name, data), data, stdin=True)

    @classmethod
    def memory(cls, data: bytes, name: str | None) -> Input:
        """Bytes already in hand (tests, editors), of the kind ``name`` says."""
        return cls(name, kind_for(name, data), data)

    def lint(self, settings: Settings, cache: ParseCache | None = None) -> LintResult:
        if self.data is None:
            return self.unreadable(settings)
        return self.kind.lint(decode_bytes(self.data), self.name, settings, cache)

    def unreadable(self, settings: Settings) -> LintResult:
        """BK009 (through the filter, like any finding) for a file that could not be read."""
        from bklint.linter.run import LintResult

        finding = UnreadableFile.finding(f"cannot check {self.name}: {self.error}", Span.at(0, 0))
        return LintResult(self.name, SourceText(""), filter_findings([finding], settings, self.name))

    def fix(self, settings: Settings, accept: FixFilter) -> FixOutcome:
        if self.data is None:
            from bklint.linter.fix import FixOutcome

            return FixOutcome(b"", b"", self.unreadable(settings))
        return self.kind.fix(self.data, self.name, settings, accept)

    def write(self, outcome: FixOutcome, settings: Settings) -> None:
        """Put the fixed bytes back: stdin's go to stdout; a file is replaced atomically, if changed.

        When a file cannot be written, ``outcome`` says so and describes the file as it is.
        """
        if self.stdin:
            sys.stdout.buffer.write(outcome.data)
            sys.stdout.flush()
            return
        if self.data is None or self.name is None:
            return
        from bklint.linter.fix import write_outcome

        data = self.data
        write_outcome(self.name, data, outcome, lambda: self.kind.lint(decode_bytes(data), self.name, settings))

    @property
    def key(self) -> str:
        """Identity for "the same file given twice": its real path (stdin is itself)."""
        return "-" if self.stdin or self.name is None else os.path.realpath(self.name)


__all__ = ["KINDS", "Input", "Kind", "discovered", "kind_for", "sniffed", "unreadable_text"]
