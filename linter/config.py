"""bklint's own configuration: `[tool.bklint]` in pyproject.toml, `bklint.toml`, `.bklint.toml`.

Found upward from each checked file (the nearest wins, like ruff), or given with
`--config`; `--isolated` ignores them all. Command-line options are applied on top.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bklint.linter.settings import Settings
from bklint.rules.base import Severity
from bklint.rules.tomllib_compat import tomllib

CONFIG_NAMES = ("bklint.toml", ".bklint.toml", "pyproject.toml")
KNOWN_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "severity",
    "base-dir",
    "buildkitd-flags",
    "target-version",
    "cert-expiry-days",
    "files",
    "failure-threshold",
    "rule-options",
}


class ConfigError(Exception):
    """The configuration file is broken; the message says where."""


@dataclass(slots=True)
class ConfigFile:
    path: str
    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def find_config(start: str) -> str | None:
    """The nearest config file at or above ``start`` (a file or a directory)."""
    directory = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_tool_section(candidate)):
                return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "bklint" in data["tool"]


def load_config(path: str) -> ConfigFile:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("bklint", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [tool.bklint] must be a table")
    values = {k.replace("_", "-"): v for k, v in data.items()}
    warnings = [f"{path}: unknown option `{k}`" for k in values if k not in KNOWN_KEYS]
    return ConfigFile(path, values, warnings)


def apply_config(settings: Settings, config: ConfigFile) -> Settings:
    """Settings from a config file on top of ``settings`` (a copy is returned)."""
    out = settings.copy()
    v = config.values
    base = os.path.dirname(os.path.abspath(config.path))

    def strings(key: str) -> list[str]:
        value = v.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ConfigError(f"{config.path}: `{key}` must be a list of strings")
        return list(value)

    if "select" in v:
        out.select = strings("select")
    out.extend_select.extend(strings("extend-select"))
    out.ignore.extend(strings("ignore"))
    out.files.extend(strings("files"))
    pfi = v.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{config.path}: `per-file-ignores` must be a table of glob = [codes]")
    for pattern, codes in pfi.items():
        if isinstance(codes, str):
            codes = [codes]
        out.per_file_ignores.setdefault(pattern, []).extend(codes)
    sev = v.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{config.path}: `severity` must be a table of CODE = level")
    for code, level in sev.items():
        try:
            out.severity[code.upper()] = Severity.parse(str(level))
        except ValueError as exc:
            raise ConfigError(f"{config.path}: severity.{code}: {exc}") from None
    if "base-dir" in v:
        out.rules.base_dir = os.path.normpath(os.path.join(base, str(v["base-dir"])))
    if "buildkitd-flags" in v:
        out.rules.buildkitd_flags = str(v["buildkitd-flags"])
    if "target-version" in v:
        from bklint.rules.schema.versions import parse_version

        try:
            parse_version(str(v["target-version"]))
        except ValueError as exc:
            raise ConfigError(f"{config.path}: target-version: {exc}") from None
        out.rules.target_version = str(v["target-version"])
    if "cert-expiry-days" in v:
        days = v["cert-expiry-days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            raise ConfigError(f"{config.path}: `cert-expiry-days` must be a non-negative integer")
        out.rules.cert_expiry_days = days
    if "rule-options" in v and isinstance(v["rule-options"], dict):
        out.rules.options.update(v["rule-options"])
    out.origin = config.path
    return out


class SettingsResolver:
    """Settings per checked file: config discovery (cached per directory) plus CLI overrides."""

    def __init__(self, cli: Settings, config_path: str | None = None, isolated: bool = False) -> None:
        self.cli = cli
        self.isolated = isolated
        self.fixed = load_config(config_path) if config_path else None
        self.warnings: list[str] = list(self.fixed.warnings) if self.fixed else []
        self._cache: dict[str | None, Settings] = {}
        self.threshold: str | None = None

    def for_path(self, path: str | None) -> Settings:
        config_path = None
        if self.fixed is not None:
            config_path = self.fixed.path
        elif not self.isolated:
            config_path = find_config(path if path else os.getcwd())
        if config_path in self._cache:
            return self._cache[config_path]
        settings = Settings()
        if config_path is not None:
            config = self.fixed or load_config(config_path)
            if config is not self.fixed:
                self.warnings.extend(config.warnings)
            settings = apply_config(settings, config)
            if self.threshold is None and "failure-threshold" in config.values:
                self.threshold = str(config.values["failure-threshold"])
        settings = overlay(settings, self.cli)
        self._cache[config_path] = settings
        return settings


def overlay(base: Settings, cli: Settings) -> Settings:
    """Command-line values (those that differ from the defaults) on top of file settings."""
    out = base.copy()
    default = Settings()
    if cli.select != default.select:
        out.select = list(cli.select)
    out.extend_select.extend(cli.extend_select)
    out.ignore.extend(cli.ignore)
    for pattern, codes in cli.per_file_ignores.items():
        out.per_file_ignores.setdefault(pattern, []).extend(codes)
    out.severity.update(cli.severity)
    out.files.extend(cli.files)
    if cli.rules.base_dir != default.rules.base_dir:
        out.rules.base_dir = cli.rules.base_dir
    for name in ("target_version", "buildkitd_flags"):
        if getattr(cli.rules, name) is not None:
            setattr(out.rules, name, getattr(cli.rules, name))
    if cli.rules.cert_expiry_days != default.rules.cert_expiry_days:
        out.rules.cert_expiry_days = cli.rules.cert_expiry_days
    out.rules.options.update(cli.rules.options)
    return out
