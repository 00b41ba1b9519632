"""Diagnostics reused from the previous version equal those converted afresh."""

from __future__ import annotations

import json
import random

import pytest
from lsprotocol import converters, types

from bklint.linter.incremental import ParseCache
from bklint.linter.settings import Settings
from bklint.lsp import analysis
from bklint.lsp.analysis import Converted, analyse

URI = "file:///ws/buildkitd.toml"
PATH = "/ws/buildkitd.toml"
BASE = "".join(f'[registry."r{i}.example.com"]\nhtpp = true\nmirrors = ["m{i}.example.com"]\n\n' for i in range(60))


def test_reused_diagnostics_equal_fresh_ones_along_edits() -> None:
    rng = random.Random(3)
    settings = Settings()
    cache, converted = ParseCache(), Converted()
    unstructure = converters.get_converter().unstructure
    text = BASE
    reused = 0
    for version in range(60):
        pos = rng.randrange(len(text))
        text = text[:pos] + rng.choice(["é", "\n", "x", "", "\r\n", "😀"]) + text[pos + 1 :]
        before = {id(d) for d in converted.made.values() for d in d[:1]}
        warm = analyse(URI, PATH, version, 0, text, settings, "utf-16", cache, converted)
        fresh = analyse(URI, PATH, version, 0, text, settings, "utf-16")
        assert warm.diagnostics == fresh.diagnostics
        assert [json.loads(w) for w in warm.wire] == [unstructure(d, types.Diagnostic) for d in fresh.diagnostics]
        reused += sum(id(d) in before for d in warm.diagnostics)
    assert reused > 0  # the unchanged diagnostics were not converted again


def test_diagnostics_below_an_inserted_line_are_moved_not_converted_again(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    cache, converted = ParseCache(), Converted()
    unstructure = converters.get_converter().unstructure
    text = BASE
    for _ in range(2):  # the first version only sets the encoding
        analyse(URI, PATH, 0, 0, text, settings, "utf-16", cache, converted)
    calls: list[str] = []
    real = analysis.diagnostic
    monkeypatch.setattr(analysis, "diagnostic", lambda f, lines, uri: calls.append(f.code) or real(f, lines, uri))
    for version, edited in enumerate(["# a note\n" + text, "\n\n" + text, text[:30] + "x\n" + text[30:], text], 1):
        calls.clear()
        warm = analyse(URI, PATH, version, 0, edited, settings, "utf-16", cache, converted)
        converted_now = len(calls)
        fresh = analyse(URI, PATH, version, 0, edited, settings, "utf-16")
        assert warm.diagnostics == fresh.diagnostics
        assert [json.loads(w) for w in warm.wire] == [unstructure(d, types.Diagnostic) for d in fresh.diagnostics]
        assert converted_now <= 3, calls  # those of the edited table at most
