"""How the daemon-flag rules report: at the file start, pointing into the flags string."""

from __future__ import annotations

from bklint.rules.base import FILE_START, Finding, Rule, Severity
from bklint.rules.daemon_flags.command_line import BadWord, FlagUse, flag_finding
from bklint.rules.daemon_flags.overlay import FROM_FLAGS

REFUSES = "buildkitd refuses to start"


def flag_report(
    rule: type[Rule], message: str, *words: FlagUse | BadWord, severity: Severity | None = None
) -> Finding:
    return flag_finding(rule.finding(message + FROM_FLAGS, FILE_START, severity=severity), *words)

