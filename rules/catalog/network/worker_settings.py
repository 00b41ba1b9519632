"""The effective network settings of each worker (file and flags) and how messages name them."""

from __future__ import annotations

from bklint.rules.base import FILE_START, Finding, Fix, Rule, Severity
from bklint.rules.context import Context
from bklint.rules.daemon_flags.command_line import flag_finding
from bklint.rules.daemon_flags.overlay import Effective, Setting
from bklint.rules.schema.tree import NETWORK_MODES
from bklint.rules.templates import templated


def worker_key(worker: str, name: str) -> str:
    return f"worker.{worker}.{name}"


def shown_setting(s: Setting, worker: str, name: str) -> str:
    """How a message names the setting: the flag as given, or ``key = value``."""
    if s.flag is not None:
        return f"`{s.flag.shown}`"
    value = s.value
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    return f"`{worker_key(worker, name)} = {shown}`"


def report(
    rule: type[Rule],
    ctx: Context,
    eff: Effective,
    s: Setting,
    message: str,
    *,
    fix: Fix | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding on the file value, or at the file start for a value set by a flag."""
    if s.flag is not None:
        finding = rule.finding(message + eff.note(*s.path), FILE_START, severity=severity)
        return flag_finding(finding, s.flag)
    return rule.finding(message, eff.span(ctx, *s.path), fix=fix, severity=severity)


def string_setting(eff: Effective, worker: str, name: str) -> Setting | None:
    s = eff.get("worker", worker, name)
    if s is None or not isinstance(s.value, str) or templated(s.value):
        return None
    return s


def effective_mode(eff: Effective, worker: str) -> str | None:
    """The effective mode, or None when it is an unrendered template or not a valid mode."""
    s = eff.get("worker", worker, "networkMode")
    if s is None:
        return "auto"
    if not isinstance(s.value, str) or templated(s.value):
        return None
    value = s.value or "auto"
    return value if value in NETWORK_MODES else None
