"""`full` output is proportional to the findings (issue 11 item 7), and shows the right columns.

`vectors/load/file-long-array` (88 KB, 5,000 findings on one line) printed 222 MB: every
finding quoted the whole line and a marker line as long as its column.
"""

from __future__ import annotations

import re

from bklint.linter.report import ReportOptions, render
from tests.conftest import VECTORS, lint


def full(text: str | bytes) -> str:
    return render("full", [lint(text)], ReportOptions())


def frame_lines(out: str, row: int) -> list[str]:
    return [line for line in out.splitlines() if re.match(rf"{row} \| ", line)]


def test_a_minified_file_with_5000_findings_on_one_line() -> None:
    result = lint((VECTORS / "load" / "file-long-array" / "buildkitd.toml").read_bytes())
    findings = len(result.findings)
    assert findings >= 5000
    out = render("full", [result], ReportOptions())
    assert len(out) < 400 * findings, "the output grows with the file, not with the findings"
    assert len(frame_lines(out, 2)) == 1, "one frame for the line, however many findings it has"
    assert max(len(line) for line in out.splitlines()) < 400
    assert f"and {findings - 10} more on this line" in out or "more on this line" in out


def test_the_frame_is_a_window_around_a_far_span_and_the_marker_is_under_it() -> None:
    text = "[worker.oci]\nplatforms = [" + '"linux/amd64", ' * 4000 + '"linux/arch9"]\n'
    out = full(text)
    [line] = frame_lines(out, 2)
    assert len(line) < 220 and line.startswith("2 | …")
    [marker] = [m for m in out.splitlines() if "^" in m]
    column = marker.index("^") - marker.index("|") + line.index("|")
    assert line[column : column + len('"linux/arch9"')] == '"linux/arch9"'


def test_short_lines_keep_the_familiar_frame() -> None:
    out = full("[worker.oci]\n  max_parallelism = 4\n")
    assert "1 | [worker.oci]\n2 |   max_parallelism = 4\n  |   ^^^^^^^^^^^^^^^ BK101\n" in out
    assert out.index("^^^") < out.index("= fix: rename")


def test_findings_on_one_line_share_one_frame_and_keep_their_fixes() -> None:
    out = full('[worker.oci]\n\n\n[registry.docker.io]\nmirrors = ["x"]\n')
    heads = [line for line in out.splitlines() if line.startswith("buildkitd.toml:4:")]
    assert len(heads) >= 2
    assert len(frame_lines(out, 4)) == 1
    assert "= fix (BK102 at 4:2): quote the name" in out
    assert out.index("BK207") < out.index("4 | ") < out.index("= fix (BK102")


def test_control_characters_from_the_file_do_not_reach_the_terminal() -> None:
    out = full('[worker.oci]\n"\\u001b]0;pwned\\u0007" = 1\nx\u001b[2J = 1\n')
    assert "\x1b" not in out and "\x07" not in out
