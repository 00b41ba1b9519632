"""Scripts: any text, in any dialect, is split and judged without an exception, in bounded time."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bklint.linter.inputs.script import lint_script
from bklint.linter.settings import Settings
from bklint.rules.context import SourceText
from tests.fuzz.limits import bounded
from tests.fuzz.strategies import budget

PIECES = [
    "docker buildx create ",
    "--config ",
    "--buildkitd-config=",
    "--buildkitd-flags ",
    "--driver docker ",
    "--driver-opt image=moby/buildkit:v0.12.5 ",
    "x.toml ",
    "\\\n",
    "\n\t@",
    "$(",
    "${",
    "{{",
    "'",
    '"',
    "`",
    "#",
    ";",
    "&&",
    "|",
    "(",
    ")",
]
SCRIPTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join)


@budget(150)
@given(text=SCRIPTS, name=st.sampled_from(["build.sh", "Makefile", "justfile"]))
def test_any_script_is_judged(text: str, name: str) -> None:
    settings = Settings()
    with bounded(what="lint_script"):
        result = lint_script(SourceText(text), str(Path("/nonexistent") / name), settings)
        for followed in result.followed:
            followed.lint(settings)
    assert not any(f.code == "BK902" for f in result.findings)
