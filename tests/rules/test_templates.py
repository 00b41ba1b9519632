"""One notion of an unrendered template placeholder, shared by every rule that judges a value."""

from __future__ import annotations

import pytest

from bklint.rules.templates import templated
from tests.conftest import codes


@pytest.mark.parametrize("text", ["<NEXUS_HOST>:5000", "<DNS1>", "${VAR}", "$VAR", "{{ .Values.x }}", "%VAR%"])
def test_placeholders_are_templated(text: str) -> None:
    assert templated(text)


@pytest.mark.parametrize("text", ["8.8.8.8", "docker.io", "overlayfs", "10%", "a<b", "100GB"])
def test_values_are_not_templated(text: str) -> None:
    assert not templated(text)


def test_no_rule_judges_a_placeholder_registry_dns_or_daemon_value() -> None:
    text = (
        '[dns]\nnameservers = ["<DNS1>", "${DNS2}", "%DNS3%", "{{ .Values.dns }}"]\n'
        '[log]\nlevel = "<LEVEL>"\nformat = "${FMT}"\n'
        '[worker.oci]\nsnapshotter = "{{ .Values.snap }}"\n'
        '[registry."docker.io"]\nmirrors = ["<NEXUS_HOST>:5000"]\n'
    )
    assert not {"BK246", "BK241", "BK242", "BK252", "BK201", "BK205"} & set(codes(text))


def test_a_real_value_next_to_placeholders_is_still_judged() -> None:
    assert "BK246" in codes('[dns]\nnameservers = ["<DNS1>", "dns.google"]\n')
