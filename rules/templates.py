"""What counts as an unrendered template placeholder: the one notion every value rule shares.

Configs are often kept as templates (envsubst, Helm, Go templates, Actions, Windows batch,
documentation stand-ins like `<NEXUS_HOST>`). buildkitd never sees such a value as written,
so no rule may judge it: one definition here keeps registry, DNS, network and size rules in step.
"""

from __future__ import annotations

import functools

from bklint.rules.regex import Regex

# `${VAR}`, `$VAR`, `{{ .Values.x }}` / `${{ inputs.x }}`, `<NEXUS_HOST>`, `%VAR%`.
_PLACEHOLDER = Regex(r"\$\{|\$[A-Za-z_]|\{\{|<[^<>\s]+>|%[A-Za-z_][A-Za-z0-9_]*%")


@functools.lru_cache(maxsize=8192)
def templated(text: str) -> bool:
    """True when `text` holds a template placeholder rather than a value buildkitd would read."""
    if "$" not in text and "{" not in text and "<" not in text and "%" not in text:
        return False  # no placeholder can start: spares compiling the pattern for most files
    return _PLACEHOLDER.search(text) is not None
