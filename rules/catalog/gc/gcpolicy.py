"""The gcpolicy rules of each worker and their sizes, as ``getGCPolicy`` reads them."""

from __future__ import annotations

from bklint.rules.document import TomlNode
from bklint.rules.record import FrozenRecord
from bklint.rules.schema.decode import Decoded, Entry
from bklint.rules.schema.tree import WORKERS
from bklint.rules.schema.values import DiskSpace

SIZES = ("reservedSpace", "maxUsedSpace", "minFreeSpace")


class GCRule(FrozenRecord):
    __slots__ = ("complete", "index", "node", "worker")

    worker: str
    index: int
    node: TomlNode
    # False when the parse could not read all of it: judge what it has, never what it lacks
    # (a size lost to a syntax error is not a rule without a size).
    complete: bool

    def __init__(self, worker: str, index: int, node: TomlNode, complete: bool = True) -> None:
        self.worker = worker
        self.index = index
        self.node = node
        self.complete = complete

    def path(self, key: str) -> tuple[str | int, ...]:
        return ("worker", self.worker, "gcpolicy", self.index, key)


def gc_rules(decoded: Decoded, worker: str) -> list[GCRule]:
    """The worker's GC rules in order, found once per decode (a dozen rules ask, and the
    tables of a file with hundreds of registries are many)."""
    found: list[GCRule] | None = decoded.memo.get(("gc.rules", worker))
    if found is None:
        found = decoded.memo[("gc.rules", worker)] = _gc_rules(decoded, worker)
    return found


def _gc_rules(decoded: Decoded, worker: str) -> list[GCRule]:
    out = []
    for path, nodes in decoded.tables.items():
        if (
            len(path) == 4
            and path[:3] == ("worker", worker, "gcpolicy")
            and isinstance(path[3], int)
            and nodes
        ):
            out.append(GCRule(worker, path[3], nodes[0], path not in decoded.incomplete))
    return sorted(out, key=lambda r: r.index)


def size_at(decoded: Decoded, path: tuple[str | int, ...]) -> DiskSpace | None:
    entry = decoded.entries.get(path)
    if entry is None or not isinstance(entry.value, DiskSpace) or not entry.value.is_set:
        return None
    return entry.value


def policy_label(rule: GCRule) -> str:
    return f"`[[worker.{rule.worker}.gcpolicy]]` #{rule.index + 1}"


def size_entries(decoded: Decoded) -> list[Entry]:
    """Every size set under a worker, found once per decode (four rules ask; shared: do not
    change the list)."""
    found: list[Entry] | None = decoded.memo.get("gc.sizes")
    if found is None:
        found = decoded.memo["gc.sizes"] = [
            entry
            for worker in WORKERS
            for entry in decoded.under("worker", worker)
            if isinstance(entry.value, DiskSpace) and entry.value.is_set
        ]
    return found


def gc_off(decoded: Decoded, worker: str) -> bool:
    return decoded.value("worker", worker, "gc") is False
