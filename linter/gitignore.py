"""What git ignores, so directory discovery skips it (ruff's `respect-gitignore`).

Every ``.gitignore`` from the repository root (the nearest folder above with ``.git``)
down to the file's folder applies, with ``.git/info/exclude`` first; patterns are relative
to the folder of their file, the last matching pattern decides (``!`` re-includes), and
deeper files win over shallower ones, as in git. A folder git ignores is not entered, so
nothing below it can be re-included — git's rule too. Outside a repository the
``.gitignore`` files from the searched folder down still apply. Pattern matching is the
`pathspec` library's implementation of gitignore's syntax.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathspec.pattern import Pattern


class GitIgnore:
    """Ignore rules for the folders below ``start``; ask :meth:`ignored` with absolute paths."""

    def __init__(self, start: str) -> None:
        self._specs: dict[str, list[Pattern]] = {}
        self._chains: dict[str, list[str]] = {}
        start = os.path.abspath(start)
        self.root = repo_root(start) or start

    def _patterns(self, folder: str) -> list[Pattern]:
        if folder not in self._specs:
            lines: list[str] = []
            if folder == self.root:
                lines += _read(os.path.join(folder, ".git", "info", "exclude"))
            lines += _read(os.path.join(folder, ".gitignore"))
            patterns: list[Pattern] = []
            if lines:
                from pathspec import GitIgnoreSpec

                patterns = list(GitIgnoreSpec.from_lines(lines).patterns)
            self._specs[folder] = patterns
        return self._specs[folder]

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether git would ignore ``path`` (its parent folders are taken as not ignored)."""
        path = os.path.abspath(path)
        verdict: bool | None = None
        parent = os.path.dirname(path)
        chain = self._chains.get(parent)
        if chain is None:  # the folders whose ignore files apply, once per folder of files
            chain = self._chains[parent] = _folders(self.root, parent)
        for folder in chain:
            patterns = self._patterns(folder)
            if not patterns:
                continue
            rel = os.path.relpath(path, folder).replace(os.sep, "/") + ("/" if is_dir else "")
            for pattern in patterns:
                if pattern.include is not None and pattern.match_file(rel) is not None:
                    verdict = pattern.include
        return bool(verdict)


def _folders(root: str, folder: str) -> list[str]:
    """``root`` and each folder below it down to ``folder`` (just ``folder`` if outside root)."""
    rel = os.path.relpath(folder, root)
    if rel == "." or rel.startswith(".."):
        return [folder] if rel.startswith("..") else [root]
    out = [root]
    for part in rel.split(os.sep):
        out.append(os.path.join(out[-1], part))
    return out


def repo_root(folder: str) -> str | None:
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _read(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except OSError:
        return []
