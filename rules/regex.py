"""Regular expressions compiled on first use, not at import.

A run needs few of the patterns bklint holds (most belong to rules a file does not trigger,
to fixes never computed, to messages about rare mistakes), and compiling them all at import
cost `bklint check` more start-up time than any module. A module-level pattern is therefore a
``Regex``: it reads like ``re.compile`` and compiles the first time it matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The methods of a compiled pattern a ``Regex`` offers.
_METHODS = ("findall", "finditer", "fullmatch", "match", "search", "split", "sub")


class Regex:
    """``re.compile(pattern, flags)``, compiled on first use; ``pattern`` is there at once.

    Each method is a slot left empty until the first call: reading it then compiles the
    pattern (``__getattr__``) and fills every slot with the compiled pattern's own bound
    method, so from then on a match costs what ``re.Pattern.match`` costs (a wrapper method
    cost as much again, and the parser and decoder match tens of times per file).
    """

    __slots__ = ("_compiled", "flags", "pattern", *_METHODS)

    findall: Callable[..., list[Any]]
    finditer: Callable[..., Iterator[re.Match[str]]]
    fullmatch: Callable[..., re.Match[str] | None]
    match: Callable[..., re.Match[str] | None]
    search: Callable[..., re.Match[str] | None]
    split: Callable[..., list[str | Any]]
    sub: Callable[..., str]

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = compiled = re.compile(self.pattern, self.flags)
            for name in _METHODS:
                setattr(self, name, getattr(compiled, name))
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        """Only an unfilled method slot gets here: compile, which fills them all."""
        if name not in _METHODS:
            raise AttributeError(name)
        return getattr(self.compiled, name)

    def __repr__(self) -> str:
        return f"Regex({self.pattern!r})"
