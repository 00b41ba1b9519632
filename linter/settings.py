"""Run settings shared by the CLI and the language server, and rule selection."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Iterable, Sequence

from bklint.rules.base import Severity
from bklint.rules.catalog import refs
from bklint.rules.context import RuleSettings
from bklint.rules.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.rules.base import Rule, RuleRef

# Never searched (ruff's habit): version control, virtual environments and caches.
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".jj",
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
)


class Settings(Record):
    """Everything a run is configured with; built only by ``linter/config.py``'s resolver."""

    __slots__ = (
        "exclude",
        "extend_exclude",
        "extend_select",
        "failure_threshold",
        "files",
        "fixable",
        "ignore",
        "per_file_ignores",
        "respect_gitignore",
        "root",
        "rules",
        "select",
        "severity",
        "unfixable",
    )

    select: list[str]
    extend_select: list[str]
    ignore: list[str]
    # glob -> codes ignored in matching files
    per_file_ignores: dict[str, list[str]]
    severity: dict[str, Severity]
    rules: RuleSettings
    # Extra file-name globs treated as buildkitd configs (discovery, language server).
    files: list[str]
    # The lowest severity that makes `bklint check` exit 1.
    failure_threshold: Severity
    # per-file-ignores and exclude globs are relative to this directory (the config file's), as in ruff.
    root: str | None
    # Discovery: globs never descended into or reported (None: the defaults, DEFAULT_EXCLUDE).
    exclude: list[str] | None
    extend_exclude: list[str]
    respect_gitignore: bool
    # Rules whose fixes may be applied (default every rule) and rules whose never are.
    fixable: list[str]
    unfixable: list[str]

    def __init__(
        self,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
        per_file_ignores: dict[str, list[str]] | None = None,
        severity: dict[str, Severity] | None = None,
        rules: RuleSettings | None = None,
        files: list[str] | None = None,
        failure_threshold: Severity = Severity.WARNING,
        root: str | None = None,
        exclude: list[str] | None = None,
        extend_exclude: list[str] | None = None,
        respect_gitignore: bool = True,
        fixable: list[str] | None = None,
        unfixable: list[str] | None = None,
    ) -> None:
        self.select = ["BK"] if select is None else select
        self.extend_select = [] if extend_select is None else extend_select
        self.ignore = [] if ignore is None else ignore
        self.per_file_ignores = {} if per_file_ignores is None else per_file_ignores
        self.severity = {} if severity is None else severity
        self.rules = RuleSettings() if rules is None else rules
        self.files = [] if files is None else files
        self.failure_threshold = failure_threshold
        self.root = root
        self.exclude = exclude
        self.extend_exclude = [] if extend_exclude is None else extend_exclude
        self.respect_gitignore = respect_gitignore
        self.fixable = ["ALL"] if fixable is None else fixable
        self.unfixable = [] if unfixable is None else unfixable

    def copy(self) -> Settings:
        return Settings(
            select=list(self.select),
            extend_select=list(self.extend_select),
            ignore=list(self.ignore),
            per_file_ignores={k: list(v) for k, v in self.per_file_ignores.items()},
            severity=dict(self.severity),
            rules=self.rules.evolve(options=dict(self.rules.options)),
            files=list(self.files),
            failure_threshold=self.failure_threshold,
            root=self.root,
            exclude=None if self.exclude is None else list(self.exclude),
            extend_exclude=list(self.extend_exclude),
            respect_gitignore=self.respect_gitignore,
            fixable=list(self.fixable),
            unfixable=list(self.unfixable),
        )

    @property
    def excluded(self) -> list[str]:
        return [*(DEFAULT_EXCLUDE if self.exclude is None else self.exclude), *self.extend_exclude]

    def fix_allowed(self, rule: RuleRef | type[Rule]) -> bool:
        """`fixable`/`unfixable`, with select's precedence (the most specific selector wins)."""
        on = max((_specificity(s) for s in self.fixable if matches(rule, s)), default=-1)
        off = max((_specificity(s) for s in self.unfixable if matches(rule, s)), default=-1)
        return on >= 0 and on > off


def matches(rule: RuleRef | type[Rule], selector: str) -> bool:
    """A selector is a code prefix (`BK`, `BK1`, `BK101`), a rule name, or `ALL`."""
    sel = selector.strip()
    if not sel:
        return False
    if sel.upper() == "ALL":
        return True
    return rule.code.startswith(sel.upper()) or rule.name == sel.lower()


def _specificity(selector: str) -> int:
    """``ALL`` < ``BK`` < ``BK1`` < ``BK101`` = a rule name."""
    upper = selector.strip().upper()
    if upper == "ALL":
        return 0
    return len(upper) if upper.startswith("BK") else 100


def enabled(rule: RuleRef | type[Rule], settings: Settings, path: str | None = None) -> bool:
    """ruff's resolution: the most specific matching selector wins; ignore wins ties."""
    best_on = max(
        (_specificity(s) for s in [*settings.select, *settings.extend_select] if matches(rule, s)), default=-1
    )
    ignores = list(settings.ignore)
    if path is not None:
        for pattern, codes in settings.per_file_ignores.items():
            if project_path_matches(path, pattern, settings.root):
                ignores.extend(codes)
    best_off = max((_specificity(s) for s in ignores if matches(rule, s)), default=-1)
    return best_on >= 0 and best_on > best_off


@functools.lru_cache(maxsize=64)
def _glob_set(patterns: tuple[str, ...], prefix: str = "") -> re.Pattern[str]:
    """Several globs as one regex, each read as ``fnmatch`` reads it: discovery asks every file
    and folder against every exclude glob, and one match is far cheaper than a loop of them."""
    return re.compile("|".join(fnmatch.translate(os.path.normcase(prefix + p)) for p in patterns))


def any_path_matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether a glob matches the path, its file name, or a tail of it after a `/`."""
    globs = tuple(patterns)
    if not globs:
        return False
    norm = os.path.normcase(path.replace(os.sep, "/"))
    whole = _glob_set(globs)
    return bool(whole.match(norm) or whole.match(os.path.basename(norm)) or _glob_set(globs, "*/").match(norm))


def project_path_matches(path: str, pattern: str, root: str | None) -> bool:
    """A per-file-ignores or exclude glob: relative to the project root, or matching the name or a path tail."""
    return any_project_path_matches(path, (pattern,), root)


def any_project_path_matches(path: str, patterns: Sequence[str], root: str | None) -> bool:
    """:func:`project_path_matches` for several globs, the path resolved once (discovery asks it of every file)."""
    if not patterns:
        return False
    absolute = os.path.abspath(path)
    if root is not None:
        relative = os.path.relpath(absolute, root).replace(os.sep, "/")
        if _glob_set(tuple(patterns)).match(os.path.normcase(relative)):
            return True
    return any_path_matches(path, patterns) or any_path_matches(absolute, patterns)


def unknown_selectors(selectors: list[str]) -> list[str]:
    """Selectors that match no rule (a usage error on the command line)."""
    rules = list(refs().values())
    return [s for s in selectors if s.strip() and not any(matches(r, s) for r in rules)]
