"""The language server's incremental parse gives exactly the full parse's result.

Compared on every load vector, every valid toml-test file and every real config (padded
so the incremental path is taken), and along a sequence of edits with a warm cache.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from bklint.linter import incremental
from bklint.linter.incremental import ParseCache, parse_cached
from bklint.linter.parse import parse
from bklint.rules.document import TomlNode
from tests.conftest import REPO, VECTORS

PAD = "# " + "padding " * 60 + "\n"


def _texts() -> list[tuple[str, str]]:
    out = []
    for p in sorted((VECTORS / "load").glob("*/buildkitd.toml")):
        try:
            out.append((p.parent.name, p.read_text("utf-8")))
        except UnicodeDecodeError:
            continue
    for p in sorted((VECTORS / "toml-test" / "valid").rglob("*.toml")):
        try:
            out.append((str(p.relative_to(VECTORS)), p.read_text("utf-8")))
        except UnicodeDecodeError:
            continue
    # The real configs of the corpus.
    for p in sorted((REPO / "tests" / "data" / "corpus" / "real").glob("*.toml")):
        try:
            out.append((f"corpus/{p.name}", p.read_text("utf-8")))
        except UnicodeDecodeError:
            continue
    # Deeply nested values would only exercise Python's recursion limit in the comparison.
    return [(n, t) for n, t in out if t.count("[") + t.count("{") < 400]


def _dump(node: TomlNode) -> Any:
    return (
        node.kind,
        node.origin,
        node.name,
        node.key_start,
        node.key_end,
        node.decl_start,
        node.decl_end,
        node.value_start,
        node.value_end,
        node.segments,
        {k: _dump(v) for k, v in (node.children or {}).items()} if node.children is not None else None,
        [_dump(i) for i in node.items] if node.items is not None else None,
        list(node.headers),
    )


def _same(text: str, cache: ParseCache) -> None:
    full = parse(text)
    fast = parse_cached(text, cache)
    assert [p.message for p in fast.problems] == [p.message for p in full.problems]
    if full.doc is None:
        assert fast.doc is None
        return
    assert fast.doc is not None
    # repr: NaN compares unequal to itself, and the key order must match too.
    assert repr(fast.doc.data) == repr(full.doc.data)
    assert _dump(fast.doc.root) == _dump(full.doc.root)


@pytest.mark.parametrize(("name", "text"), _texts(), ids=lambda v: v if isinstance(v, str) and "\n" not in v else "")
def test_incremental_parse_equals_full_parse(name: str, text: str) -> None:
    _same(PAD * 8 + text, ParseCache())


def _registries(n: int) -> str:
    return "".join(
        f'[registry."r{i}.example.com"]\nmirrors = ["m{i}.example.com"]\nhttp = true\n\n' for i in range(n)
    ) + "[worker.oci]\nmax-parallelism = 4\n[[worker.oci.gcpolicy]]\nall = true\n[worker.oci.labels]\na = \"b\"\n"


def test_edits_with_a_warm_cache_stay_equal_to_full_parses() -> None:
    rng = random.Random(7)
    cache = ParseCache()
    text = _registries(120)
    kinds = []
    for _ in range(200):
        pos = rng.randrange(len(text))
        op = rng.random()
        if op < 0.4:
            edited = text[:pos] + rng.choice(["x", "\n", "[", "]", '"', "=", " ", "a.b = 1\n", "[x]\n"]) + text[pos:]
        elif op < 0.8:
            edited = text[:pos] + text[pos + 1 :]
        else:
            edited = text[:pos] + '\n[registry."new.example"]\nhttp = false\n' + text[pos:]
        _same(edited, cache)
        kinds.append(cache.last)
        # Like a user typing: broken states are repaired again (keep only edits that parse).
        if parse(edited).doc is not None and not parse(edited).problems:
            text = edited
        _same(text, cache)
        kinds.append(cache.last)
    # Most keystrokes take the cheap path; broken intermediate states fall back correctly.
    assert kinds.count("incremental") > len(kinds) // 3, kinds.count("incremental")


def test_a_typical_keystroke_reuses_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache()
    text = _registries(200)
    parse_cached(text, cache)
    calls: list[str] = []
    real = incremental._parse_part
    monkeypatch.setattr(incremental, "_parse_part", lambda chunk: calls.append(chunk) or real(chunk))
    edited = text.replace("http = true", "http = false", 1)
    _same(edited, cache)
    assert cache.last == "incremental"
    assert len(calls) == 1  # only the edited table was parsed again


def test_conflicts_across_tables_fall_back_to_the_full_parse() -> None:
    for tail in ("[a]\nx = 1\n[a]\ny = 2\n", "[a]\nb.c = 1\n[a.b]\nd = 1\n", "a = [{b = 1}]\n[[a]]\n"):
        cache = ParseCache()
        _same(PAD * 8 + tail, cache)
        assert cache.last == "full"
