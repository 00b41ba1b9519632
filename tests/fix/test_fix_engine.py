"""The fix engine itself: overlap, convergence, refusal of harmful fixes, byte fidelity, writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bklint.linter import fix as engine
from bklint.linter.fix import (
    ConcurrentChange,
    apply_edits,
    default_filter,
    fix_bytes,
    fix_data,
    fix_file,
    fix_pass,
    judge,
    write_atomic,
)
from bklint.linter.run import LintResult, lint_bytes
from bklint.linter.settings import Settings
from bklint.rules.base import Edit, Finding, Fix, Severity, Span
from bklint.rules.context import SourceText


def _finding(code: str, fix: Fix | None, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(code, code.lower(), severity, "msg", Span.at(0, 0), fix=fix)


def _result(text: str, *findings: Finding) -> LintResult:
    return LintResult("f.toml", SourceText(text), list(findings))


def _edit(line: int, col: int, end_col: int, content: str) -> Edit:
    return Edit(Span.at(line, col, line, end_col), content)


def _all(_: Finding) -> bool:
    return True


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    text = "abc = 1\n"
    first = _finding("BK900", Fix("a", (_edit(0, 0, 3, "xyz"),)))
    second = _finding("BK901", Fix("b", (_edit(0, 1, 2, "Q"),)))
    third = _finding("BK902", Fix("c", (_edit(0, 6, 7, "2"),)))
    data, applied, ranges = fix_pass(text.encode(), _result(text, first, second, third), _all)
    assert data == b"xyz = 2\n"
    assert applied == ["BK900: a", "BK902: c"]
    assert ranges == [(0, 3), (6, 7)]


def test_the_same_fix_from_two_findings_is_applied_once() -> None:
    text = "debug = true\ntrace = true\n"
    shared = Fix("both", (_edit(0, 0, 12, "x"), _edit(1, 0, 12, "y")))
    data, applied, _ = fix_pass(text.encode(), _result(text, _finding("BK401", shared), _finding("BK401", shared)), _all)
    assert data == b"x\ny\n"
    assert applied == ["BK401: both"]


def test_inserted_lines_follow_crlf() -> None:
    text = "a = 1\r\nb = 2\r\n"
    insert = _finding("BK900", Fix("add", (Edit(Span.at(2, 0), "\n[log]\nlevel = \"debug\"\n"),)))
    data, _, _ = fix_pass(text.encode(), _result(text, insert), _all)
    assert data == b'a = 1\r\nb = 2\r\n\r\n[log]\r\nlevel = "debug"\r\n'


def test_bytes_outside_edits_are_identical_with_non_ascii_and_crlf() -> None:
    original = "# héllo ✓ 𝄞\r\n[worker.oci]\r\nmax_parallelism = 4 # ünïcode\r\n"
    result = fix_bytes(original.encode(), "buildkitd.toml", Settings())
    assert result.error is None
    assert result.data == original.replace("max_parallelism", "max-parallelism").encode()


def test_bom_is_removed_as_bytes() -> None:
    data = b"\xef\xbb\xbf[worker.oci]\r\nenabled = true\r\n"
    outcome = fix_bytes(data, "buildkitd.toml", Settings())
    assert outcome.data == data[3:]
    assert outcome.applied == ["BK002: remove the byte order mark"]
    assert "<BOM>" in outcome.diff("buildkitd.toml")


def test_unsafe_fixes_only_when_asked() -> None:
    data = b'[ghacache.sign]\ncmd = ""\n'
    assert not fix_bytes(data, "buildkitd.toml", Settings()).changed
    assert fix_bytes(data, "buildkitd.toml", Settings(), unsafe=True).data == b"[cache.gha.sign]\ncommand = []\n"


def test_diff_is_empty_without_changes() -> None:
    outcome = fix_bytes(b"[worker.oci]\nenabled = true\n", "buildkitd.toml", Settings())
    assert outcome.diff("buildkitd.toml") == "" and not outcome.applied


def test_fixes_that_never_settle_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = iter(range(1000))

    def fake_lint(data: bytes, path: str | None, settings: Settings) -> LintResult:
        text = data.decode()
        # A rule that always wants one more character.
        return _result(text, _finding("BK900", Fix("grow", (Edit(Span.at(0, 0), str(next(counter) % 10)),))))

    monkeypatch.setattr(engine, "lint_bytes", fake_lint)
    outcome = fix_data(b"x\n", "f.toml", Settings(), _all)
    assert outcome.error is not None and "did not settle" in outcome.error
    assert outcome.data == b"x\n"


def test_fixes_undoing_each_other_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_lint(data: bytes, path: str | None, settings: Settings) -> LintResult:
        text = data.decode()
        other = "b" if text.startswith("a") else "a"
        return _result(text, _finding("BK900", Fix("flip", (_edit(0, 0, 1, other),))))

    monkeypatch.setattr(engine, "lint_bytes", fake_lint)
    outcome = fix_data(b"a\n", "f.toml", Settings(), _all)
    assert outcome.error is not None and "undo each other" in outcome.error


def test_a_fix_that_breaks_the_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_lint(data: bytes, path: str | None, settings: Settings) -> LintResult:
        text = data.decode()
        if text.startswith("ok"):
            return _result(text, _finding("BK900", Fix("break", (_edit(0, 0, 2, "[["),))))
        return _result(text, _finding("BK001", None, Severity.ERROR))

    monkeypatch.setattr(engine, "lint_bytes", fake_lint)
    outcome = fix_data(b"ok\n", "f.toml", Settings(), _all)
    assert outcome.error is None and outcome.applied == []
    assert outcome.dropped == ["BK900: break: not applied: it would introduce BK001"]
    assert outcome.data == b"ok\n"


def test_a_refused_fix_is_dropped_alone_and_the_others_apply() -> None:
    # BK243's value is fine; renaming `Max-Parallelism` onto the `max-parallelism` above would
    # define the key twice. Before, the whole file was refused ("please report this").
    text = '[worker.oci]\nmax-parallelism = 4\nMax-Parallelism = 5\n[grpc]\naddress = ["/run/bk.sock"]\n'
    outcome = fix_bytes(text.encode(), "buildkitd.toml", Settings())
    assert outcome.error is None
    assert outcome.data.decode() == text.replace('"/run/bk.sock"', '"unix:///run/bk.sock"')


def test_one_bad_fix_among_many_is_found_without_linting_each(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = engine.lint_bytes

    def with_a_bad_fix(data: bytes, path: str | None, settings: Settings) -> LintResult:
        nonlocal calls
        calls += 1
        result = real(data, path, settings)
        # Offered on every pass, refused every time: it must be dropped once and stay dropped.
        result.findings.append(_finding("BK900", Fix("break", (Edit(Span.at(0, 0), "[[broken\n"),))))
        return result

    monkeypatch.setattr(engine, "lint_bytes", with_a_bad_fix)
    good = "".join(f'[registry."r{i}.io"]\nmirror = ["m{i}.io"]\n' for i in range(32))
    outcome = fix_data(good.encode(), "buildkitd.toml", Settings(), default_filter(True))
    assert outcome.error is None and len(outcome.applied) == 32
    assert outcome.dropped == ["BK900: break: not applied: it would introduce BK001"]
    assert outcome.data.decode() == good.replace("mirror =", "mirrors =")
    assert calls < 20


def test_judge_sees_errors_the_user_ignores() -> None:
    settings = Settings()
    settings.ignore = ["BK0"]
    before = lint_bytes(b"a = 1\n", "buildkitd.toml", settings)
    after = lint_bytes(b"a = 1\na = 2\n", "buildkitd.toml", settings)
    assert not after.findings or all(not f.code.startswith("BK0") for f in after.findings)
    assert judge(before, after) == "it would introduce BK001"


def test_judge_refuses_a_lost_comment_but_not_a_moved_one_or_a_removed_noqa() -> None:
    s = Settings()
    before = lint_bytes(b"# top\nroot = '/x' # why # noqa: BK101\n", "buildkitd.toml", s)
    moved = lint_bytes(b"# why\n# top\nroot = '/x'\n", "buildkitd.toml", s)
    lost = lint_bytes(b"# top\nroot = '/x'\n", "buildkitd.toml", s)
    assert judge(before, moved) is None
    assert judge(before, lost) == "it would delete the comment `# why`"


def test_apply_edits_helper() -> None:
    assert apply_edits("a = 1\nb = 2\n", [_edit(1, 0, 1, "c")]) == "a = 1\nc = 2\n"


def test_fix_file_writes_atomically_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "buildkitd.toml"
    data = b"# c\r\n[worker.oci]\r\nmax_parallelism = 4\r\n"
    path.write_bytes(data)
    os.chmod(path, 0o604)
    outcome = fix_file(str(path), data, Settings(), write=True)
    assert outcome.error is None
    assert path.read_bytes() == b"# c\r\n[worker.oci]\r\nmax-parallelism = 4\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["buildkitd.toml"]


def test_fix_file_with_write_false_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "buildkitd.toml"
    data = b"[worker.oci]\nmax_parallelism = 4\n"
    path.write_bytes(data)
    outcome = fix_file(str(path), data, Settings(), write=False)
    assert outcome.changed and path.read_bytes() == data


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "buildkitd.toml"
    data = b"[worker.oci]\nmax_parallelism = 4\n"
    path.write_bytes(b"someone else's edit\n")
    outcome = fix_file(str(path), data, Settings(), write=True)
    assert outcome.error is not None and "changed since it was read" in outcome.error
    assert path.read_bytes() == b"someone else's edit\n"
    assert outcome.data == data and outcome.applied == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["buildkitd.toml"]
    with pytest.raises(ConcurrentChange):
        write_atomic(str(path), data, b"new")


def test_a_symlinked_config_keeps_its_link(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_bytes(b"[worker.oci]\nmax_parallelism = 4\n")
    link = tmp_path / "buildkitd.toml"
    link.symlink_to(real)
    outcome = fix_file(str(link), real.read_bytes(), Settings(), write=True)
    assert outcome.error is None
    assert link.is_symlink() and real.read_bytes() == b"[worker.oci]\nmax-parallelism = 4\n"
