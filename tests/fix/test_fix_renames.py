"""Renames: every spelling of a key at once, never onto a key that is already there, and a
merge of two tables is never a safe fix (issue 10; issue 11 items 8, 9, 11)."""

from __future__ import annotations

from bklint.linter.commands.migrate import migrate_bytes
from bklint.linter.fix import fix_bytes, fix_pass
from bklint.linter.settings import Settings
from bklint.rules.tomllib_compat import tomllib
from tests.conftest import lint

MANY = 12


def _fix(text: str, unsafe: bool = False) -> str:
    outcome = fix_bytes(text.encode(), "buildkitd.toml", Settings(), unsafe=unsafe)
    assert outcome.error is None, outcome.error
    return outcome.data.decode()


def test_every_header_of_an_array_of_tables_is_renamed_in_one_edit() -> None:
    text = "[worker.OCI]\nenabled = true\n" + "".join(
        f"[[worker.OCI.gcpolicy]]\nkeepDuration = {i + 1}\n" for i in range(MANY)
    )
    result = lint(text)
    once, applied, _ = fix_pass(text.encode(), result, lambda f: f.code == "BK104")
    assert applied == ["BK104: rename to `oci`"]
    assert once.decode() == text.replace("OCI", "oci")
    assert _fix(text) == text.replace("OCI", "oci")


def test_migrate_renames_every_header_of_a_misspelt_array_table() -> None:
    text = "".join(f"[[Worker.oci.gcpolicy]]\nkeepDuration = {i + 1}\n" for i in range(MANY))
    outcome, _ = migrate_bytes(text.encode(), "buildkitd.toml", "v0.27")
    assert outcome.error is None
    assert outcome.data.decode() == text.replace("Worker", "worker")


def test_no_rename_onto_a_key_set_under_the_other_spelling() -> None:
    text = "[worker.oci]\nmax-parallelism = 4\nMax-Parallelism = 5\n"
    (finding,) = [f for f in lint(text).findings if f.code == "BK104"]
    assert finding.fix is None
    (target,) = [f for f in lint(text, target_version="v0.27").findings if f.code == "BK412"]
    assert target.fix is None


def test_no_rename_that_would_define_a_table_twice() -> None:
    text = '[registry."r.io"]\nhttp = true\n[Registry."r.io"]\ninsecure = true\n'
    assert all(f.fix is None for f in lint(text).findings if f.code in ("BK104", "BK106"))
    text = "[worker.oci]\nenabled = true\n[worker.OCI]\ngc = true\n"
    assert all(f.fix is None for f in lint(text).findings if f.code == "BK104")


def test_merging_two_tables_is_unsafe_and_left_alone_by_safe_fixes() -> None:
    # buildkitd keeps only the last spelling (BK105): merging changes what it reads.
    text = "[worker.oci]\nenabled = true\n[[worker.OCI.gcpolicy]]\nall = true\n"
    (finding,) = [f for f in lint(text).findings if f.code == "BK104"]
    assert finding.fix is not None and finding.fix.applicability == "unsafe"
    assert "merging" in finding.fix.message
    assert _fix(text) == text
    merged = _fix(text, unsafe=True)
    assert merged == text.replace("OCI", "oci")
    assert tomllib.loads(merged)["worker"]["oci"] == {"enabled": True, "gcpolicy": [{"all": True}]}


def test_registry_tables_of_two_spellings_merge_only_unsafely() -> None:
    text = '[registry."a.io"]\nhttp = true\n[Registry."b.io"]\ninsecure = true\n'
    (finding,) = [f for f in lint(text).findings if f.code == "BK106"]
    assert finding.fix is not None and finding.fix.applicability == "unsafe"
    assert _fix(text, unsafe=True) == text.replace("Registry", "registry")


def test_did_you_mean_never_suggests_a_rename_into_a_type_error() -> None:
    (finding,) = [f for f in lint('[registry."r.io"]\ninsecur = "yes"\n').findings if f.code == "BK101"]
    assert finding.fix is None
    assert "`insecure` expects a boolean" in finding.message
    (finding,) = [f for f in lint('[registry."r.io"]\ninsecur = true\n').findings if f.code == "BK101"]
    assert finding.fix is not None and finding.fix.edits[0].content == "insecure"


def test_the_rest_of_the_file_is_still_fixed() -> None:
    text = '[registry."r.io"]\ninsecur = "yes"\nmirror = ["m.io"]\n[worker.oci]\nmax-parallelism = 4\nMax-Parallelism = 5\n'
    assert _fix(text, unsafe=True) == text.replace("mirror =", "mirrors =")
