"""Code actions: the finding's own fix, a `# noqa` for the line, and fix-all for the file.

Every edit comes from the engine — ``Finding.fix`` for quick fixes, ``linter.noqa`` for the
suppression comment, ``linter.fix`` for fix-all — and passes the engine's one test
(``linter.fix.judge``, as in ``bklint check --fix``) before it is offered: an edit that would
break the file or delete a comment is never shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from bklint.linter.noqa import noqa_edit
from bklint.lsp.analysis import SOURCE, Analysis
from bklint.rules.base import Edit, Finding, Position, Span
from bklint.rules.document import from_utf8, utf8

FIX_ALL = "source.fixAll.bklint"
KINDS = [types.CodeActionKind.QuickFix, FIX_ALL]
# Findings a noqa comment cannot (or should not) silence.
_NO_NOQA = {"BK901"}


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for `source.fixAll` includes `source.fixAll.bklint`."""
    if not only:
        return True
    return any(kind == k or kind.startswith(f"{k}.") for k in only)


def workspace_edit(a: Analysis, edits: Sequence[Edit], versioned: bool) -> types.WorkspaceEdit:
    text_edits = [types.TextEdit(range=a.lines.range(e.span), new_text=e.content) for e in edits]
    if versioned:
        doc = types.OptionalVersionedTextDocumentIdentifier(uri=a.uri, version=a.version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=doc, edits=list(text_edits))]
        )
    return types.WorkspaceEdit(changes={a.uri: text_edits})


def _overlaps(span: Span, start: types.Position, end: types.Position, a: Analysis) -> bool:
    rng = a.lines.range(span)
    s = (rng.start.line, rng.start.character)
    e = (rng.end.line, rng.end.character)
    return s <= (end.line, end.character) and (start.line, start.character) <= e


def code_actions(
    a: Analysis, params: types.CodeActionParams, versioned: bool, fix_all: types.CodeAction | None
) -> list[types.CodeAction]:
    only = params.context.only
    out: list[types.CodeAction] = []
    picked = [
        (f, d)
        for f, d in zip(a.findings, a.diagnostics, strict=True)
        if _overlaps(f.span, params.range.start, params.range.end, a)
    ]
    if wanted(types.CodeActionKind.QuickFix, only):
        for finding, diag in picked:
            if finding.fix is not None and finding.fix.available:
                action = quick_fix(a, finding, diag, versioned)
                if action is not None:
                    out.append(action)
        seen: set[tuple[str, int]] = set()
        for finding, diag in picked:
            key = (finding.code, finding.span.start.line)
            if finding.code in _NO_NOQA or key in seen:
                continue
            seen.add(key)
            action = noqa_action(a, finding, diag, versioned)
            if action is not None:
                out.append(action)
    if fix_all is not None and wanted(FIX_ALL, only):
        out.append(fix_all)
    return out


def _title(message: str) -> str:
    return message.replace("`", "")


def acceptable(a: Analysis, edits: Sequence[Edit]) -> tuple[Edit, ...] | None:
    """The edits as ``--fix`` would write them, if the engine's judge lets them through."""
    from bklint.linter.fix import in_file_style, refused

    styled = in_file_style(a.text, edits)
    if styled not in a.verdicts:
        a.verdicts[styled] = refused(a.result, styled, a.relint)
    return styled if a.verdicts[styled] is None else None


def quick_fix(a: Analysis, finding: Finding, diag: types.Diagnostic, versioned: bool) -> types.CodeAction | None:
    assert finding.fix is not None
    edits = acceptable(a, finding.fix.edits)
    if edits is None:
        return None
    unsafe = finding.fix.applicability == "unsafe"
    title = f"{SOURCE} ({finding.code}): {_title(finding.fix.message)}" + (" (unsafe)" if unsafe else "")
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        is_preferred=not unsafe,
        edit=workspace_edit(a, edits, versioned),
    )


def noqa_action(
    a: Analysis, finding: Finding, diag: types.Diagnostic, versioned: bool
) -> types.CodeAction | None:
    line = finding.span.start.line
    if line >= len(a.layout.lines) or a.layout.ends_in_string(line):
        return None  # the end of this line is inside a multi-line string: a comment would be text
    edits = acceptable(a, [noqa_edit(a.lines.line(line), line, finding.code)])
    if edits is None:
        return None
    return types.CodeAction(
        title=f"Disable {finding.code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=workspace_edit(a, edits, versioned),
    )


def minimal_edit(old: str, new: str) -> Edit | None:
    """One edit turning ``old`` into ``new``: the changed middle, so the cursor stays put."""
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    start = _pos(old, prefix)
    end = _pos(old, len(old) - suffix)
    return Edit(Span(start, end), new[prefix : len(new) - suffix])


def _pos(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return Position(line, offset - start)


def fix_all_action(a: Analysis, versioned: bool) -> types.CodeAction | None:
    """Every safe fix, applied and re-checked by the engine's fixer (``bklint check --fix``)."""
    if not any(f.fix is not None and f.fix.applicability == "safe" for f in a.findings):
        return None
    from bklint.linter.fix import default_filter
    from bklint.linter.inputs import kind_for

    outcome = kind_for(a.path).fix(utf8(a.text), a.path, a.settings, default_filter(False))
    new = from_utf8(outcome.data)
    edit = minimal_edit(a.text, new)
    if edit is None:
        return None
    return types.CodeAction(
        title=f"{SOURCE}: fix all auto-fixable problems",
        kind=FIX_ALL,
        edit=workspace_edit(a, [edit], versioned),
    )
