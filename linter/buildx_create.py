"""What `docker buildx create` does with its options: the one model behind scripts and workflows.

Read from docker/buildx: ``commands/create.go`` (the options: ``--buildkitd-config`` and its
hidden alias ``--config`` write one variable, so the last one given wins; ``--driver-opt``
repeats), ``builder/builder.go`` (``csvToMap`` reads each ``--driver-opt`` as
comma-separated ``key=value`` pairs; ``parseBuildkitdFlags`` loads the config file, so a
missing one makes ``create`` fail), ``driver/docker/factory.go`` and
``driver/remote/factory.go`` (which drivers refuse a config file or daemon flags).

``find_creates`` reads `docker buildx create` command lines out of shell words
(``linter/shell_words.py``) and ``judge`` says what is wrong with one, wherever it was
written (a script, a workflow `run:` step); ``buildkit_image`` reads the BuildKit release a
driver-opt pins, for setup-buildx-action's `driver-opts` input as well.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator

from bklint.linter.shell_words import Word
from bklint.rules.record import Record
from bklint.rules.regex import Regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.linter.followed import FollowedConfig
    from bklint.linter.settings import Settings
    from bklint.rules.base import Finding, Span

# Where text offsets of the command's words are in the file being checked.
Place = Callable[[int, int], "Span"]

# buildx's BuildKit image (driver/bkimage) and a release tag on it: `v0.12.5`, `v0.12`, `v0.12.5-rootless`.
_BUILDKIT_IMAGE = Regex(r"^(?:docker\.io/)?moby/buildkit:(?P<tag>[^@\s]+)")
_RELEASE_TAG = Regex(r"^v(?P<version>\d+\.\d+(?:\.\d+)?)(?:-[\w.-]+)?$")
_ENTITLEMENT_FLAG = "--allow-insecure-entitlement"
NETWORK_HOST_FLAG = "--allow-insecure-entitlement=network.host"
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
_ASSIGNMENT = Regex(r"^[A-Za-z_][A-Za-z_0-9]*=")
# What a file must mention to hold a `buildx create` line (continuations included).
_MENTION = Regex(r"buildx[ \t]*(?:\\\r?\n[ \t]*)?create\b")


def mentions_create(text: str) -> bool:
    """Whether text may hold a `buildx create` command line (discovery reads nothing else)."""
    return _MENTION.search(text) is not None


def driver_opt_pairs(driver_opts: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Each `--driver-opt` (one line of the action's `driver-opts`) as buildx reads it:
    comma-separated `key=value` pairs, in order."""
    for opt in driver_opts:
        for pair in opt.split(","):
            key, _, value = pair.strip().partition("=")
            yield key.strip(), value.strip()


def added_flag(flags: str, driver: str, driver_opts: Iterable[str], config_allows_host: Callable[[], bool]) -> str:
    """The flag `buildx create` appends to the daemon flags ("" for none).

    builder/builder.go ``parseBuildkitdFlags`` (v0.13+; the config check since v0.18): a
    docker-container builder with the `network=host` driver-opt gets
    `--allow-insecure-entitlement=network.host` unless the flags allow network.host; else a
    docker-container or kubernetes builder gets it when the flags allow no entitlement at all
    and the config does not allow network.host. buildkitd then takes the flags' list instead
    of the config's `insecure-entitlements` (what BK511 is about). No driver named means
    docker-container, the driver `create` picks.
    """
    from bklint.rules.daemon_flags.command_line import split_flags

    driver = driver or "docker-container"
    words = [t.text for t in split_flags(flags).tokens]
    allowed = [w.partition("=")[2] for w in words if w.startswith(_ENTITLEMENT_FLAG + "=")]
    allowed += [b for a, b in itertools.pairwise(words) if a == _ENTITLEMENT_FLAG]
    opts = set(driver_opt_pairs(driver_opts))
    if ("network", "host") in opts and "network.host" not in allowed and driver == "docker-container":
        return NETWORK_HOST_FLAG
    if not allowed and driver in ("docker-container", "kubernetes") and not config_allows_host():
        return NETWORK_HOST_FLAG
    return ""


def rootless_kubernetes_skips_config(driver: str, driver_opts: Iterable[str], flags: str | None) -> str:
    """Why a kubernetes builder with `rootless=true` never reads its config ("" when it does).

    docker/buildx driver/kubernetes: the config goes into a ConfigMap mounted at
    /etc/buildkit/buildkitd.toml and the pod's args are the daemon flags alone (no `--config`,
    unlike driver/docker-container, which appends one); `rootless=true` runs the rootless image,
    where buildkitd (cmd/buildkitd/main.go ``defaultConfigPath``) reads
    ~/.config/buildkit/buildkitd.toml instead. So the file is ignored unless the flags name it.
    """
    if driver != "kubernetes":
        return ""
    from bklint.rules.daemon_flags.command_line import parse_flags
    from bklint.rules.daemon_flags.flag_values import go_parse_bool

    if not any(key == "rootless" and go_parse_bool(value) for key, value in driver_opt_pairs(driver_opts)):
        return ""
    if flags is not None and parse_flags(flags).is_set("config"):
        return ""
    return (
        "the kubernetes driver with `rootless=true` mounts this config at /etc/buildkit/buildkitd.toml, "
        "but rootless buildkitd reads ~/.config/buildkit/buildkitd.toml, so the config is never applied; "
        "add `--config /etc/buildkit/buildkitd.toml` to the buildkitd flags"
    )


def buildkit_image(opts: Iterable[str]) -> tuple[str, str | None]:
    """The `image=moby/buildkit:<tag>` driver-opt and the release it pins ("" = the newest).

    Each item is one `--driver-opt` (one line of the action's `driver-opts`), read as
    comma-separated key=value pairs; None when no BuildKit image is named.
    """
    for key, value in driver_opt_pairs(opts):
        if key != "image" or not (m := _BUILDKIT_IMAGE.match(value)):
            continue
        tag = _RELEASE_TAG.match(m.group("tag"))
        return f"image={value}", (f"v{tag.group('version')}" if tag else "")
    return "", None


class Option(Record):
    """One option as written: the option word, and the word holding its value."""

    __slots__ = ("flag", "value")

    flag: Word
    value: Word

    def __init__(self, flag: Word, value: Word) -> None:
        self.flag = flag
        self.value = value

    @property
    def name(self) -> str:
        return self.flag.value.partition("=")[0]


class Create(Record):
    """One `docker buildx create` command line."""

    __slots__ = ("config", "driver", "driver_opts", "flags", "words")

    words: list[Word]  # from the `docker` (or `buildx`) word to the end of the command
    config: Option | None
    flags: Option | None
    driver: Option | None
    driver_opts: list[Option]

    def __init__(
        self,
        words: list[Word],
        config: Option | None = None,
        flags: Option | None = None,
        driver: Option | None = None,
        driver_opts: list[Option] | None = None,
    ) -> None:
        self.words = words
        self.config = config
        self.flags = flags
        self.driver = driver
        self.driver_opts = [] if driver_opts is None else driver_opts

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


def judge(
    create: Create, place: Place, by: str, settings: Settings, workdir: str | None = None
) -> tuple[list[Finding], list[FollowedConfig]]:
    """The findings about one command line (at ``place``), and the config it hands the builder.

    ``by`` is the file the command is in; ``workdir`` where it runs, relative to the
    repository root (None: the folder of ``by``; see ``followed.locate``).
    """
    from bklint.linter.followed import BuilderContext, FollowedConfig, locate, missing
    from bklint.rules.catalog.embedding import DriverIgnoresConfig

    driver = create.driver_name
    out: list[Finding] = []
    flags = create.flags.value.value if create.flags is not None and not create.flags.value.expanded else None
    if driver in IGNORING_DRIVERS:
        for option in (create.config, create.flags):
            if option is not None:
                span = place(option.flag.start, option.value.end)
                out.append(DriverIgnoresConfig.finding(_ignored(driver, option), span))
        return out, []
    if create.flags is not None and flags is not None:
        out.extend(_flag_findings(create.flags.value, flags, place, by, settings))
    config = create.config
    if config is not None and (create.flags is None or flags is not None):
        known = [o.value.value for o in create.driver_opts if not o.value.expanded]
        skipped = rootless_kubernetes_skips_config(driver, known, flags)
        if skipped:
            out.append(DriverIgnoresConfig.finding(f"`{config.name}`: {skipped}", place(config.flag.start, config.value.end)))
    if config is None or config.value.expanded or not config.value.value:
        return out, []
    written = config.value.value
    span = place(config.value.start, config.value.end)
    found, looked = locate(written, by, settings, workdir)
    if found is None:
        out.append(missing(written, looked, span, f"`{config.name}`"))
        return out, []
    image, version = create.image()
    opts = tuple(o.value.value for o in create.driver_opts if not o.value.expanded)
    builder = BuilderContext(flags, image, version, "--driver-opt", driver=driver, driver_opts=opts)
    note = f"`docker buildx create {config.name}` names this config here"
    return out, [FollowedConfig(found, builder, by, span, note, flags_reported=flags is not None)]


def _flag_findings(word: Word, flags: str, place: Place, by: str, settings: Settings) -> list[Finding]:
    """The daemon-flag rules on `--buildkitd-flags`, each on the words it is about."""
    from bklint.linter.run import lint_flags

    out = []
    for finding in lint_flags(flags, by, settings):
        start, end = word.offsets(*finding.flags_span) if finding.flags_span is not None else (word.start, word.end)
        out.append(finding.evolve(span=place(start, end), fix=None, related=()))
    return out


def _ignored(driver: str, option: Option) -> str:
    if driver == "docker":
        what = (
            'buildx refuses a config file for it ("setting config file is not supported for docker driver")'
            if option.name != "--buildkitd-flags"
            else "`--buildkitd-flags` is never applied"
        )
        return (
            f"`--driver docker` uses the Docker daemon's own BuildKit: {what}; set registry mirrors as "
            "`registry-mirrors` and plain-HTTP registries as `insecure-registries` in the daemon's daemon.json instead"
        )
    what = "buildkit flags" if option.name == "--buildkitd-flags" else "config file"
    return (
        f"`--driver remote` connects to a running buildkitd: buildx refuses `{option.name}` (\"setting {what} "
        "is not supported for remote driver\"); configure that daemon where it runs"
    )


__all__ = [
    "IGNORING_DRIVERS",
    "NETWORK_HOST_FLAG",
    "Create",
    "Option",
    "added_flag",
    "buildkit_image",
    "find_creates",
    "judge",
    "mentions_create",
    "rootless_kubernetes_skips_config",
]
