"""The rule catalog: every module here registers its rules on import.

A run does not import them all. ``rules/catalog/index.py``, generated from the rule
classes (:func:`index_source`, ``bklint rules --output-format index``), names each rule's
module and what selection, filtering and triggers need, so the engine imports a module
only when one of its rules is enabled and the file holds what that rule looks at.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from bklint.rules.base import FLAGS_GIVEN, SETTINGS_TRIGGERS, TARGET_GIVEN, Rule, RuleRef, registered
from bklint.rules.catalog.index import RULES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.rules.context import RuleSettings
    from bklint.rules.document import Document, TomlNode


def refs() -> dict[str, RuleRef]:
    """Every rule of the catalog by code, in code order, without importing any."""
    return RULES


def load(code: str) -> type[Rule]:
    """The class of rule ``code``, importing its module on first use."""
    rule = registered().get(code)
    if rule is None:
        importlib.import_module(f"{__name__}.{RULES[code].module}")
        rule = registered()[code]
    return rule


def load_all() -> None:
    """Import every rule module, family packages included, whether the index names it or not
    (listings, docs, the index's own generation)."""
    import pkgutil

    for info in pkgutil.walk_packages(__path__, f"{__name__}."):
        importlib.import_module(info.name)


def given(settings: RuleSettings) -> frozenset[str]:
    """The triggers a run's settings hold rather than the file: daemon flags, a target release."""
    held = set()
    if settings.buildkitd_flags is not None:
        held.add(FLAGS_GIVEN)
    if settings.target_version:
        held.add(TARGET_GIVEN)
    return frozenset(held)


def triggered(ref: RuleRef, doc: Document | None, settings: frozenset[str], seen: dict[str, bool] | None = None) -> bool:
    """Whether a file may get findings from ``ref``: it has no triggers, or the file (or the
    run's settings, ``given``) holds one of them. ``seen`` keeps the answer per trigger for one file:
    many rules share a trigger, and `registry.*.ca` in a file without one visits every registry."""
    if not ref.triggers:
        return True
    for t in ref.triggers:
        found = seen.get(t) if seen is not None else None
        if found is None:
            found = holds(t, doc, settings)
            if seen is not None:
                seen[t] = found
        if found:
            return True
    return False


def finder(triggers: Iterable[str]) -> Callable[[Document | None, frozenset[str]], frozenset[str]]:
    """What answers, for one file, which of ``triggers`` it holds: the engine asks once per
    file for the triggers of every enabled rule, then picks the rules by set
    (``linter/run.py``). The triggers are taken apart once, and a file's keys are walked
    once, only down paths some trigger still matches (as ``has_path`` matches: names in any
    case, ``*`` for any name)."""
    names = dict.fromkeys(triggers)
    by_parts = {tuple(t.split(".")): t for t in names if t not in SETTINGS_TRIGGERS}
    from_settings = frozenset(t for t in names if t in SETTINGS_TRIGGERS)
    # Every leading part of a trigger: `registry`, `registry.*`, `registry.*.ca`.
    prefixes = {parts[:n] for parts in by_parts for n in range(1, len(parts) + 1)}

    def found(doc: Document | None, settings: frozenset[str]) -> frozenset[str]:
        held: set[str] = set()
        if doc is not None and prefixes:
            # A node, and the leading parts of triggers its path matches.
            stack: list[tuple[TomlNode, list[tuple[str, ...]]]] = [(doc.root, [()])]
            while stack:
                node, matched = stack.pop()
                for item in node.items or (node,):
                    for name, child in (item.children or {}).items():
                        low = name.lower()
                        deeper = [p for q in matched for p in ((*q, low), (*q, "*")) if p in prefixes]
                        if deeper:
                            held.update(by_parts[p] for p in deeper if p in by_parts)
                            stack.append((child, deeper))
        held.update(from_settings & settings)
        return frozenset(held)

    return found


def holds(trigger: str, doc: Document | None, settings: frozenset[str]) -> bool:
    """Whether a file (or the run's settings, ``given``) holds one trigger."""
    if trigger in SETTINGS_TRIGGERS:
        return trigger in settings
    return doc is not None and has_path(doc.root, trigger.split("."))


def has_path(node: TomlNode, parts: list[str]) -> bool:
    """Whether a key path (lower case, ``*`` for any name) is written below ``node``, in any
    case: the loader matches field names case-insensitively."""
    if not parts:
        return True
    head, rest = parts[0], parts[1:]
    for item in node.items or (node,):
        children = item.children
        if not children:
            continue
        if head != "*":
            if any(name.lower() == head and has_path(child, rest) for name, child in children.items()):
                return True
        elif len(rest) == 1:  # `registry.*.ca`: one level down, without a call per registry
            last = rest[0]
            for child in children.values():
                for sub in child.items or (child,):
                    if sub.children and any(name.lower() == last for name in sub.children):
                        return True
        elif any(has_path(child, rest) for child in children.values()):
            return True
    return False


def index_source(rules: Iterable[type[Rule]]) -> str:
    """The text of rules/catalog/index.py for these rule classes (all of them, in code order)."""
    lines = [
        '"""Every rule of the catalog, for the engine to select and load it without importing it.',
        "",
        "Generated by `bklint rules --output-format index > rules/catalog/index.py`; do not edit.",
        '"""',
        "",
        "from bklint.rules.base import RuleRef",
        "",
        "RULES = {",
    ]
    for r in rules:
        module = r.__module__.removeprefix(f"{__name__}.")
        ref = RuleRef(r.code, r.name, module, r.severity.label, r.fixable, tuple(r.options), tuple(r.triggers))
        lines.append(f"    {r.code!r}: {ref!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"
