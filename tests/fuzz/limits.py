"""A generous wall-clock bound per fuzz input: it stops a runaway input, it does not time normal ones.

The bound is far above any input's normal cost (milliseconds) so a loaded CI machine never
trips it; what it catches is the quadratic or exponential blow-up that would otherwise hang
the suite. Main thread only (SIGALRM); elsewhere it does nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

DEADLINE = 20.0


class Runaway(Exception):
    """An input took longer than the deadline."""


@contextlib.contextmanager
def bounded(seconds: float = DEADLINE, what: str = "input") -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Runaway(f"{what} took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
