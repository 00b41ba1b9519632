"""Where buildx looks for the buildkitd config it applies to every new builder.

``docker buildx create`` without ``--buildkitd-config`` uses ``buildkitd.default.toml`` in
buildx's config directory when that file exists (docker/buildx ``builder/builder.go``
``Create`` and ``util/confutil/config.go`` ``BuildKitConfigFile``). The directory is
``$BUILDX_CONFIG`` when set, else ``buildx`` next to the Docker CLI config file:
``$DOCKER_CONFIG/buildx``, else ``~/.docker/buildx`` (docker/cli ``cli/config/config.go``
``Dir``). It is one location, not a search: a set ``$BUILDX_CONFIG`` hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

FILE_NAME = "buildkitd.default.toml"


def config_dir(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """buildx's config directory and what chose it (for messages)."""
    env = os.environ if env is None else env
    if env.get("BUILDX_CONFIG"):
        return env["BUILDX_CONFIG"], "$BUILDX_CONFIG"
    if env.get("DOCKER_CONFIG"):
        return os.path.join(env["DOCKER_CONFIG"], "buildx"), "$DOCKER_CONFIG/buildx"
    home = env.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".docker", "buildx"), "~/.docker/buildx"


def default_config(env: Mapping[str, str] | None = None) -> tuple[str, str, bool]:
    """The file buildx would apply on this machine, the rule that chose it, and whether it exists."""
    directory, why = config_dir(env)
    path = os.path.join(directory, FILE_NAME)
    return path, why, os.path.isfile(path)
