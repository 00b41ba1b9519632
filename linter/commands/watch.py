"""`bklint check --watch`: check, then check again whenever a file below the paths changes.

File events come from the `watchfiles` package (Rust's notify, with a polling fallback),
imported only here; it is an optional dependency (``pip install '.[watch]'``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from bklint.linter.cli import UsageError


def watch(paths: list[str], check: Callable[[], int]) -> int:
    try:
        import watchfiles
    except ImportError:
        raise UsageError(
            "--watch needs the watchfiles package: install bklint with its `watch` extra "
            "(pip install '.[watch]' from a clone) or `pip install watchfiles`"
        ) from None
    roots = [p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths]
    print("bklint: watching for changes (Ctrl-C to stop)", file=sys.stderr)
    code = check()
    for changes in watchfiles.watch(*roots, raise_interrupt=False):
        names = sorted({os.path.relpath(path) for _, path in changes})
        print(f"\nbklint: {', '.join(names)} changed; checking again", file=sys.stderr)
        code = check()
    return code
