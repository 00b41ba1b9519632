"""What a rule reads: the file, its parse, the loader's view of it, and the settings."""

from __future__ import annotations

import os

from bklint.rules.record import FrozenRecord, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from bklint.rules.buildx_certs import Checked, DirInfo, FileInfo, PemInfo
    from bklint.rules.daemon_flags.command_line import ParsedFlags
    from bklint.rules.daemon_flags.overlay import Effective
    from bklint.rules.document import Document
    from bklint.rules.schema.decode import Decoded
    from bklint.rules.schema.versions import Version

    # What refuses a syntax problem, which decides who reads the file anyway:
    # "syntax": go-toml refuses it wherever it stands (buildkitd and buildx alike);
    # "value": a scalar go-toml checks only when it decodes it (underscores, leading zeros,
    #     64-bit range, impossible dates, bare-dot floats): buildkitd skips it under a key it
    #     ignores, buildx's generic parse refuses it;
    # "duplicate-key": a key defined twice, tolerated by buildkitd inside a table it ignores;
    # "limit": beyond what bklint checks (BK011).
    SyntaxKind = Literal["syntax", "value", "duplicate-key", "limit"]


class DecodeProblem(FrozenRecord):
    """Why the bytes are not a text buildkitd can read; ``offset`` counts characters of ``text``."""

    __slots__ = ("kind", "message", "offset")

    kind: str  # "bom" | "utf16" | "invalid-utf8" | "binary"
    message: str
    offset: int

    def __init__(self, kind: str, message: str, offset: int) -> None:
        self.kind = kind
        self.message = message
        self.offset = offset


class SourceText(FrozenRecord):
    __slots__ = ("had_bom", "problems", "text")

    text: str
    problems: tuple[DecodeProblem, ...]
    had_bom: bool

    def __init__(self, text: str, problems: tuple[DecodeProblem, ...] = (), had_bom: bool = False) -> None:
        self.text = text
        self.problems = problems
        self.had_bom = had_bom


    @property
    def readable(self) -> bool:
        """False when the bytes could not be turned into text worth parsing."""
        return not any(p.kind in ("utf16", "invalid-utf8", "binary") for p in self.problems)


class SyntaxProblem(FrozenRecord):
    __slots__ = ("column", "kind", "line", "message")

    message: str
    line: int  # 0-based
    column: int  # 0-based, code points
    kind: SyntaxKind

    def __init__(self, message: str, line: int, column: int, kind: SyntaxKind = "syntax") -> None:
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind


class RuleSettings(Record):
    """The part of the settings rules read (the runner owns select/ignore/severities)."""

    __slots__ = ("base_dir", "buildkitd_flags", "cert_expiry_days", "options", "target_version")

    # Relative certificate paths resolve against this, as buildx resolves them against its
    # working directory.
    base_dir: str
    target_version: str | None
    buildkitd_flags: str | None
    cert_expiry_days: int
    # Free-form per-rule options ("rule-name.option" -> value).
    options: dict[str, Any]

    def __init__(
        self,
        base_dir: str | None = None,
        target_version: str | None = None,
        buildkitd_flags: str | None = None,
        cert_expiry_days: int = 30,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.base_dir = os.getcwd() if base_dir is None else base_dir
        self.target_version = target_version
        self.buildkitd_flags = buildkitd_flags
        self.cert_expiry_days = cert_expiry_days
        self.options = {} if options is None else options


class RunMemo(Record):
    """What the rules of one run read once and share: certificate files, folders and PEM
    parses (by path), the certificate analysis, the parsed daemon flags and the effective config."""

    __slots__ = ("cert_paths", "dirs", "effective", "files", "flags", "pems")

    files: dict[str, FileInfo]
    dirs: dict[str, DirInfo]
    pems: dict[str, PemInfo]
    cert_paths: list[Checked] | None
    flags: ParsedFlags | None
    effective: Effective | None

    def __init__(
        self,
        files: dict[str, FileInfo] | None = None,
        dirs: dict[str, DirInfo] | None = None,
        pems: dict[str, PemInfo] | None = None,
        cert_paths: list[Checked] | None = None,
        flags: ParsedFlags | None = None,
        effective: Effective | None = None,
    ) -> None:
        self.files = {} if files is None else files
        self.dirs = {} if dirs is None else dirs
        self.pems = {} if pems is None else pems
        self.cert_paths = cert_paths
        self.flags = flags
        self.effective = effective


class Context(Record):
    __slots__ = ("decoded", "doc", "memo", "path", "settings", "source", "syntax")

    path: str | None
    source: SourceText
    settings: RuleSettings
    syntax: list[SyntaxProblem]
    doc: Document | None
    decoded: Decoded | None
    memo: RunMemo

    def __init__(
        self,
        path: str | None,
        source: SourceText,
        settings: RuleSettings,
        syntax: list[SyntaxProblem] | None = None,
        doc: Document | None = None,
        decoded: Decoded | None = None,
        memo: RunMemo | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.settings = settings
        self.syntax = [] if syntax is None else syntax
        self.doc = doc
        self.decoded = decoded
        self.memo = RunMemo() if memo is None else memo

    def flags(self) -> ParsedFlags | None:
        """The parsed daemon flags of this run (``--buildkitd-flags`` or the config setting),
        None without any; the flag table (rules/daemon_flags/) is imported only then."""
        text = self.settings.buildkitd_flags
        if text is None or not text.strip():
            return None
        cached = self.memo.flags
        if cached is not None and cached.text == text:
            return cached
        from bklint.rules.daemon_flags.command_line import parse_flags

        parsed = self.memo.flags = parse_flags(text)
        return parsed

    def target_version(self) -> Version | None:
        """The release the file is judged for; None for the latest (the CLI rejects bad values)."""
        text = self.settings.target_version
        if not text:
            return None
        from bklint.rules.schema.versions import parse_version

        try:
            return parse_version(text)
        except ValueError:
            return None
