"""Exclude, per-file-ignores and `files` globs match as `fnmatch` matches each of them.

Discovery asks every file and folder against every glob, so the globs are matched as one
regex; these cases pin that this is only faster, never different.
"""

from __future__ import annotations

import fnmatch
import itertools
import os

import pytest

from bklint.linter.settings import DEFAULT_EXCLUDE, any_path_matches, any_project_path_matches


def _one_by_one(path: str, pattern: str) -> bool:
    norm = path.replace(os.sep, "/")
    return (
        fnmatch.fnmatch(norm, pattern)
        or fnmatch.fnmatch(os.path.basename(norm), pattern)
        or fnmatch.fnmatch(norm, f"*/{pattern}")
    )


PATTERNS = [
    *DEFAULT_EXCLUDE,
    "*.buildkitd.toml",
    "ci/*.toml",
    "**/buildkit/*.toml",
    "vendor",
    "[!.]*.toml",
    "legacy?/buildkitd.toml",
    "a[b-d]c",
    "sub/dir",
]
PATHS = [
    "buildkitd.toml",
    "ci/buildkitd.toml",
    "ci/x.toml",
    "deep/ci/x.toml",
    "repo/.git",
    "repo/node_modules/pkg/buildkitd.toml",
    ".venv",
    "x/buildkit/a.toml",
    "legacy1/buildkitd.toml",
    "legacy12/buildkitd.toml",
    "abc",
    "x/abc",
    "aec",
    "top/sub/dir",
    "subdir",
    "prod.buildkitd.toml",
    ".hidden.toml",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_set_of_globs_matches_where_one_of_them_does(path: str) -> None:
    for size in (1, 2, len(PATTERNS)):
        for globs in itertools.islice(itertools.combinations(PATTERNS, size), 40):
            assert any_path_matches(path, globs) == any(_one_by_one(path, g) for g in globs), (path, globs)


def test_no_glob_matches_nothing() -> None:
    assert not any_path_matches("buildkitd.toml", ())
    assert not any_project_path_matches("buildkitd.toml", (), "/")


def test_project_globs_also_match_relative_to_the_root(tmp_path: os.PathLike[str]) -> None:
    root = os.fspath(tmp_path)
    inside = os.path.join(root, "configs", "prod", "buildkitd.toml")
    assert any_project_path_matches(inside, ("configs/*/buildkitd.toml",), root)
    assert not any_project_path_matches(inside, ("prod/*.yml",), root)
