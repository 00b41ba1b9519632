"""The default kind: a buildkitd.toml (any name) — the engine's own lint and fix loops."""

from __future__ import annotations

from bklint.linter.run import LintResult, lint_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.linter.fix import FixFilter, FixOutcome
    from bklint.linter.incremental import ParseCache
    from bklint.linter.settings import Settings
    from bklint.rules.context import SourceText


class TomlKind:
    name = "toml"

    def lint(
        self, source: SourceText, path: str | None, settings: Settings, cache: ParseCache | None = None
    ) -> LintResult:
        return lint_source(source, path, settings, cache)

    def fix(self, data: bytes, path: str | None, settings: Settings, accept: FixFilter) -> FixOutcome:
        from bklint.linter.fix import fix_data

        return fix_data(data, path, settings, accept)

    def discovered(self, path: str) -> bool:
        return False  # found by name (files.is_config_name) or not at all


KIND = TomlKind()
