"""The rule catalog: every module here registers its rules on import."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every rule module (cheap: a few small modules, once per process)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
