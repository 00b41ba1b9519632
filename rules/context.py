"""What a rule reads: the file, its parse, the loader's view of it, and the settings."""

from __future__ import annotations

import os

from bklint.rules.record import Record

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


class DecodeProblem(tuple[str, str, int]):
    """Why the bytes are not a text buildkitd can read; ``offset`` counts characters of ``text``."""

    __slots__ = ()

    def __new__(cls, kind: str, message: str, offset: int) -> DecodeProblem:
        return tuple.__new__(cls, (kind, message, offset))

    @property
    def kind(self) -> str:
        return self[0]  # "bom" | "utf16" | "invalid-utf8" | "binary"

    @property
    def message(self) -> str:
        return self[1]

    @property
    def offset(self) -> int:
        return self[2]

    def __repr__(self) -> str:
        return f"DecodeProblem(kind={self[0]!r}, message={self[1]!r}, offset={self[2]!r})"


class SourceText(tuple[str, tuple[DecodeProblem, ...], bool]):
    __slots__ = ()

    def __new__(
        cls,
        text: str,
        problems: tuple[DecodeProblem, ...] = (),
        had_bom: bool = False,
    ) -> SourceText:
        return tuple.__new__(cls, (text, problems, had_bom))

    @property
    def text(self) -> str:
        return self[0]

    @property
    def problems(self) -> tuple[DecodeProblem, ...]:
        return self[1]

    @property
    def had_bom(self) -> bool:
        return self[2]

    def __repr__(self) -> str:
        return f"SourceText(text={self[0]!r}, problems={self[1]!r}, had_bom={self[2]!r})"

    @property
    def readable(self) -> bool:
        """False when the bytes could not be turned into text worth parsing."""
        return not any(p.kind in ("utf16", "invalid-utf8", "binary") for p in self.problems)


class SyntaxProblem(tuple[str, int, int, "SyntaxKind"]):
    __slots__ = ()

    def __new__(cls, message: str, line: int, column: int, kind: SyntaxKind = "syntax") -> SyntaxProblem:
        return tuple.__new__(cls, (message, line, column, kind))

    @property
    def message(self) -> str:
        return self[0]

    @property
    def line(self) -> int:
        return self[1]  # 0-based

    @property
    def column(self) -> int:
        return self[2]  # 0-based, code points

    @property
    def kind(self) -> SyntaxKind:
        return self[3]

    def __repr__(self) -> str:
        return f"SyntaxProblem(message={self[0]!r}, line={self[1]!r}, column={self[2]!r}, kind={self[3]!r})"


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
