"""BK6xx: how a config embedded in a CI workflow reaches the builder.

These findings are about the YAML around the config (setup-buildx-action inputs), not the
TOML inside it; ``bklint.linter.embedded`` produces them while it extracts the config.
The classes live in the catalog so selection, `bklint rule` and SARIF metadata see them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import EMBEDDING, Finding, Rule, Severity, register
from bklint.rules.context import Context


@register
class RemovedActionInput(Rule):
    """Checks for the old `config` / `config-inline` inputs of docker/setup-buildx-action.

    **Why**: setup-buildx-action v3.2.0 renamed them to `buildkitd-config` and
    `buildkitd-config-inline`, and v4.0.0 removed the old names. Under v4 GitHub only warns
    "Unexpected input(s)" and the builder starts **without** the config, so mirrors,
    insecure registries and GC settings silently stop applying. Before v3.2 the old names are
    the only ones, so the finding is a hint there; on v3.2–v3.x it is a deprecation warning.

    **Bad**
    ```yaml
    - uses: docker/setup-buildx-action@v4
      with:
        config-inline: |
          debug = true
    ```

    **Good**
    ```yaml
    - uses: docker/setup-buildx-action@v4
      with:
        buildkitd-config-inline: |
          debug = true
    ```

    **Fix**: rename the input. Safe on v3.2–v3.x (same behaviour); unsafe on v4 or an
    unrecognised ref, because the config starts to apply. Not offered before v3.2, where
    the new name does not exist.
    """

    code = "BK601"
    name = "removed-action-input"
    triggers = (EMBEDDING,)
    summary = "setup-buildx-action `config`/`config-inline` input (renamed in v3.2, removed in v4)"
    severity = Severity.WARNING
    fixable = True

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()


@register
class InlineConfigIgnored(Rule):
    """Checks that a setup-buildx-action step does not set both a config file and an inline config.

    **Why**: when `buildkitd-config` (a path) and `buildkitd-config-inline` are both given,
    the action passes only the file to `docker buildx create`; the inline TOML is dropped
    without a message.

    **Bad**
    ```yaml
    with:
      buildkitd-config: .github/buildkitd.toml
      buildkitd-config-inline: |
        debug = true
    ```

    **Good**: keep one of the two (merge the inline settings into the file).
    """

    code = "BK602"
    name = "inline-config-ignored"
    triggers = (EMBEDDING,)
    summary = "setup-buildx-action step sets both a config file and an inline config; the inline one is ignored"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()


@register
class InvalidEmbeddingYaml(Rule):
    """Reports a YAML file named for checking that bklint cannot parse.

    **Why**: the embedded buildkitd config can only be found in a YAML file that parses; a
    broken workflow or manifest also fails in GitHub Actions or `kubectl apply` before any
    builder starts. Files found by directory discovery that do not parse (for example Helm
    templates with `{{ }}` blocks) are skipped silently instead.
    """

    code = "BK603"
    name = "invalid-yaml"
    triggers = (EMBEDDING,)
    summary = "A YAML file given to bklint is not valid YAML; embedded configs cannot be checked"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()


@register
class DriverIgnoresConfig(Rule):
    """Checks for a buildkitd config or daemon flags given to a driver that never applies them.

    **Why**: with `driver: docker`, docker/setup-buildx-action creates no builder at all
    (`src/main.ts` skips `buildx create` for that driver), so the inline config, the config
    file and `buildkitd-flags` are silently dropped; the Docker daemon's embedded BuildKit
    takes registry settings from daemon.json (`registry-mirrors`, `insecure-registries`), and
    `docker buildx create --driver docker --config …` fails with "setting config file is not
    supported for docker driver, use dockerd configuration file" (docker/buildx
    `driver/docker/factory.go`). With `driver: remote` buildx refuses both a config file and
    buildkit flags (`driver/remote/factory.go`): the daemon at the endpoint is configured
    where it runs. The kubernetes driver applies both (as a ConfigMap and container args),
    except that with the driver-opt `rootless=true` the config is mounted at
    /etc/buildkit/buildkitd.toml and no `--config` flag is added (`driver/kubernetes/manifest`;
    `driver/docker-container` does add one), while rootless buildkitd reads
    ~/.config/buildkit/buildkitd.toml (moby/buildkit `cmd/buildkitd/main.go`
    ``defaultConfigPath``): that config is reported unless the flags name it with `--config`.
    The same holds for `docker buildx create --driver docker|remote --config …` or
    `--buildkitd-flags …` in a shell script, Makefile or justfile (the docker driver never
    reads the flags: only `driver/docker-container` and `driver/kubernetes` use them).

    **Bad**
    ```yaml
    - uses: docker/setup-buildx-action@v3
      with:
        driver: docker
        buildkitd-config-inline: |
          [registry."docker.io"]
            mirrors = ["mirror.gcr.io"]
    ```

    **Good**: use the default `docker-container` driver, or move the setting to daemon.json.
    """

    code = "BK604"
    name = "driver-ignores-config"
    triggers = (EMBEDDING,)
    summary = "A buildkitd config or buildkitd-flags given to a driver (docker, remote) that never applies them"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()
