"""Value semantics for the project's plain record classes.

The records of the lint path (findings, parse results, schema nodes, settings…) are written
out as ``__slots__`` classes with their own ``__init__`` instead of ``@dataclass`` or
``NamedTuple``: both build methods from source text when the class is created, which made
up the largest share of ``bklint check``'s start-up (issue 15). A record inherits equality,
``repr`` and ``evolve`` from here; its fields are the ``__slots__`` of its classes, base first.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from typing_extensions import Self


_FIELDS: dict[type, tuple[str, ...]] = {}


def fields(cls: type) -> tuple[str, ...]:
    """The fields of a record class: every ``__slots__`` along its bases, base first."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(
            name for klass in reversed(cls.__mro__) for name in klass.__dict__.get("__slots__", ())
        )
    return found


class Record:
    """Mutable record: equal when of the same class with equal fields; not hashable
    (defining ``__eq__`` alone sets ``__hash__`` to None)."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in fields(self.__class__)])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields(self.__class__))
        return f"{self.__class__.__name__}({inner})"

    def evolve(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied (``dataclasses.replace``)."""
        new = self.__class__.__new__(self.__class__)
        for name in fields(self.__class__):
            object.__setattr__(new, name, changes.pop(name) if name in changes else getattr(self, name))
        if changes:
            raise TypeError(f"{self.__class__.__name__} has no field {next(iter(changes))!r}")
        return new


class FrozenRecord(Record):
    """A record nobody changes after building it, so it can be a dict key."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())
