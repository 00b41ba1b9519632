"""Code actions: the finding's fix, a noqa comment for the line, and fix-all."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import actions, apply_edit, open_doc, span

pytestmark = pytest.mark.asyncio(loop_scope="module")

# BK101 (fixable) on line 1, BK004 on line 2, whose noqa comment names a code that is not there (BK901).
TEXT = '[worker.oci]\n  max_parallelism = 4  # café 🐳\n  gc = "yes"  # noqa: BK005\n'


async def test_a_fixable_finding_offers_its_fix_titled_with_code_and_message(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "fix" / "buildkitd.toml", TEXT)
    found = await actions(client, doc, span(1, 4))
    titles = [a.title for a in found]
    assert titles == [
        "bklint (BK101): rename to max-parallelism",
        "Disable BK101 for this line",
        "bklint: fix all auto-fixable problems",
    ]
    fix = found[0]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics is not None and [d.code for d in fix.diagnostics] == ["BK101"]
    assert fix.edit is not None
    fixed = apply_edit(doc.text, fix.edit, doc.uri)
    assert fixed.splitlines()[1] == "  max-parallelism = 4  # café 🐳"
    doc.replace_all(fixed)
    assert [d.code for d in await doc.diagnostics()] == ["BK004", "BK901"]


async def test_disable_for_this_line_adds_a_noqa_comment_or_extends_the_one_there(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "noqa" / "buildkitd.toml", TEXT)
    first = await actions(client, doc, span(1, 4))
    noqa = next(a for a in first if a.title == "Disable BK101 for this line")
    assert noqa.edit is not None
    after = apply_edit(doc.text, noqa.edit, doc.uri)
    assert after.splitlines()[1] == "  max_parallelism = 4  # café 🐳  # noqa: BK101"
    second = await actions(client, doc, span(2, 8))
    merge = next(a for a in second if a.title == "Disable BK004 for this line")
    assert merge.edit is not None
    after = apply_edit(after, merge.edit, doc.uri)
    assert after.splitlines()[2] == '  gc = "yes"  # noqa: BK005, BK004'
    doc.replace_all(after)
    # BK101 and BK004 are silenced; BK005 in the merged comment now suppresses nothing (BK901).
    codes = [d.code for d in await doc.diagnostics()]
    assert codes == ["BK901"]


async def test_fix_all_applies_every_safe_fix_as_bklint_check_fix_would(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "fixall" / "buildkitd.toml", TEXT)
    found = await actions(client, doc, span(0, 0), only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in found] == ["source.fixAll.bklint"]
    assert found[0].edit is not None
    after = apply_edit(doc.text, found[0].edit, doc.uri)
    from bklint.linter.fix import fix_bytes
    from bklint.linter.settings import Settings

    expected = fix_bytes(TEXT.encode(), str(doc.path), Settings()).data.decode()
    assert after == expected and after != TEXT
    assert "max-parallelism = 4" in after


async def test_asking_only_for_quick_fixes_leaves_fix_all_out(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "only" / "buildkitd.toml", TEXT)
    found = await actions(client, doc, span(1, 4), only=[types.CodeActionKind.QuickFix])
    assert all(a.kind == types.CodeActionKind.QuickFix for a in found) and found
    everything = await actions(client, doc, span(1, 4))
    assert "source.fixAll.bklint" in [a.kind for a in everything]


async def test_a_rename_onto_a_spelling_already_there_is_not_offered(client: LanguageClient, workspace: Path) -> None:
    # Before, BK104 offered a preferred quick fix that defined `max-parallelism` twice.
    text = "[worker.oci]\nmax-parallelism = 4\nMax-Parallelism = 5\n"
    doc = open_doc(client, workspace / "dup" / "buildkitd.toml", text)
    found = await actions(client, doc, span(2, 2))
    assert [a.title for a in found if a.kind == types.CodeActionKind.QuickFix] == [
        "Disable BK104 for this line",
        "Disable BK105 for this line",
    ]


async def test_a_quick_fix_writes_escapes_not_raw_control_characters(client: LanguageClient, workspace: Path) -> None:
    text = '[grpc]\naddress = ["/run/bk\\n.sock"]\n'
    doc = open_doc(client, workspace / "escape" / "buildkitd.toml", text)
    (fix,) = [a for a in await actions(client, doc, span(1, 13)) if a.title.startswith("bklint (BK243)")]
    assert fix.edit is not None
    assert apply_edit(doc.text, fix.edit, doc.uri) == '[grpc]\naddress = ["unix:///run/bk\\n.sock"]\n'
