"""The shell word splitter: shlex's words, plus offsets, command boundaries and expansions."""

from __future__ import annotations

import shlex

import pytest

from bklint.linter.shell_words import blank_recipe_prefixes, split


@pytest.mark.parametrize(
    "text",
    [
        "docker buildx create --config ../b.toml",
        "a 'b c' \"d e\" f\\ g",
        'x "a\\"b" \'c\\d\'',
        "docker buildx create \\\n  --buildkitd-flags \"--debug --oci-worker-net=cni\"",
        "a# not a comment 'quoted # too'",
    ],
)
def test_words_are_shlex_words(text: str) -> None:
    (words,) = split(text).commands
    assert [w.value for w in words] == shlex.split(text.replace("\\\n", ""), posix=True)  # shlex has no continuations


def test_commands_comments_and_expansions() -> None:
    script = split('a=1; b "$X" && c `d` | e ${F}/g $(h i) # c1 "x"\n# c2\nj')
    assert [[w.value for w in c] for c in script.commands] == [
        ["a=1"],
        ["b", "$X"],
        ["c", "`d`"],
        ["e", "${F}/g", "$(h i)"],
        ["j"],
    ]
    assert [[w.expanded for w in c] for c in script.commands] == [[False], [False, True], [False, True], [False, True, True], [False]]
    assert len(script.comments) == 2


def test_offsets_map_value_characters_back_to_the_text() -> None:
    text = 'x --flags "--a \\\n--b"'
    (words,) = split(text).commands
    flags = words[2]
    assert flags.value == "--a --b"
    start, end = flags.offsets(4, 7)
    assert text[start:end] == "--b"


def test_recipe_prefixes() -> None:
    make = "t:\n\t@-docker buildx create \\\n\t  --x\n"
    assert blank_recipe_prefixes(make, "make") == "t:\n\t  docker buildx create \\\n\t  --x\n"
    assert blank_recipe_prefixes("r:\n    @docker x\n", "just") == "r:\n     docker x\n"
    assert blank_recipe_prefixes("\t@x\n", "sh") == "\t@x\n"
