"""Editor settings (the `bklint` section) combined with the project's bklint configuration.

Editors send one flat object — ``select``, ``ignore``, ``severity``, ``targetVersion``,
``buildkitdFlags``, ``baseDir``, ``files`` — as initializationOptions, as the answer to
``workspace/configuration`` and in didChangeConfiguration. The project's ``[tool.bklint]``
(or bklint.toml) is found upward from each document, as ``bklint check`` finds it, and the
editor's explicit values are laid over it the way command-line options are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bklint.linter.config import ConfigError, apply_config, find_config, load_config, overlay
from bklint.linter.settings import Settings, path_matches
from bklint.rules.base import Severity

DEFAULT_PATTERNS = ("buildkitd.toml", "*.buildkitd.toml")


@dataclass(slots=True)
class ClientSettings:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    target_version: str | None = None
    buildkitd_flags: str | None = None
    base_dir: str | None = None
    files: list[str] = field(default_factory=list)
    # Values the server could not use, to tell the user once.
    problems: list[str] = field(default_factory=list)


def _strings(value: Any, key: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"`{key}` must be a list of strings")
        return []
    return [v.strip() for v in value if v.strip()]


def _text(value: Any, key: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"`{key}` must be a string")
        return None
    return value.strip() or None


def parse_client_settings(raw: Any) -> ClientSettings:
    """Read the settings object leniently: a bad value is reported and skipped, never fatal."""
    if isinstance(raw, dict) and isinstance(raw.get("bklint"), dict):
        raw = raw["bklint"]
    out = ClientSettings()
    if not isinstance(raw, dict):
        return out
    p = out.problems
    if raw.get("select") is not None:
        selected = _strings(raw.get("select"), "select", p)
        out.select = selected or None
    out.ignore = _strings(raw.get("ignore"), "ignore", p)
    out.files = _strings(raw.get("files"), "files", p)
    sev = raw.get("severity")
    if isinstance(sev, dict):
        for code, level in sev.items():
            try:
                out.severity[str(code).strip().upper()] = Severity.parse(str(level))
            except ValueError as exc:
                p.append(f"severity.{code}: {exc}")
    elif sev is not None:
        p.append("`severity` must be an object of CODE: level")
    out.target_version = _text(raw.get("targetVersion"), "targetVersion", p)
    out.buildkitd_flags = raw.get("buildkitdFlags") if isinstance(raw.get("buildkitdFlags"), str) else None
    out.base_dir = _text(raw.get("baseDir"), "baseDir", p)
    return out


class Resolver:
    """Settings per document path; rebuilt whenever the editor's settings change."""

    def __init__(self, client: ClientSettings, folders: list[str]) -> None:
        self.client = client
        self.folders = sorted(folders, key=len, reverse=True)
        self._cache: dict[str | None, Settings] = {}
        self.problems: list[str] = list(client.problems)

    def folder_of(self, path: str) -> str | None:
        for folder in self.folders:
            if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep):
                return folder
        return None

    def cli_like(self) -> Settings:
        s = Settings()
        c = self.client
        if c.select is not None:
            s.select = list(c.select)
        s.ignore = list(c.ignore)
        s.severity = dict(c.severity)
        s.files = list(c.files)
        s.rules.target_version = c.target_version
        s.rules.buildkitd_flags = c.buildkitd_flags
        return s

    def for_path(self, path: str | None) -> Settings:
        config_path = find_config(path) if path else None
        key = f"{config_path}\0{self.folder_of(path) if path else ''}\0{os.path.dirname(path or '')}"
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        base = Settings()
        config_base: str | None = None
        if config_path is not None:
            try:
                config = load_config(config_path)
                base = apply_config(base, config)
                if "base-dir" in config.values:
                    config_base = base.rules.base_dir
                self.problems.extend(config.warnings)
            except ConfigError as exc:
                self.problems.append(str(exc))
        settings = overlay(base, self.cli_like())
        settings.rules.base_dir = self.base_dir(path, config_base)
        self._cache[key] = settings
        return settings

    def base_dir(self, path: str | None, config_base: str | None) -> str:
        """Editor's baseDir (relative to the workspace folder) > project config > folder > file's dir."""
        folder = self.folder_of(path) if path else (self.folders[0] if self.folders else None)
        anchor = folder or (os.path.dirname(path) if path else os.getcwd())
        if self.client.base_dir:
            return os.path.normpath(os.path.join(anchor, os.path.expanduser(self.client.base_dir)))
        if config_base:
            return config_base
        return anchor

    def serves(self, path: str, settings: Settings) -> bool:
        """Whether the document is a buildkitd config (by name, or by the extra globs)."""
        patterns = [*DEFAULT_PATTERNS, *settings.files]
        return any(path_matches(path, p) for p in patterns)
