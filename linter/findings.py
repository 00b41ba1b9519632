"""The one filter every finding passes through, whatever produced it.

TOML rules, the YAML-level rules around embedded configs, the daemon-flag rules, the
file-level findings (unreadable file, encoding) and ``certs`` all hand their raw findings
to :func:`apply`, so select / extend-select / ignore / per-file-ignores, severity
overrides, fixable / unfixable, ``noqa`` comments (with BK901 for those that suppress nothing) and the failure
threshold mean the same thing at every entry point. Rules that cannot be enabled are not
even run (:func:`enabled_rules`), but that is only a shortcut: the filter decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bklint.linter import noqa
from bklint.linter.settings import Settings, enabled
from bklint.rules.base import Finding, RuleRef, Severity
from bklint.rules.catalog import refs
from bklint.rules.catalog.meta import UnusedNoqa


class FindingFilter:
    """The settings that apply to one file, ready to judge its findings."""

    __slots__ = ("_enabled", "_fixable", "path", "settings")

    def __init__(self, settings: Settings, path: str | None) -> None:
        self.settings = settings
        self.path = path
        self._enabled: dict[str, bool] = {}
        self._fixable: dict[str, bool] = {}

    def enabled(self, code: str) -> bool:
        """Whether findings of ``code`` are reported for this file (select, ignore, per-file-ignores)."""
        known = self._enabled.get(code)
        if known is None:
            rule = refs().get(code)
            known = self._enabled[code] = rule is not None and enabled(rule, self.settings, self.path)
        return known

    def apply(self, findings: Iterable[Finding], directives: Sequence[noqa.Directive] = ()) -> list[Finding]:
        """Selected findings with their final severity, minus the suppressed ones, plus BK901, sorted.

        Applying the filter to findings it already let through changes nothing, so a
        source kind that nests another (YAML around TOML) may filter the inner findings
        early and the whole file again at the end.
        """
        kept = [self._ranked(f) for f in findings if self.enabled(f.code)]
        if directives:
            kept = noqa.apply(kept, list(directives))
            if self.enabled(UnusedNoqa.code):
                known = set(refs())
                active = {code for code in known if self.enabled(code)}
                kept.extend(self._ranked(f) for f in noqa.unused(list(directives), active, known))
        kept.sort(key=lambda f: f.sort_key)
        return kept

    def _ranked(self, finding: Finding) -> Finding:
        finding.path = self.path
        override = self.settings.severity.get(finding.code)
        if override is not None:
            finding.severity = override
        if finding.fix is not None and not self._fix_allowed(finding.code):
            finding.fix = None  # `unfixable`: not offered, not applied, not counted
        return finding

    def _fix_allowed(self, code: str) -> bool:
        allowed = self._fixable.get(code)
        if allowed is None:
            allowed = self._fixable[code] = self.settings.fix_allowed(refs()[code])
        return allowed


def apply(
    findings: Iterable[Finding], settings: Settings, path: str | None, directives: Sequence[noqa.Directive] = ()
) -> list[Finding]:
    """:meth:`FindingFilter.apply` for a one-off list (file-level findings, ``certs``)."""
    return FindingFilter(settings, path).apply(findings, directives)


def enabled_rules(rules: Iterable[RuleRef], settings: Settings, path: str | None) -> list[RuleRef]:
    """The rules worth running: those whose findings the filter would keep."""
    return [r for r in rules if enabled(r, settings, path)]


def failing(findings: Iterable[Finding], threshold: Severity) -> bool:
    """Whether a finding is at or above the failure threshold (the exit code's question)."""
    return any(f.severity <= threshold for f in findings)


def merge(findings: Sequence[Finding], extra: Iterable[Finding]) -> list[Finding]:
    """One file's findings from two lints (its own, and as the config a script names): a finding
    both found is listed once, keeping the other's locations in other files."""
    out = list(findings)
    index = {(f.code, f.span, f.message): n for n, f in enumerate(out)}
    for finding in extra:
        n = index.get((finding.code, finding.span, finding.message))
        if n is None:
            index[(finding.code, finding.span, finding.message)] = len(out)
            out.append(finding)
            continue
        kept = out[n]
        more = tuple(e for e in finding.elsewhere if e not in kept.elsewhere)
        if more:
            out[n] = kept.evolve(elsewhere=(*kept.elsewhere, *more))
    return out
