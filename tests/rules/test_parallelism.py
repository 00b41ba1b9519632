"""Parallelism rules (BK220–BK221)."""

from __future__ import annotations

from bklint.rules.base import Severity
from tests.conftest import lint


def _found(text: str, code: str) -> list[tuple[Severity, str]]:
    return [(f.severity, f.message) for f in lint(text).findings if f.code == code]


def test_negative_max_parallelism_is_unlimited_and_warned() -> None:
    [(severity, message)] = _found("[worker.containerd]\nmax-parallelism = -1\n", "BK220")
    assert severity == Severity.WARNING
    assert "unlimited" in message


def test_zero_max_parallelism_is_the_default_and_only_information() -> None:
    [(severity, _)] = _found("[worker.oci]\nmax-parallelism = 0\n", "BK220")
    assert severity == Severity.INFO


def test_positive_max_parallelism_is_fine() -> None:
    assert not _found("[worker.oci]\nmax-parallelism = 4\n", "BK220")


def test_registry_concurrency_zero_stops_the_daemon() -> None:
    [(severity, message)] = _found("[system]\nmaxRegistryConcurrency = 0\n", "BK221")
    assert severity == Severity.ERROR
    assert "default of 4" in message


def test_registry_concurrency_positive_is_fine() -> None:
    assert not _found("[system]\nmaxRegistryConcurrency = 8\n", "BK221")
