"""What a rule reads: the file, its parse, the loader's view of it, and the settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from bklint.rules.buildx_certs import Checked, DirInfo, FileInfo, PemInfo
    from bklint.rules.daemon_flags.command_line import ParsedFlags
    from bklint.rules.daemon_flags.overlay import Effective
    from bklint.rules.document import Document
    from bklint.rules.schema.decode import Decoded
    from bklint.rules.schema.versions import Version


class DecodeProblem(NamedTuple):
    """Why the bytes are not a text buildkitd can read; ``offset`` counts characters of ``text``."""

    kind: str  # "bom" | "utf16" | "invalid-utf8" | "binary"
    message: str
    offset: int


class SourceText(NamedTuple):
    text: str
    problems: tuple[DecodeProblem, ...] = ()
    had_bom: bool = False

    @property
    def readable(self) -> bool:
        """False when the bytes could not be turned into text worth parsing."""
        return not any(p.kind in ("utf16", "invalid-utf8", "binary") for p in self.problems)


# What refuses a syntax problem, which decides who reads the file anyway:
# "syntax": go-toml refuses it wherever it stands (buildkitd and buildx alike);
# "value": a scalar go-toml checks only when it decodes it (underscores, leading zeros,
#     64-bit range, impossible dates, bare-dot floats): buildkitd skips it under a key it
#     ignores, buildx's generic parse refuses it;
# "duplicate-key": a key defined twice, tolerated by buildkitd inside a table it ignores;
# "limit": beyond what bklint checks (BK011).
SyntaxKind = Literal["syntax", "value", "duplicate-key", "limit"]


class SyntaxProblem(NamedTuple):
    message: str
    line: int  # 0-based
    column: int  # 0-based, code points
    kind: SyntaxKind = "syntax"


@dataclass(slots=True)
class RuleSettings:
    """The part of the settings rules read (the runner owns select/ignore/severities)."""

    # Relative certificate paths resolve against this, as buildx resolves them against its
    # working directory.
    base_dir: str = field(default_factory=os.getcwd)
    target_version: str | None = None
    buildkitd_flags: str | None = None
    cert_expiry_days: int = 30
    # Free-form per-rule options ("rule-name.option" -> value).
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RunMemo:
    """What the rules of one run read once and share: certificate files, folders and PEM
    parses (by path), the certificate analysis, the parsed daemon flags and the effective config."""

    files: dict[str, FileInfo] = field(default_factory=dict)
    dirs: dict[str, DirInfo] = field(default_factory=dict)
    pems: dict[str, PemInfo] = field(default_factory=dict)
    cert_paths: list[Checked] | None = None
    flags: ParsedFlags | None = None
    effective: Effective | None = None


@dataclass(slots=True)
class Context:
    path: str | None
    source: SourceText
    settings: RuleSettings
    syntax: list[SyntaxProblem] = field(default_factory=list)
    doc: Document | None = None
    decoded: Decoded | None = None
    memo: RunMemo = field(default_factory=RunMemo)

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
