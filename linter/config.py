"""The one settings resolver, for the command line and the language server alike.

Settings come in layers: bklint's defaults, then the project's configuration
(``[tool.bklint]`` in pyproject.toml, ``bklint.toml`` or ``.bklint.toml``, the nearest one
at or above the checked file, or the one ``--config`` names), then the front end's own
options (command-line flags, or the editor's settings). :func:`lay` puts one layer over
the settings below it, and it is the only code that knows what an option means and what
values it takes: a mistake gets the same words whether it was made on the command line,
in a config file or in an editor (only the option's spelling differs: ``--target-version``,
``target-version``, ``targetVersion``). The CLI makes such a mistake a usage error; the
server reports it with ``window/showMessage`` and goes on with the rest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from bklint.linter.settings import Settings, unknown_selectors
from bklint.rules.base import Severity
from bklint.rules.catalog import refs
from bklint.rules.record import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    Origin = Literal["cli", "config", "editor"]

CONFIG_NAMES = ("bklint.toml", ".bklint.toml", "pyproject.toml")


class Problem(FrozenRecord):
    """A value that could not be used; ``where`` names the option as its origin spells it."""

    __slots__ = ("fatal", "message", "where")

    where: str
    message: str
    fatal: bool

    def __init__(self, where: str, message: str, fatal: bool = True) -> None:
        self.where = where
        self.message = message
        self.fatal = fatal

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ConfigError(Exception):
    """A setting bklint cannot use (on the command line: a usage error)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Layer(FrozenRecord):
    """One set of option values (keys spelled as in a config file) and where it came from."""

    __slots__ = ("anchor", "origin", "path", "values")

    values: Mapping[str, Any]
    origin: Origin
    # Relative paths (base-dir) resolve against this directory.
    anchor: str
    # The config file, for a config layer.
    path: str | None

    def __init__(
        self,
        values: Mapping[str, Any],
        origin: Origin,
        anchor: str,
        path: str | None = None,
    ) -> None:
        self.values = values
        self.origin = origin
        self.anchor = anchor
        self.path = path

    def where(self, key: str) -> str:
        if self.origin == "cli":
            return f"--{key}"
        if self.origin == "editor":
            return camel(key)
        return f"{self.path}: {key}"


def camel(key: str) -> str:
    """``target-version`` -> ``targetVersion`` (how editors spell the options)."""
    head, *rest = key.split("-")
    return head + "".join(part.capitalize() for part in rest)


class _Bad(Exception):
    """Raised by an option's reader: the value cannot be used (the message says why)."""


# --- what each option means ------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    """A list of strings; a string is a comma-separated list (as on the command line)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad("must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _selectors(value: Any, problems: list[str]) -> list[str]:
    """Rule selectors; unknown ones are reported (and left out, for a front end that goes on)."""
    selectors = _strings(value)
    bad = unknown_selectors(selectors)
    problems.extend(f"unknown rule selector {s} (see `bklint rules`)" for s in bad)
    return [s for s in selectors if s not in bad]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("must be a string")
    return value


def _severity(value: Any) -> Severity:
    try:
        return Severity.parse(_text(value))
    except ValueError as exc:
        raise _Bad(str(exc)) from None


def _version(value: Any) -> str:
    from bklint.rules.schema.versions import supported

    text = _text(value).strip()
    try:
        supported(text)
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    return text


def _days(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Bad("must be a non-negative integer")
    return value


def _table(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"must be a table of {what}")
    return value


def _apply(settings: Settings, key: str, value: Any, layer: Layer, problems: list[str]) -> None:
    """Set one option; raises _Bad (nothing set) or adds to ``problems`` (the good part set)."""
    rules = settings.rules
    if key == "select":
        selected = _selectors(value, problems)
        if selected or not problems:
            settings.select = selected
    elif key == "extend-select":
        settings.extend_select.extend(_selectors(value, problems))
    elif key == "ignore":
        settings.ignore.extend(_selectors(value, problems))
    elif key == "per-file-ignores":
        for pattern, codes in _table(value, "glob = [codes]").items():
            settings.per_file_ignores.setdefault(str(pattern), []).extend(_selectors(codes, problems))
    elif key == "severity":
        for code, level in _table(value, "CODE = level").items():
            upper = str(code).strip().upper()
            try:
                if upper not in refs():
                    raise _Bad(f"unknown rule code {code} (see `bklint rules`)")
                settings.severity[upper] = _severity(level)
            except _Bad as exc:
                problems.append(f"{code}: {exc}" if upper in refs() else str(exc))
    elif key == "failure-threshold":
        settings.failure_threshold = _severity(value)
    elif key == "base-dir":
        # No shell expands `~` in an editor's settings; on the command line the shell has.
        text = os.path.expanduser(_text(value)) if layer.origin == "editor" else _text(value)
        rules.base_dir = os.path.normpath(os.path.join(layer.anchor, text))
    elif key == "buildkitd-flags":
        rules.buildkitd_flags = _text(value)
    elif key == "target-version":
        rules.target_version = _version(value)
    elif key == "cert-expiry-days":
        rules.cert_expiry_days = _days(value)
    elif key == "files":
        settings.files.extend(_strings(value))
    elif key in ("exclude", "extend-exclude"):
        globs = _strings(value)
        if key == "exclude":
            settings.exclude = globs
        else:
            settings.extend_exclude.extend(globs)
    elif key == "respect-gitignore":
        if not isinstance(value, bool):
            raise _Bad("must be true or false")
        settings.respect_gitignore = value
    elif key == "fixable":
        settings.fixable = _selectors(value, problems)
    elif key == "unfixable":
        settings.unfixable.extend(_selectors(value, problems))
    elif key == "rule-options":
        _rule_options(settings, _table(value, "rule = { option = value }"), layer, problems)


def _rule_options(settings: Settings, table: dict[str, Any], layer: Layer, problems: list[str]) -> None:
    """``{ rule-name-or-code = { option = value } }`` for the options rules declare.

    An option with the name of a top-level option (BK311's ``cert-expiry-days``) is that
    option; the rest are kept for their rule as ``rule-name.option``.
    """
    by_name = {r.name: r for r in refs().values()}
    for ref, options in table.items():
        rule = refs().get(str(ref).upper()) or by_name.get(str(ref))
        if rule is None:
            problems.append(f"unknown rule {ref} (see `bklint rules`)")
            continue
        if not isinstance(options, dict):
            problems.append(f"{ref} must be a table of option = value")
            continue
        for option, value in options.items():
            if option not in rule.options:
                known = ", ".join(rule.options) or "none"
                problems.append(f"{rule.code} ({rule.name}) has no option `{option}` (its options: {known})")
            elif option in OPTIONS:
                _apply(settings, option, value, layer, problems)
            else:
                settings.rules.options[f"{rule.name}.{option}"] = value


# Every option, with a one-line description (``--show-settings``, the README's table).
OPTIONS: dict[str, str] = {
    "select": "rule codes, prefixes or names to enable (default: BK, every rule)",
    "extend-select": "more rules to enable on top of select",
    "ignore": "rule codes, prefixes or names to disable",
    "per-file-ignores": "glob = [codes] ignored in matching files",
    "severity": "CODE = level: report a rule at another severity",
    "failure-threshold": "the lowest severity that makes `bklint check` exit 1 (default: warning)",
    "base-dir": "relative certificate paths resolve against this directory",
    "buildkitd-flags": "the daemon flags the config is used with",
    "target-version": "judge the file for this BuildKit release",
    "cert-expiry-days": "warn about certificates expiring within this many days (default 30)",
    "files": "extra file-name globs to treat as buildkitd configs",
    "exclude": "globs of files and folders discovery skips (replaces the defaults: .git, node_modules, …)",
    "extend-exclude": "more globs discovery skips, on top of exclude",
    "respect-gitignore": "skip what .gitignore files ignore during discovery (default true)",
    "fixable": "rules whose fixes --fix may apply (default ALL)",
    "unfixable": "rules whose fixes are never applied",
    "rule-options": "rule = { option = value } for options a rule declares",
}


def lay(settings: Settings, layer: Layer) -> tuple[Settings, list[Problem]]:
    """``layer`` over ``settings`` (which is not changed): the settings and what could not be used.

    An option whose value cannot be used is left as it was below (a list of selectors
    keeps its known ones); an unknown option is a warning, except from an editor, whose
    settings section also holds the editor's own keys.
    """
    out = settings.copy()
    problems: list[Problem] = []
    for raw_key, value in layer.values.items():
        key = _key(str(raw_key), layer.origin)
        if key is None:
            if layer.origin != "editor":
                problems.append(Problem(layer.path or layer.where(raw_key), f"unknown option `{raw_key}`", fatal=False))
            continue
        if value is None or (layer.origin == "editor" and key == "select" and value in ([], "")):
            continue  # editors send null or an empty list for "not set"
        messages: list[str] = []
        try:
            _apply(out, key, value, layer, messages)
        except _Bad as exc:
            messages.append(str(exc))
        problems.extend(Problem(layer.where(key), m) for m in messages)
    return out, problems


def _key(raw: str, origin: Origin) -> str | None:
    """The option a key names: ``target-version`` (``target_version`` too), or ``targetVersion`` from an editor."""
    if origin == "editor":
        return next((k for k in OPTIONS if raw in (k, camel(k))), None)
    key = raw.replace("_", "-")
    return key if key in OPTIONS else None


# --- config files ------------------------------------------------------------------------------


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
    """Whether a pyproject.toml has ``[tool.bklint]``. Every Python project has a
    pyproject.toml, so this runs on most checks: a file that never spells `bklint` cannot
    have the table, and the rest are read by bklint's own TOML parser, already loaded, so
    that finding no config costs no `tomllib` import (issue 15). tomllib has the last word
    on a file that parser refuses."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return False
    if b"bklint" not in raw and b"\\u" not in raw and b"\\U" not in raw:
        return False  # no key can spell it, escapes aside
    from bklint.linter.parse import parse_part

    try:
        parsed = parse_part(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return False
    if parsed is not None:
        data: dict[str, Any] = parsed[0]
    else:
        from bklint.rules.tomllib_compat import tomllib

        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except tomllib.TOMLDecodeError:
            return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "bklint" in tool


def load_config(path: str) -> Layer:
    """A config file as a layer; ConfigError when it cannot be read at all."""
    from bklint.rules.tomllib_compat import tomllib  # only when there is a file to read

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(Problem(path, str(exc.strerror or exc))) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(Problem(path, f"invalid TOML: {exc}")) from None
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("bklint", {})
    if not isinstance(data, dict):
        raise ConfigError(Problem(path, "[tool.bklint] must be a table"))
    return Layer(data, "config", os.path.dirname(os.path.abspath(path)), path)


class SettingsResolver:
    """Settings per checked file: defaults, the project's config, then the front end's layer.

    ``strict`` (the command line) raises ConfigError at the first value that cannot be
    used; otherwise (the server) every problem is collected in ``problems`` and the rest
    applies. ``anchor(path)`` is where the front end resolves relative paths and the
    default base-dir: the working directory for the CLI, the workspace folder for an
    editor.
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        origin: Origin,
        *,
        config_path: str | None = None,
        isolated: bool = False,
        strict: bool = True,
        anchor: Callable[[str | None], str] | None = None,
        one_pass: bool = False,
    ) -> None:
        self.values = values
        self.origin = origin
        self.isolated = isolated
        self.strict = strict
        self.anchor = anchor or (lambda _path: os.getcwd())
        self.problems: list[Problem] = []
        self._fixed = self._checked(lambda: load_config(config_path)) if config_path else None
        self._layers: dict[str, Layer | None] = {}
        self._cache: dict[tuple[str | None, str], Settings] = {}
        # ``one_pass``: no config file appears or goes while this resolver lives (one pass of
        # `bklint check` over its files), so each folder's is looked up once, not per file.
        # The server's resolver lives long and looks every time.
        self._found: dict[str, str | None] | None = {} if one_pass else None
        if strict:  # a bad option is an error before any file is read
            self.for_path(None)

    @property
    def warnings(self) -> list[str]:
        return [str(p) for p in self.problems if not p.fatal]

    def for_path(self, path: str | None) -> Settings:
        config = self.config_for(path)
        anchor = self.anchor(path)
        key = (config.path if config else None, anchor)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        settings = Settings(root=config.anchor if config is not None else anchor)
        settings.rules.base_dir = anchor
        if config is not None:
            settings = self._lay(settings, config)
        settings = self._lay(settings, Layer(self.values, self.origin, anchor))
        self._cache[key] = settings
        return settings

    def _lay(self, settings: Settings, layer: Layer) -> Settings:
        out, problems = lay(settings, layer)
        for problem in problems:
            self._report(problem)
        return out

    def _report(self, problem: Problem) -> None:
        if problem in self.problems:
            return
        if self.strict and problem.fatal:
            raise ConfigError(problem)
        self.problems.append(problem)

    def config_for(self, path: str | None) -> Layer | None:
        if self._fixed is not None or self.isolated:
            return self._fixed
        start = path if path else os.getcwd()
        if self._found is None:
            found = find_config(start)
        else:
            folder = start if os.path.isdir(start) else os.path.dirname(start)
            if folder not in self._found:
                self._found[folder] = find_config(folder)
            found = self._found[folder]
        if found is None:
            return None
        if found not in self._layers:
            self._layers[found] = self._checked(lambda: load_config(found))
        return self._layers[found]

    def _checked(self, load: Callable[[], Layer]) -> Layer | None:
        try:
            return load()
        except ConfigError as exc:
            self._report(exc.problem)
            return None
