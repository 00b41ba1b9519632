"""The editor's side of the one settings resolver (``linter/config.py``).

Editors send one flat object — ``select``, ``ignore``, ``severity``, ``targetVersion``,
``buildkitdFlags``, ``baseDir``, ``files``, … (each option of a config file, camelCased) —
as initializationOptions, as the answer to ``workspace/configuration`` and in
didChangeConfiguration. It is laid over the project's configuration exactly as
command-line options are; what the server is told here only decides where relative paths
start (the workspace folder) and which documents it serves.
"""

from __future__ import annotations

import os
from typing import Any

from bklint.linter.config import SettingsResolver
from bklint.linter.files import is_config_name
from bklint.linter.inputs import kind_for, sniffed
from bklint.linter.settings import Settings


def client_values(raw: Any) -> dict[str, Any]:
    """The settings object as sent: flat, or under a ``bklint`` key; anything else is no settings."""
    if isinstance(raw, dict) and isinstance(raw.get("bklint"), dict):
        raw = raw["bklint"]
    return dict(raw) if isinstance(raw, dict) else {}


class Resolver(SettingsResolver):
    """Settings per document path; rebuilt whenever the editor's settings or folders change.

    A value the server cannot use is in ``problems`` (in the words the CLI uses) and the
    rest applies. Relative paths start at the document's workspace folder (its own
    directory outside any folder), which is also the default base-dir.
    """

    def __init__(self, values: dict[str, Any], folders: list[str]) -> None:
        self.folders = sorted(folders, key=len, reverse=True)
        # Whether a file of another kind holds configs, by (path, mtime, size): asked per request.
        self.holds: dict[tuple[str, int, int], bool] = {}
        super().__init__(values, "editor", strict=False, anchor=self.anchor_of)
        self.for_path(None)  # the editor's own mistakes, before any document is opened

    def folder_of(self, path: str) -> str | None:
        for folder in self.folders:
            if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep):
                return folder
        return None

    def anchor_of(self, path: str | None) -> str:
        if path is None:
            return self.folders[0] if self.folders else os.getcwd()
        return self.folder_of(path) or os.path.dirname(path)

    def serves(self, path: str, settings: Settings) -> bool:
        """Whether the document is one `bklint check DIR` would find: a buildkitd config (by
        name, or by the extra globs), or a file of another kind that holds configs (a YAML
        workflow or manifest), linted by its kind as `bklint check FILE` lints it."""
        if is_config_name(path, settings.files):
            return True
        if not sniffed(path):
            return False
        try:
            stat = os.stat(path)
        except OSError:
            return False  # a document not on disk yet: its kind cannot tell what it holds
        key = (path, stat.st_mtime_ns, stat.st_size)
        found = self.holds.get(key)
        if found is None:
            if len(self.holds) > 256:
                self.holds.clear()
            found = self.holds[key] = kind_for(path).discovered(path)
        return found
