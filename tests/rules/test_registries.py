"""Registry and mirror rules (BK201–BK212): one bad and one good config per rule, and fixes."""

from __future__ import annotations

import pytest

from bklint.linter.fix import apply_edits
from bklint.rules.base import Severity
from tests.conftest import lint

CASES = {
    "BK201": (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io ", "m.example.com:port"]\n',
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io", "m.example.com:5000/proxy"]\n',
    ),
    "BK202": (
        '[registry."docker.io"]\nmirrors = ["http://mirror.local:5000"]\n',
        '[registry."docker.io"]\nmirrors = ["mirror.local:5000"]\n[registry."mirror.local:5000"]\nhttp = true\n',
    ),
    "BK203": (
        '[registry."r.example.com"]\nmirrors = ["m.example.com", "r.example.com"]\n',
        '[registry."r.example.com"]\nmirrors = ["m.example.com"]\n',
    ),
    "BK204": (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io", "https://mirror.gcr.io/"]\n',
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io", "m.example.com"]\n',
    ),
    "BK205": (
        '[registry."docker.io"]\nmirrors = ["mirror.local:5000"]\nhttp = true\n',
        '[registry."docker.io"]\nmirrors = ["mirror.local:5000"]\n[registry."mirror.local:5000"]\nhttp = true\n',
    ),
    "BK206": (
        '[registry."r.local:5000"]\nhttp = true\ninsecure = true\n',
        '[registry."r.local:5000"]\nhttp = true\n',
    ),
    "BK207": (
        '[registry."https://ghcr.io/"]\nca = ["/x.pem"]\n',
        '[registry."ghcr.io"]\nca = ["/x.pem"]\n',
    ),
    "BK208": (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io"]\n[registry."Docker.io"]\ninsecure = true\n',
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io"]\ninsecure = true\n',
    ),
    "BK209": ('[registry."GHCR.io"]\ninsecure = true\n', '[registry."ghcr.io"]\ninsecure = true\n'),
    "BK210": (
        '[registry."localhost:5000"]\nca = ["/x.pem"]\n',
        '[registry."localhost:5000"]\nhttp = false\nca = ["/x.pem"]\n',
    ),
    "BK211": (
        '[registry."docker.io"]\nmirrors = ["mirror.local:5000/v2"]\n',
        '[registry."docker.io"]\nmirrors = ["core.harbor.domain/proxy.docker.io"]\n',
    ),
    "BK212": (
        '[registry."r.example.com"]\nca = ["/x.pem"]\n[registry."r.example.com:5000"]\nhttp = true\n',
        '[registry."r.example.com"]\nca = ["/x.pem"]\n[registry."q.example.com:5000"]\nhttp = true\n',
    ),
}


def _codes(text: str) -> list[str]:
    return [f.code for f in lint(text).findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_config_is_reported(code: str) -> None:
    assert code in _codes(CASES[code][0])


@pytest.mark.parametrize("code", sorted(CASES))
def test_good_config_is_not_reported(code: str) -> None:
    assert code not in _codes(CASES[code][1])


def test_http_on_docker_hub_is_an_error_when_a_mirror_lacks_its_table() -> None:
    finding = next(f for f in lint(CASES["BK205"][0]).findings if f.code == "BK205")
    assert finding.severity == Severity.ERROR
    assert "plain HTTP" in finding.message


def test_http_on_docker_hub_is_a_warning_when_every_mirror_has_its_table() -> None:
    text = '[registry."docker.io"]\nmirrors = ["m.local:5000"]\nhttp = true\n[registry."m.local:5000"]\nhttp = true\n'
    finding = next(f for f in lint(text).findings if f.code == "BK205")
    assert finding.severity == Severity.WARNING


def test_http_with_insecure_on_docker_hub_is_not_plain_http() -> None:
    """fillInsecureOpts: `http` + `insecure` tries unverified HTTPS first, then falls back to HTTP."""
    text = '[registry."docker.io"]\nmirrors = ["m.local:5000"]\nhttp = true\ninsecure = true\n'
    (finding,) = [f for f in lint(text).findings if f.code == "BK205"]
    assert finding.severity == Severity.WARNING
    assert "plain HTTP" not in finding.message and "not to its mirrors" in finding.message
    covered = text + '[registry."m.local:5000"]\nhttp = true\n'
    assert "BK205" not in _codes(covered)


def test_https_scheme_is_only_a_hint_and_http_scheme_a_warning() -> None:
    text = '[registry."docker.io"]\nmirrors = ["https://a.example.com", "http://b.example.com"]\n'
    found = {f.message.split("`")[3]: f.severity for f in lint(text).findings if f.code == "BK202"}
    assert found == {"https://a.example.com": Severity.HINT, "http://b.example.com": Severity.WARNING}


def test_a_table_used_as_a_mirror_host_is_not_reported_as_unused() -> None:
    text = '[registry."docker.io"]\nmirrors = ["mirror"]\n[registry."mirror"]\nhttp = true\n'
    assert "BK207" not in _codes(text)


def test_templates_are_not_judged() -> None:
    text = '[registry."docker.io"]\nmirrors = ["${MIRROR}"]\n[registry."${MIRROR}"]\nhttp = true\n'
    assert not {"BK201", "BK207"} & set(_codes(text))


def test_docker_hub_alias_as_table_name() -> None:
    finding = next(
        f
        for f in lint('[registry."index.docker.io"]\nmirrors = ["m.gcr.io"]\n').findings
        if f.code == "BK207"
    )
    assert "docker.io" in finding.message


def _apply(text: str, code: str, unsafe: bool = False) -> str:
    findings = [f for f in lint(text).findings if f.code == code and f.fix is not None]
    assert findings, f"{code} offers no fix"
    fix = findings[0].fix
    assert fix is not None
    assert unsafe or fix.applicability == "safe"
    return apply_edits(text, fix.edits)


FIXES = [
    ("BK201", '[registry."docker.io"]\nmirrors = ["mirror.gcr.io "]\n', 'mirrors = ["mirror.gcr.io"]', False),
    (
        "BK202",
        '[registry."docker.io"]\nmirrors = ["http://m.local:5000"]\n',
        'mirrors = ["m.local:5000"]',
        False,
    ),
    ("BK202", "[registry.'docker.io']\nmirrors = ['https://m.gcr.io']\n", "mirrors = ['m.gcr.io']", False),
    ("BK203", '[registry."r.io"]\nmirrors = ["m.io", "r.io"]\n', 'mirrors = ["m.io"]', False),
    (
        "BK204",
        '[registry."docker.io"]\nmirrors = [\n  "m.gcr.io",\n  "m.gcr.io",\n  "x.io",\n]\n',
        '[\n  "m.gcr.io",\n  "x.io",\n]',
        False,
    ),
    (
        "BK204",
        '[registry."docker.io"]\nmirrors = ["m.gcr.io", "x.io", "m.gcr.io"]\n',
        'mirrors = ["m.gcr.io", "x.io"]',
        False,
    ),
    ("BK207", '[registry."https://ghcr.io/"]\ninsecure = true\n', '[registry."ghcr.io"]', True),
    ("BK209", '[registry."GHCR.io"]\ninsecure = true\n', '[registry."ghcr.io"]', True),
    (
        "BK211",
        '[registry."docker.io"]\nmirrors = ["m.local:5000/v2/"]\n',
        'mirrors = ["m.local:5000"]',
        False,
    ),
]


@pytest.mark.parametrize(("code", "text", "expected", "unsafe"), FIXES)
def test_fix_removes_the_finding_without_new_errors(
    code: str, text: str, expected: str, unsafe: bool
) -> None:
    fixed = _apply(text, code, unsafe)
    assert expected in fixed
    after = lint(fixed).findings
    assert code not in [f.code for f in after]
    assert not [f for f in after if f.code.startswith("BK0")]
