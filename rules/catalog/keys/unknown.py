"""BK101, BK103: keys buildkitd does not know, or knows only in another table."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules import restructure
from bklint.rules.base import Finding, ParsedRule, Severity, register
from bklint.rules.catalog.deprecations.tables import is_ghacache
from bklint.rules.catalog.keys.diagnosis import (
    FUZZY_LIMIT,
    IGNORED,
    diagnose,
    elsewhere,
    unknown_issues,
    unquoted_dotted,
)
from bklint.rules.context import Context
from bklint.rules.document import Document, format_path
from bklint.rules.schema.decode import Decoded, Issue, misfit
from bklint.rules.schema.nodes import go_lower


@register
class UnknownKey(ParsedRule):
    """Checks for keys and tables buildkitd does not know.

    **Why**: buildkitd decodes its config without strict mode, so a misspelt or invented
    key (`max_parallelism`, `mirror`, `insecure-registries`, `[registry."x".credentials]`)
    is dropped without a warning and the setting silently does not apply. Even BuildKit's
    documented full example contains such a table (`[ghacache]`).

    The message suggests the key that was most likely meant: the same name with other
    separators or case, a known alias, or a close spelling.

    **Bad**
    ```toml
    [worker.oci]
    max_parallelism = 4
    ```

    **Good**
    ```toml
    [worker.oci]
    max-parallelism = 4
    ```

    **Fix**: rename the key — safe when only separators or case differ, unsafe for a
    guessed spelling.
    """

    code = "BK101"
    name = "unknown-key"
    summary = "A key or table buildkitd does not know and silently ignores"
    severity = Severity.WARNING
    scope = "table"  # each key judged by the schema and its own statement…

    def judges_alone(self, decoded: Decoded) -> bool:
        """…except that fuzzy suggestions stop after the file's first FUZZY_LIMIT unknown keys."""
        return sum(1 for _ in unknown_issues(decoded)) < FUZZY_LIMIT
    fixable = True
    fix_examples = (
        "[worker.oci]\nmax_parallelism = 4 # keep\n",
        '[registry."r.io"]\r\nmirror = ["m.io"]\r\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for n, issue in enumerate(unknown_issues(decoded)):
            if unquoted_dotted(issue, doc) or (issue.parent is not None and elsewhere(issue) and not _local(issue)):
                continue
            if is_ghacache(issue):
                continue  # BK404 (deprecations.py) reports the upstream docs' [ghacache] table, with a fix
            diag = diagnose(issue, fuzzy=n < FUZZY_LIMIT)
            message, fix = diag.message, None
            if (
                diag.rename
                and issue.node.key_start >= 0
                and not isinstance(issue.path[-1], int)
                and not _already_set(doc, issue, diag.rename)
            ):
                why = _misfit(doc, issue, diag.rename)
                if why is None:
                    fix = restructure.rename_fix(doc, issue.path, diag.rename, safe=diag.safe)
                else:
                    message += f" (`{diag.rename}` {why}, so the value must change too)"
            yield self.finding(message, doc.span(*issue.anchor), fix=fix)


def _misfit(doc: Document, issue: Issue, name: str) -> str | None:
    """Why the value would be refused under ``name`` (a suggestion must not lead to a type error)."""
    target = issue.parent.fields.get(name) if issue.parent is not None else None
    if target is None:
        return "is not in this table"
    try:
        value = restructure.lookup(doc.data, issue.path)
    except (KeyError, IndexError, TypeError):
        return "cannot be checked here"
    return misfit(doc, target, issue.node, value)


def _already_set(doc: Document, issue: Issue, name: str) -> bool:
    """Renaming onto a key the table already has would define it twice."""
    parent = doc.find(*issue.path[:-1])
    siblings = parent.children if parent is not None and parent.children else {}
    return any(go_lower(key) == go_lower(name) for key in siblings)


def _local(issue: Issue) -> bool:
    """True when the parent table itself has a close match, so the key is a typo, not misplaced."""
    return diagnose(issue).rename is not None


@register
class KeyInWrongTable(ParsedRule):
    """Checks for known keys placed in a table where buildkitd does not look for them.

    **Why**: `max-parallelism` at the top level or under `[worker]`, `mirrors` outside a
    registry table, `debug` under `[log]`: the name is right but the table is wrong, so the
    loader ignores the key and the limit or mirror never applies.

    **Bad**
    ```toml
    max-parallelism = 4
    ```

    **Good**
    ```toml
    [worker.oci]
    max-parallelism = 4
    ```
    """

    code = "BK103"
    name = "key-in-wrong-table"
    summary = "A known key in a table where buildkitd ignores it"
    severity = Severity.WARNING
    scope = "table"  # each key judged by the schema and its own statement

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in unknown_issues(decoded):
            if issue.parent is None or unquoted_dotted(issue, doc) or _local(issue):
                continue
            places = elsewhere(issue)
            if not places:
                continue
            here = _table_name(issue.path[:-1])
            where = " or ".join(_table_of(p, str(issue.path[-1])) for p in places)
            extra = ""
            if str(issue.path[-1]).lower() == "debug" and issue.path[0] == "log":
                extra = ' (in `[log]` the key is `level = "debug"`)'
            yield self.finding(
                f"`{issue.path[-1]}` is not read in {here}; {IGNORED}. It belongs in {where}{extra}",
                doc.span(*issue.anchor),
            )


def _table_name(path: tuple[str | int, ...]) -> str:
    if not path:
        return "the top level"
    if isinstance(path[-1], int):
        return f"`[[{format_path(path[:-1])}]]` #{path[-1] + 1}"
    return f"`[{format_path(path)}]`"


def _table_of(path: str, written: str) -> str:
    """`worker.oci.networkMode` -> "`[worker.oci]` (as `networkMode`)"; the name only when it differs."""
    if path.startswith("[["):
        return f"`{path}`"
    table, key = path.rsplit(".", 1) if "." in path.replace('"<host>"', "host") else ("", path)
    if not table:
        place = "the top level"
    else:
        place = f"`[[{table[:-2]}]]`" if table.endswith("[]") else f"`[{table}]`"
    return place if key == written else f"{place} (as `{key}`)"
