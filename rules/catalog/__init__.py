"""The rule catalog: every module here registers its rules on import."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every rule module, family packages included (once per process)."""
    for info in pkgutil.walk_packages(__path__, f"{__name__}."):
        importlib.import_module(info.name)
