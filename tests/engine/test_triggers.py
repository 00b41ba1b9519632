"""A rule's triggers are a promise: a file holding none of them gets no finding from it, so the
engine may skip the rule (and not import it). Checked on every TOML file of the test data
(the corpus of real configs, the loader, start-up and toml-test vectors) and every rule's
fix examples."""

from __future__ import annotations

import pytest

from bklint.linter.run import build_context, instance, rules
from bklint.linter.settings import Settings
from bklint.linter.source import decode_bytes
from bklint.rules.base import FLAGS_GIVEN, TARGET_GIVEN, RuleRef
from bklint.rules.catalog import finder, given, has_path, holds, refs, triggered
from bklint.rules.context import RuleSettings
from bklint.rules.document import Document
from tests.conftest import TESTS

FILES = sorted(p for p in TESTS.rglob("*.toml") if p.is_file())


def _texts() -> list[tuple[str, bytes]]:
    out = [(str(p.relative_to(TESTS)), p.read_bytes()) for p in FILES]
    for rule in rules():
        for i, example in enumerate(type(rule).fix_examples):
            text = example if isinstance(example, str) else example.get("text")
            if isinstance(text, str):
                out.append((f"{type(rule).code} fix example {i}", text.encode()))
    return out


def _triggered_rules() -> list[RuleRef]:
    rules()
    return [ref for ref in refs().values() if ref.triggers]


def test_the_test_data_is_there() -> None:
    assert len(FILES) > 1000


def test_some_rules_have_triggers() -> None:
    assert len(_triggered_rules()) > 50


@pytest.mark.parametrize("chunk", range(8))
def test_a_rule_says_nothing_about_a_file_without_its_triggers(chunk: int) -> None:
    settings = Settings()
    texts = _texts()[chunk::8]
    silent = _triggered_rules()
    wrong = []
    for name, data in texts:
        ctx = build_context(decode_bytes(data), "buildkitd.toml", settings)
        for ref in silent:
            if triggered(ref, ctx.doc, frozenset()):
                continue
            found = list(instance(ref.code).check(ctx))
            if found:
                wrong.append(f"{ref.code} on {name}: {found[0].message}")
    assert wrong == []


def _doc(text: str) -> Document:
    ctx = build_context(decode_bytes(text.encode()), "buildkitd.toml", Settings())
    assert ctx.doc is not None
    return ctx.doc


def test_paths_match_in_any_case_through_tables_dotted_keys_and_arrays() -> None:
    doc = _doc('[Registry."docker.io"]\nCA = ["a.pem"]\n[[worker.oci.gcpolicy]]\nall = true\n[x]\ny.z = 1\n')
    assert has_path(doc.root, ["registry", "*", "ca"])
    assert not has_path(doc.root, ["registry", "*", "keypair"])
    assert has_path(doc.root, ["worker", "oci", "gcpolicy", "all"])
    assert has_path(doc.root, ["x", "y", "z"])
    assert not has_path(doc.root, ["grpc"])


def test_flag_rules_run_when_flags_are_given_even_without_a_file() -> None:
    flag_rule = next(ref for ref in refs().values() if ref.code == "BK502")
    assert triggered(flag_rule, None, frozenset({FLAGS_GIVEN}))
    assert not triggered(flag_rule, None, frozenset())


def test_target_version_rules_run_only_for_a_named_release() -> None:
    """Without a target release they say nothing, so a plain check does not import them."""
    targeted = [ref for ref in refs().values() if ref.triggers == (TARGET_GIVEN,)]
    assert {ref.code for ref in targeted} >= {"BK410", "BK411", "BK412", "BK413"}
    assert all(triggered(ref, None, given(RuleSettings(target_version="v0.12"))) for ref in targeted)
    assert not any(triggered(ref, None, given(RuleSettings())) for ref in targeted)


def test_the_engine_finds_the_triggers_a_file_holds_as_has_path_does() -> None:
    """The engine's one walk per file (``finder``) agrees with ``has_path`` asked per trigger,
    on every test file, for every trigger of the catalog and a few shapes none has yet."""
    names = [t for ref in refs().values() for t in ref.triggers]
    names += ["worker.oci.gcpolicy.all", "x.y.z", "registry.*", "*.*.ca", "worker.*.gcpolicy.*", "*"]
    find = finder(names)
    wrong = []
    for name, data in _texts():
        doc = build_context(decode_bytes(data), "buildkitd.toml", Settings()).doc
        for settings in (frozenset(), frozenset({FLAGS_GIVEN}), frozenset({FLAGS_GIVEN, TARGET_GIVEN})):
            if find(doc, settings) != {t for t in names if holds(t, doc, settings)}:
                wrong.append(name)
    assert wrong == []
