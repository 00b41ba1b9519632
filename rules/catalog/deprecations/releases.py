"""The BuildKit releases the deprecation rules compare a --target-version with."""

from __future__ import annotations

from bklint.rules.context import Context
from bklint.rules.schema.versions import Version


def targets_before(ctx: Context, version: Version) -> bool:
    t = ctx.target_version()
    return t is not None and t < version
