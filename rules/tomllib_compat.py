"""``tomllib`` on every supported Python: the standard library's from 3.11, its ``tomli``
backport (same API, a dependency only there) on 3.10."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the Python 3.10 run in .ci/run
    import tomli as tomllib

__all__ = ["tomllib"]
