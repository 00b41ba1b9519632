"""The one lint path every front end calls: bytes or text in, findings out."""

from __future__ import annotations

from bklint.linter import noqa
from bklint.linter.findings import apply as filter_findings
from bklint.linter.findings import enabled_rules
from bklint.linter.parse import ParseOutcome, parse
from bklint.linter.settings import Settings
from bklint.linter.source import decode_bytes
from bklint.rules.base import Finding, Rule, RuleRef
from bklint.rules.catalog import finder, given, load, refs
from bklint.rules.catalog.meta import InternalError
from bklint.rules.context import Context, SourceText
from bklint.rules.document import Document
from bklint.rules.record import Record
from bklint.rules.schema.decode import Decoded, decode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from bklint.linter.followed import FollowedConfig
    from bklint.linter.incremental import ParseCache
    from bklint.linter.per_table import Table

_INSTANCES: dict[str, Rule] = {}


def instance(code: str) -> Rule:
    """The one instance of rule ``code`` (its module is imported on first use)."""
    rule = _INSTANCES.get(code)
    if rule is None:
        rule = _INSTANCES[code] = load(code)()
    return rule


def rules() -> list[Rule]:
    """Every rule of the catalog, in code order (this imports them all)."""
    return [instance(code) for code in refs()]


_ENABLED: dict[int, tuple[Settings, list[RuleRef]]] = {}


def enabled_refs(settings: Settings, path: str | None) -> list[RuleRef]:
    """The enabled rules, computed once per settings object unless per-file ignores apply."""
    if settings.per_file_ignores:
        return enabled_rules(refs().values(), settings, path)
    cached = _ENABLED.get(id(settings))
    if cached is None or cached[0] is not settings:
        if len(_ENABLED) > 64:  # a long-running server makes new settings on every change
            _ENABLED.clear()
        cached = (settings, enabled_rules(refs().values(), settings, None))
        _ENABLED[id(settings)] = cached
    return cached[1]


# Per list of enabled rules (``enabled_refs`` keeps one per settings): what finds the triggers
# of its rules a file holds, and the active rules for each set of them. Files of a run hold
# few distinct sets, so choosing a file's rules is one look-up, not a test per rule.
_PLANS: dict[
    int,
    tuple[list[RuleRef], Callable[[Document | None, frozenset[str]], frozenset[str]], dict[frozenset[str], list[Rule]]],
] = {}


def active_rules(settings: Settings, path: str | None, ctx: Context | None = None) -> list[Rule]:
    """The enabled rules that may judge ``ctx`` (all enabled ones without it): a rule whose
    triggers the file lacks says nothing about it, and is not even imported. The list is
    shared between files: callers must not change it."""
    enabled = enabled_refs(settings, path)
    if ctx is None:
        return [instance(ref.code) for ref in enabled]
    plan = _PLANS.get(id(enabled))
    if plan is None or plan[0] is not enabled:
        if len(_PLANS) > 64:  # per-file ignores make a list per file
            _PLANS.clear()
        plan = _PLANS[id(enabled)] = (enabled, finder(t for ref in enabled for t in ref.triggers), {})
    found = plan[1](ctx.doc, given(ctx.settings))
    active = plan[2].get(found)
    if active is None:
        active = plan[2][found] = [
            instance(ref.code) for ref in enabled if not ref.triggers or not found.isdisjoint(ref.triggers)
        ]
    return active


class LintResult(Record):
    __slots__ = ("context", "doc", "findings", "followed", "path", "source")

    path: str | None
    source: SourceText
    findings: list[Finding]
    doc: Document | None
    context: Context | None
    # Config files this file hands to a builder (a script's `--config`), linted by the
    # caller once every file of the run is final (linter/followed.py).
    followed: list[FollowedConfig]

    def __init__(
        self,
        path: str | None,
        source: SourceText,
        findings: list[Finding] | None = None,
        doc: Document | None = None,
        context: Context | None = None,
        followed: list[FollowedConfig] | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.findings = [] if findings is None else findings
        self.doc = doc
        self.context = context
        self.followed = [] if followed is None else followed

    @property
    def text(self) -> str:
        return self.source.text


def lint_bytes(data: bytes, path: str | None, settings: Settings) -> LintResult:
    return lint_source(decode_bytes(data), path, settings)


def lint_text(text: str, path: str | None, settings: Settings, cache: ParseCache | None = None) -> LintResult:
    """For editors, whose buffers are already text (a BOM is not part of it).

    ``cache`` (one per open document) lets a keystroke re-parse only the table it touched.
    """
    return lint_source(SourceText(text), path, settings, cache)


def lint_source(
    source: SourceText, path: str | None, settings: Settings, cache: ParseCache | None = None
) -> LintResult:
    raw: list[Finding] = []
    split: tuple[list[Table], Context] | None = None
    try:
        ctx, split = _context(source, path, settings, cache)
    except Exception as exc:  # a parser bug: say so, and let the text-level rules still run
        ctx = Context(path=path, source=source, settings=settings.rules)
        raw.append(InternalError.of("the parse", exc))
    active = _triggered(settings, path, ctx, cache)
    alone: dict[str, list[Table]] = {}
    if split is not None and ctx.decoded is not None:
        tables = split[0]
        by_table = [r for r in active if r.scope == "table" and r.judges_alone(ctx.decoded)]
        codes = tuple(r.code for r in by_table)
        for table in tables:
            table.judge(by_table, codes, ctx)
        found = [t for t in tables if t.found]
        alone = {code: found for code in codes if not any(t.failed and code not in t.findings for t in found)}
    for rule in active:
        try:
            if rule.code in alone and split is not None:
                raw.extend(rule.check(split[1]))
                for table in alone[rule.code]:
                    raw.extend(table.findings[rule.code])
            else:
                raw.extend(rule.check(ctx))
        except Exception as exc:  # one rule's bug must not take the others' findings with it
            raw.append(InternalError.of(type(rule).code, exc))
    try:
        directives = noqa.parse_directives(ctx.source.text, ctx.doc)
    except Exception as exc:
        directives = []
        raw.append(InternalError.of("the noqa comments", exc))
    return LintResult(path, source, filter_findings(raw, settings, path, directives), ctx.doc, ctx)


def _triggered(settings: Settings, path: str | None, ctx: Context, cache: ParseCache | None) -> list[Rule]:
    """``active_rules``, or on a keystroke inside one table (``ParseCache.changed``) the
    previous version's when that table triggers no rule outside them: a rule the file no
    longer triggers may run then, and says nothing (every rule is held to its triggers,
    tests/engine/test_triggers.py), so the findings are the same."""
    if cache is None or ctx.doc is None:
        return active_rules(settings, path, ctx)
    kept = cache.rules
    if kept is not None and kept[0] is settings and kept[1] == path and cache.changed is not None:
        if cache.same_keys:
            return kept[2]
        alone = Document("", {}, cache.parts[cache.changed][2], [0])  # the table's keys, nothing else
        known = {id(rule) for rule in kept[2]}
        local = active_rules(settings, path, Context(path, ctx.source, ctx.settings, doc=alone))
        if all(id(rule) in known for rule in local):
            return kept[2]
    active = active_rules(settings, path, ctx)
    cache.rules = (settings, path, active)
    return active


def lint_flags(flags: str, path: str | None, settings: Settings) -> list[Finding]:
    """Every rule on a daemon-flags string with no config file (a workflow's `buildkitd-flags`
    input). Without a file the rules that judge a parsed one have nothing to say, so the
    findings are those about the flags, each with ``flags_span`` pointing into ``flags``.
    Unfiltered: the caller passes them through the finding filter with the rest of its file."""
    own = settings.copy()
    own.rules.buildkitd_flags = flags
    ctx = Context(path=path, source=SourceText(""), settings=own.rules)
    return [finding for rule in rules() for finding in rule.check(ctx)]


def build_context(
    source: SourceText, path: str | None, settings: Settings, cache: ParseCache | None = None
) -> Context:
    return _context(source, path, settings, cache)[0]


def _context(
    source: SourceText, path: str | None, settings: Settings, cache: ParseCache | None
) -> tuple[Context, tuple[list[Table], Context] | None]:
    """The context of the whole file and, when the server's cache lets the file be split
    (linter/per_table.py), its standalone tables and the context of the rest of the file."""
    ctx = Context(path=path, source=source, settings=settings.rules)
    if not source.readable:
        return ctx, None
    if cache is not None:
        from bklint.linter.incremental import parse_cached

        outcome = parse_cached(source.text, cache)
    else:
        outcome = parse(source.text)
    ctx.syntax = outcome.problems
    if outcome.doc is None:
        return ctx, None
    ctx.doc = outcome.doc
    if cache is not None:
        from bklint.linter import per_table

        tables = per_table.split(outcome.doc, cache)
        if tables is not None:
            ctx.decoded, rest_decoded = per_table.decode_with(outcome.doc, tables, cache)
            rest = Context(path=path, source=source, settings=settings.rules, syntax=ctx.syntax, doc=ctx.doc)
            rest.decoded = rest_decoded
            return ctx, (tables, rest)
    decoded = decode(outcome.doc)
    if outcome.masked or outcome.unfinished:
        _drop_masked(decoded, outcome)
    ctx.decoded = decoded
    return ctx, None


def _drop_masked(decoded: Decoded, outcome: ParseOutcome) -> None:
    """What syntax recovery could not read must not produce findings or values.

    A statement followed by stray text was read: what the loader says of it stays, but its
    value is no config anyone meant (`10GB` read as `10`), so no rule judges it.
    """
    hidden, cut = outcome.hides, outcome.cuts
    decoded.issues = [i for i in decoded.issues if i.kind == "unknown" or not hidden(i.anchor[0])]
    for path in [p for p, e in decoded.entries.items() if hidden(e.node.value_start) or cut(e.node.value_start)]:
        del decoded.entries[path]
    broken = {id(node) for node in outcome.incomplete}
    decoded.incomplete = {p for p, nodes in decoded.tables.items() if any(id(n) in broken for n in nodes)}
