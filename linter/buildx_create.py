"""What `docker buildx create` does with its options: the one model behind scripts and workflows.

Read from docker/buildx: ``commands/create.go`` (the options: ``--buildkitd-config`` and its
hidden alias ``--config`` write one variable, so the last one given wins; ``--driver-opt``
repeats), ``builder/builder.go`` (``csvToMap`` reads each ``--driver-opt`` as
comma-separated ``key=value`` pairs; ``parseBuildkitdFlags`` loads the config file, so a
missing one makes ``create`` fail), ``driver/docker/factory.go`` and
``driver/remote/factory.go`` (which drivers refuse a config file or daemon flags).

``find_creates`` reads `docker buildx create` command lines out of shell words
(``linter/shell_words.py``); ``buildkit_image`` reads the BuildKit release a driver-opt pins,
for setup-buildx-action's `driver-opts` input as well.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bklint.linter.shell_words import Word

# buildx's BuildKit image (driver/bkimage) and a release tag on it: `v0.12.5`, `v0.12`, `v0.12.5-rootless`.
_BUILDKIT_IMAGE = re.compile(r"^(?:docker\.io/)?moby/buildkit:(?P<tag>[^@\s]+)")
_RELEASE_TAG = re.compile(r"^v(?P<version>\d+\.\d+(?:\.\d+)?)(?:-[\w.-]+)?$")
# Drivers that never apply a buildkitd config or daemon flags given to `buildx create`.
IGNORING_DRIVERS = ("docker", "remote")
# `buildx create` options that take a value (commands/create.go); the rest are booleans.
_VALUE_OPTIONS = (
    "--name",
    "--driver",
    "--node",
    "--platform",
    "--driver-opt",
    "--buildkitd-flags",
    "--buildkitd-config",
    "--config",
    "--timeout",
)
_CONFIG_OPTIONS = ("--buildkitd-config", "--config")
# Words that may come before a command: `sudo docker buildx create …`, `env X=1 docker …`, and
# the reserved words that open a compound command (`if …; then docker buildx create …; fi`).
_WRAPPERS = ("sudo", "env", "command", "exec", "time", "nohup", "doas", "then", "do", "else", "if", "while", "until", "!", "{")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*=")


def buildkit_image(opts: Iterable[str]) -> tuple[str, str | None]:
    """The `image=moby/buildkit:<tag>` driver-opt and the release it pins ("" = the newest).

    Each item is one `--driver-opt` (one line of the action's `driver-opts`), read as
    comma-separated key=value pairs; None when no BuildKit image is named.
    """
    for item in opts:
        for pair in item.split(","):
            key, _, value = pair.strip().partition("=")
            if key.strip() != "image" or not (m := _BUILDKIT_IMAGE.match(value.strip())):
                continue
            tag = _RELEASE_TAG.match(m.group("tag"))
            return pair.strip(), (f"v{tag.group('version')}" if tag else "")
    return "", None


@dataclass(slots=True)
class Option:
    """One option as written: the option word, and the word holding its value."""

    flag: Word
    value: Word

    @property
    def name(self) -> str:
        return self.flag.value.partition("=")[0]


@dataclass(slots=True)
class Create:
    """One `docker buildx create` command line."""

    words: list[Word]  # from the `docker` (or `buildx`) word to the end of the command
    config: Option | None = None
    flags: Option | None = None
    driver: Option | None = None
    driver_opts: list[Option] = field(default_factory=list)

    @property
    def driver_name(self) -> str:
        """The driver named (`""` when none is, or when only the running shell knows it)."""
        if self.driver is None or self.driver.value.expanded:
            return ""
        return self.driver.value.value.strip()

    def image(self) -> tuple[str, str | None]:
        return buildkit_image(o.value.value for o in self.driver_opts if not o.value.expanded)


def find_creates(commands: Iterable[list[Word]]) -> list[Create]:
    """Every `docker buildx create` (or `buildx create`, `docker-buildx create`) among the commands.

    `docker create --config …` is Docker's container command, not buildx: it is not one.
    """
    out = []
    for words in commands:
        start = _buildx_word(words)
        if start is None:
            continue
        rest = _after_globals(words, start + 1)
        if rest is None or rest >= len(words) or words[rest].value != "create":
            continue
        out.append(_read_options(words[_command_start(words, start) :], words[rest + 1 :]))
    return out


def _buildx_word(words: list[Word]) -> int | None:
    for i, word in enumerate(words):
        base = os.path.basename(word.value)
        if base in ("buildx", "docker-buildx") and not word.expanded:
            if base == "buildx" and i > 0 and os.path.basename(words[i - 1].value) == "docker":
                return i if _only_wrappers(words[: i - 1]) else None
            return i if _only_wrappers(words[:i]) else None
    return None


def _only_wrappers(words: list[Word]) -> bool:
    return all(w.value in _WRAPPERS or w.value.startswith("-") or _ASSIGNMENT.match(w.value) for w in words)


def _command_start(words: list[Word], buildx: int) -> int:
    return buildx - 1 if buildx > 0 and os.path.basename(words[buildx - 1].value) == "docker" else buildx


def _after_globals(words: list[Word], i: int) -> int | None:
    """Skip buildx's own options before the subcommand (`--builder NAME`, `--debug`)."""
    while i < len(words) and words[i].value.startswith("-"):
        if words[i].value == "--builder":
            i += 1
        i += 1
    return i


def _read_options(command: list[Word], args: list[Word]) -> Create:
    create = Create(command)
    i = 0
    while i < len(args):
        word = args[i]
        name, eq, _ = word.value.partition("=")
        if word.value == "--":
            break
        if name not in _VALUE_OPTIONS or word.expanded:
            i += 1
            continue
        if eq:
            origins = word.origins[len(name) + 1 :]
            value = Word(word.value[len(name) + 1 :], origins[0] if origins else word.end, word.end, False, origins)
            i += 1
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 2
        else:
            break  # `--config` with no value: buildx refuses the command line
        option = Option(word, value)
        if name in _CONFIG_OPTIONS:
            create.config = option
        elif name == "--buildkitd-flags":
            create.flags = option
        elif name == "--driver":
            create.driver = option
        elif name == "--driver-opt":
            create.driver_opts.append(option)
    return create


__all__ = ["IGNORING_DRIVERS", "Create", "Option", "buildkit_image", "find_creates"]
