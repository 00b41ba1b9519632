"""A config file named by a script or a workflow, linted as the builder will run it.

`docker buildx create --config FILE --buildkitd-flags … --driver-opt image=…` (in a shell
script, a Makefile, a justfile, a workflow `run:` step) and setup-buildx-action's
`buildkitd-config:` input hand a file to a builder together with daemon flags and a
BuildKit release. The file is linted with those (``BuilderContext``); its findings stay on
its own lines and carry the place that named it as a location in another file
(``Finding.elsewhere``). A path is looked for next to the file that names it, then at the
repository root (the folder above with ``.git``, else the project root, else the current
directory) — where a script or CI job usually runs. A path only the running shell knows
(``$CONFIG``, ``${DIR}/x.toml``, ``~/x.toml``) is not followed and not guessed.

Configs are linted when the caller asks (``FollowedConfig.lint``), after every file of
the run has been fixed, so a followed config is reported as it is on disk at the end.
"""

from __future__ import annotations

import os

from bklint.linter.files import read_file
from bklint.linter.findings import apply as filter_findings
from bklint.linter.gitignore import repo_root
from bklint.rules.base import Finding, Span
from bklint.rules.catalog.syntax import UnreadableFile
from bklint.rules.record import FrozenRecord, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.linter.run import LintResult
    from bklint.linter.settings import Settings


class BuilderContext(FrozenRecord):
    """What a builder gives a config besides its text: daemon flags and a pinned BuildKit release."""

    __slots__ = ("added", "driver", "driver_opts", "flags", "image", "image_from", "image_version")

    flags: str | None
    image: str  # the `image=moby/buildkit:…` driver-opt as written
    image_version: str | None  # "" for a floating tag (the newest); None: no image named
    image_from: str  # how the user wrote it, for messages
    # The driver `buildx create` runs with ("" = its default) and its driver-opts; None when
    # the flags are not known to reach `buildx create` as written.
    driver: str | None
    driver_opts: tuple[str, ...]
    added: str  # what `buildx create` added to ``flags`` (``resolved``)

    def __init__(
        self,
        flags: str | None = None,
        image: str = "",
        image_version: str | None = None,
        image_from: str = "driver-opts",
        driver: str | None = None,
        driver_opts: tuple[str, ...] = (),
        added: str = "",
    ) -> None:
        self.flags = flags
        self.image = image
        self.image_version = image_version
        self.image_from = image_from
        self.driver = driver
        self.driver_opts = driver_opts
        self.added = added

    def resolved(self, text: str) -> BuilderContext:
        """With the flag `buildx create` adds for a config of this ``text`` (``buildx_create.added_flag``)."""
        if self.driver is None or self.added:
            return self
        from bklint.linter.buildx_create import added_flag

        flag = added_flag(self.flags or "", self.driver, self.driver_opts, lambda: _allows_network_host(text))
        if not flag:
            return self
        flags = f"{self.flags} {flag}" if (self.flags or "").strip() else flag
        return self.evolve(flags=flags, added=flag)

    def settings(self, settings: Settings) -> Settings:
        """The flags, and the release the pinned image runs unless --target-version is given."""
        pinned = self.image_version if settings.rules.target_version is None else None
        if self.flags is None and not pinned:
            return settings
        own = settings.copy()
        if self.flags is not None:
            own.rules.buildkitd_flags = self.flags
        if pinned:
            own.rules.target_version = pinned
        return own

    def note(self, finding: Finding, settings: Settings) -> Finding:
        """Say which driver-opt set the release a version finding is judged for, and which flag buildx added."""
        if self.added and "--allow-insecure-entitlement" in finding.message:
            finding = finding.evolve(message=f"{finding.message} (`docker buildx create` adds `{self.added}` to the daemon flags "
                f"of a {self.driver or 'docker-container'} builder)",
            )
        version = self.image_version
        if not version or settings.rules.target_version is not None:
            return finding
        minor = ".".join(version.split(".")[:2])
        if minor not in finding.message:
            return finding
        return finding.evolve(message=f"{finding.message} (BuildKit {version} from {self.image_from} `{self.image}`)")


def _allows_network_host(text: str) -> bool:
    """Whether a config's `insecure-entitlements` (as the loader reads it) holds network.host."""
    from bklint.linter.run import build_context
    from bklint.linter.settings import Settings
    from bklint.rules.context import SourceText

    decoded = build_context(SourceText(text), None, Settings()).decoded
    entry = decoded.entries.get(("insecure-entitlements",)) if decoded is not None else None
    return entry is not None and isinstance(entry.value, list) and "network.host" in entry.value


class FollowedConfig(Record):
    """A config file another file names, and where it names it."""

    __slots__ = ("at", "builder", "by", "flags_reported", "note", "path")

    path: str
    builder: BuilderContext
    by: str  # the script or workflow
    at: Span  # the path as written there
    note: str  # what the location is, e.g. "`docker buildx create --config` in this script"
    # The flags were linted against ``by`` (findings about them alone are reported there).
    flags_reported: bool

    def __init__(
        self,
        path: str,
        builder: BuilderContext,
        by: str,
        at: Span,
        note: str,
        flags_reported: bool = False,
    ) -> None:
        self.path = path
        self.builder = builder
        self.by = by
        self.at = at
        self.note = note
        self.flags_reported = flags_reported

    def lint(self, settings: Settings) -> LintResult:
        from bklint.linter.run import LintResult, lint_source
        from bklint.linter.source import decode_bytes

        read = read_file(self.path)
        if read.data is None:
            finding = UnreadableFile.finding(f"cannot check {self.path}: {read.error or 'cannot be read'}", Span.at(0, 0))
            return LintResult(self.path, decode_bytes(b""), filter_findings([self._named(finding)], settings, self.path))
        source = decode_bytes(read.data)
        builder = self.builder.resolved(source.text)
        result = lint_source(source, self.path, builder.settings(settings))
        # No fixes: `--fix` fixes a config when it is checked itself, not through a script.
        result.findings = [
            self._named(builder.note(f, settings).evolve(fix=None))
            for f in result.findings
            if not (self.flags_reported and f.flags_span is not None)
        ]
        return result

    def _named(self, finding: Finding) -> Finding:
        return finding.evolve(elsewhere=(*finding.elsewhere, (self.by, self.at, self.note)))


def locate(written: str, by: str, settings: Settings, workdir: str | None = None) -> tuple[str | None, list[str]]:
    """The file a path written in ``by`` names, and the places looked in (for a "not found" message).

    Relative paths: ``workdir`` (a workflow step's `working-directory`, relative to the
    repository root) or the folder of ``by``, then the repository root.
    """
    if os.path.isabs(written):
        return (written if os.path.exists(written) else None), [written]
    here = os.path.dirname(os.path.abspath(by))
    root = repo_root(here) or settings.root or os.getcwd()
    bases = [os.path.normpath(os.path.join(root, workdir)) if workdir is not None else here, root]
    candidates = list(dict.fromkeys(os.path.normpath(os.path.join(base, written)) for base in bases))
    found = next((c for c in candidates if os.path.exists(c)), None)
    return (_shown(found) if found is not None else None), [_shown(c) for c in candidates]


def _shown(path: str) -> str:
    """Relative to the current directory when below it, as discovery names files."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def missing(written: str, looked: list[str], span: Span, what: str) -> Finding:
    """BK009 at the place that names a config file that is not there."""
    return UnreadableFile.finding(
        f"{what} `{written}` does not exist (looked for {' and '.join(looked)}); "
        "`docker buildx create` fails when the config file cannot be read",
        span,
    )


__all__ = ["BuilderContext", "FollowedConfig", "locate", "missing"]
