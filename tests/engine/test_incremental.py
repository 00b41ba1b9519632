"""The language server's incremental parse gives exactly the full parse's result.

Compared on every load vector, every valid toml-test file and every real config (padded
so the incremental path is taken), and along a sequence of edits with a warm cache.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from bklint.linter import incremental, per_table
from bklint.linter.incremental import ParseCache, parse_cached
from bklint.linter.parse import parse
from bklint.linter.run import lint_text
from bklint.linter.settings import Settings
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


# -- the server's lint: standalone registry tables (linter/per_table.py) ------------------


def _judged(text: str, cache: ParseCache | None) -> list[Any]:
    """Everything a finding carries, its fix's edits included."""
    findings = lint_text(text, "buildkitd.toml", Settings(), cache).findings
    return [
        (f.code, f.span, f.message, f.severity, f.related, f.fix and (f.fix.message, f.fix.applicability, f.fix.edits))
        for f in findings
    ]


def _registry_heavy(text: str) -> str:
    """``text`` among enough registry tables that the file is split into standalone tables."""
    head = "".join(f'[registry."pad-{i}.example.com"]\nmirrors = ["m{i}.example.net"]\n\n' for i in range(30))
    tail = "".join(f'\n[registry."tail-{i}.example.com"]\nhttp = true\n' for i in range(30))
    return head + text + "\n" + tail


@pytest.mark.parametrize(("name", "text"), _texts(), ids=lambda v: v if isinstance(v, str) and "\n" not in v else "")
def test_split_lint_equals_full_lint(name: str, text: str) -> None:
    for variant in (PAD * 8 + text, _registry_heavy(text)):
        cache = ParseCache()
        full = _judged(variant, None)
        assert _judged(variant, cache) == full
        assert _judged(variant, cache) == full  # every table reused


def test_split_lint_along_edits_equals_full_lint() -> None:
    rng = random.Random(11)
    text = _registries(60) + '[registry."Docker.io"]\nmirrors = ["http://m.local", "m.local/v2", " x"]\nhttp = 1\n'
    snippets = ["x", "\n", "[", "]", '"', "=", " ", "htpp = true\n", "insecure = true\n", 'mirrors = ["a:99999"]\n',
                '[registry."localhost:5000"]\nca = ["c.pem"]\n', "[Registry.x]\n", 'registry."y".http = true\n']

    def edit(text: str) -> str:
        pos = rng.randrange(len(text))
        op = rng.random()
        if op < 0.5:
            return text[:pos] + rng.choice(snippets) + text[pos:]
        if op < 0.8:
            return text[:pos] + text[pos + rng.randrange(1, 4) :]
        line = rng.choice([m.start() for m in re.finditer("htt[pt]", text)] or [0])
        return text[:line] + ("htpp" if text[line:].startswith("http") else "http") + text[line + 4 :]

    assert _session(text, edit, 120) > 30  # most versions were linted table by table


def _session(text: str, edit: Any, steps: int) -> int:
    """Lint ``steps`` edits of ``text`` (``edit(text)`` makes one) with a warm cache, each
    equal to a fresh lint; broken states are repaired again, as a user typing repairs them.
    How many versions were linted table by table."""
    cache = ParseCache()
    split = 0
    for _ in range(steps):
        edited = edit(text)
        assert _judged(edited, cache) == _judged(edited, None)
        split += bool(cache.tables)
        if parse(edited).doc is not None and not parse(edited).problems:
            text = edited
    return split


def test_a_keystroke_decodes_and_judges_only_its_table(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache()
    text = _registries(200)
    lint_text(text, "buildkitd.toml", Settings(), cache)
    assert len(cache.tables) == 200
    decoded: list[tuple[str, ...]] = []
    real = per_table.decode_table
    monkeypatch.setattr(per_table, "decode_table", lambda doc, path: decoded.append(path) or real(doc, path))
    edited = text.replace("http = true", "htpp = true", 1)
    assert _judged(edited, cache) == _judged(edited, None)
    assert decoded == [("registry", "r0.example.com")]


def test_files_that_reach_the_registry_map_otherwise_are_linted_whole() -> None:
    for extra in ('[Registry."x.io"]\nhttp = true\n', 'registry."x.io".http = true\n', "[registry]\n",
                  '[registry."r1.example.com".sub]\na = 1\n', '[[registry."x.io"]]\n'):
        # (a key/value appended at the end would be in the last table, not at the top level)
        for text in (extra + _registries(120), _registries(120) + extra if extra.startswith("[") else ""):
            if not text:
                continue
            cache = ParseCache()
            assert _judged(text, cache) == _judged(text, None)
            assert not cache.tables


def test_the_split_decode_equals_the_whole_decode_indexes_included() -> None:
    from bklint.rules.schema.decode import decode

    for _, text in _texts()[::7]:
        variant = _registry_heavy(text)
        cache = ParseCache()
        outcome = parse_cached(variant, cache)
        if outcome.doc is None:
            continue
        tables = per_table.split(outcome.doc, cache)
        if tables is None:
            continue
        whole, _ = per_table.decode_with(outcome.doc, tables)
        _same_decode(whole, decode(outcome.doc))


def _same_decode(whole: Any, full: Any) -> None:
    assert list(whole.entries.items()) == list(full.entries.items())
    assert list(whole.tables.items()) == list(full.tables.items())
    assert whole.issues == full.issues
    assert whole._child_index() == full._child_index()
    assert [list(d) for d in whole._child_index().values()] == [list(full._child_index()[k]) for k in whole._child_index()]
    for prefix in {p[:n] for p in full.entries for n in range(len(p) + 1)} | {("registry",), ("nothing",)}:
        assert whole.under(*prefix) == full.under(*prefix)


def test_the_split_decode_stays_the_whole_decode_along_keystrokes() -> None:
    """A keystroke in one table reuses the previous version's decodes (``decode_split_again``)."""
    from bklint.rules.schema.decode import decode

    rng = random.Random(31)
    cache = ParseCache()
    text = "[worker.oci]\nmax-parallelism = 4\n" + _registries(100).split("[worker.oci]")[0]
    again = 0
    for _ in range(120):
        at = rng.choice([m.start() for m in re.finditer("htt[pt] = ", text)] or [0])
        toggled = text[:at] + ("htpp" if text[at:].startswith("http") else "http") + text[at + 4 :]  # entry <-> issue
        edited = rng.choice([_typed(text, rng), toggled, text.replace("http = true", "http = false", 1)])
        result = lint_text(edited, "buildkitd.toml", Settings(), cache)
        assert result.doc is not None and result.context is not None
        if cache.tables and cache.decodes is not None and cache.decodes[0] is result.context.decoded:  # split
            _same_decode(result.context.decoded, decode(result.doc))
            again += cache.replaced is not None
        if parse(edited).doc is not None and not parse(edited).problems:
            text = edited
    assert again > 20, again


def _typed(text: str, rng: random.Random) -> str:
    """``text`` after one keystroke of ordinary typing that changes its length: a character
    typed or deleted, a line inserted or removed — anywhere, header lines included."""
    pos = rng.randrange(len(text))
    line = text.rfind("\n", 0, pos) + 1
    op = rng.randrange(5)
    if op == 0:
        return text[:pos] + rng.choice("xp= \"[]1.") + text[pos:]
    if op == 1:
        return text[:pos] + text[pos + 1 :]
    if op == 2:
        return text[:line] + rng.choice(["htpp = true\n", "# note\n", "\n", 'mirrors = ["a:99999"]\n']) + text[line:]
    if op == 3:
        end = text.find("\n", pos)
        return text[:line] + text[end + 1 :] if end >= 0 else text[:line]
    return text[:0] + rng.choice(["# top\n", "\n", "x"]) + text  # everything moves, the first part too


def test_length_changing_edits_equal_full_lint_findings_and_fixes_included() -> None:
    rng = random.Random(23)
    # Findings with fixes on many tables (BK101 typo keys, BK2xx mirrors), so kept findings move.
    text = "[worker.oci]\nmax_parallelism = 4\n" + "".join(
        f'[registry."r{i}.example.com"]\n' + ("htpp = true\n" if i % 3 == 0 else 'mirrors = ["http://m.local"]\n')
        + ("\n" if i % 2 else "")
        for i in range(120)
    )
    assert _session(text, lambda text: _typed(text, rng), 150) > 30


def test_a_length_changing_keystroke_decodes_and_judges_only_its_table(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache()
    text = _registries(200)
    lint_text(text, "buildkitd.toml", Settings(), cache)
    decoded: list[tuple[str, ...]] = []
    real = per_table.decode_table
    monkeypatch.setattr(per_table, "decode_table", lambda doc, path: decoded.append(path) or real(doc, path))
    at = text.index("http = true")
    name = text.index("r0.example.com")
    for edited in (
        text[:name] + "x" + text[name:],  # typed in the header: the registry renamed in place
        text,
        text[:at] + "x" + text[at:],  # a character typed: everything below moves
        text[:at] + "# a new line\n" + text[at:],  # a line: everything below moves a line down
        text,  # and back
        text[:at] + text[at + 1 :],  # a character deleted
    ):
        decoded.clear()
        assert _judged(edited, cache) == _judged(edited, None)
        assert decoded in ([("registry", "r0.example.com")], [("registry", "xr0.example.com")])
        assert len(cache.tables) == 200
