"""The browser playground's entry point (lsp/playground.py), run here in CPython.

The same module runs in Pyodide in the page; editors/web/test drives that in headless Chromium.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bklint.linter.run import rules
from bklint.lsp import playground

TEXT = '[worker.oci]\n  max_parallelism = 4\n[registry.docker.io]\n  mirrors = ["mirror.gcr.io"]\n'


def findings(text: str, *args: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(playground.lint(text, *args))["findings"]
    return out


def test_findings_match_the_cli_order_with_spans_and_fixes() -> None:
    got = findings(TEXT)
    assert [f["code"] for f in got][:2] == ["BK101", "BK102"]
    first = got[0]
    assert first["name"] == "unknown-key" and first["severity"] == "warning"
    assert first["span"] == {"start": {"line": 1, "column": 2}, "end": {"line": 1, "column": 17}}
    assert first["fix"] == {"message": "rename to `max-parallelism`", "applicability": "safe"}


def test_columns_are_utf16_units() -> None:
    got = findings('# 😀\n[worker.oci] # 😀 x\n  max_parallelism = 4\n"😀" = 1\n')
    bad = [f for f in got if f["span"]["start"]["line"] == 3]
    assert bad and bad[0]["span"]["end"]["column"] == 4  # `"😀"`: two quotes and a surrogate pair


def test_target_version_and_daemon_flags_are_used() -> None:
    assert "BK502" in [f["code"] for f in findings(TEXT, "", "--no-such-flag")]
    old = findings('[log]\n  format = "json"\n', "v0.12")
    assert any(f["code"].startswith("BK4") for f in old)
    assert not any(f["code"].startswith("BK4") for f in findings('[log]\n  format = "json"\n'))


def test_fix_all_is_the_engine_fixer() -> None:
    out = json.loads(playground.fix(TEXT))
    assert out["error"] is None
    assert out["text"] == '[worker.oci]\n  max-parallelism = 4\n[registry."docker.io"]\n  mirrors = ["mirror.gcr.io"]\n'
    assert len(out["applied"]) == 2


def test_one_quick_fix_changes_only_its_finding() -> None:
    index = [f["code"] for f in findings(TEXT)].index("BK102")
    out = json.loads(playground.fix(TEXT, "", "", index))
    assert out["text"] == TEXT.replace("registry.docker.io", 'registry."docker.io"')
    assert out["applied"] == ['BK102: quote the name: registry."docker.io"']
    gone = json.loads(playground.fix(TEXT, "", "", 99))
    assert gone["text"] == TEXT and gone["error"]


def test_hover_is_the_language_servers_text() -> None:
    text = "[worker.oci]\n  max-parallelism = 4\n"
    key = json.loads(playground.hover(text, 1, 4))
    assert "worker.oci.max-parallelism" in key["markdown"] and "--oci-max-parallelism" in key["markdown"]
    assert key["span"] == {"start": {"line": 1, "column": 2}, "end": {"line": 1, "column": 17}}
    assert json.loads(playground.hover(text, 1, 20))["markdown"].startswith("`4`")
    assert playground.hover("\n\n", 1, 0) == "null"


def test_hover_on_a_path_says_nothing_about_files_here() -> None:
    text = '[registry."r.example"]\n  ca = ["/etc/ssl/ca.pem"]\n'
    assert "not found" not in json.loads(playground.hover(text, 1, 12))["markdown"]


def test_rules_that_read_files_are_skipped_and_listed() -> None:
    about = json.loads(playground.about())
    skipped = {s["code"] for s in about["skipped"]}
    assert skipped == {type(r).code for r in rules() if type(r).reads_files}
    assert "BK301" in skipped and "BK313" not in skipped
    text = '[registry."r.example"]\n  ca = ["missing.pem"]\n  [[registry."r.example".keypair]]\n    cert = "c.pem"\n'
    codes = [f["code"] for f in findings(text)]
    assert "BK301" not in codes and "BK313" in codes
    assert about["versions"][0] == "v0.32" and "v0.10" in about["versions"]


def test_rule_docs_are_bklint_rule_output() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bklint.linter", "rule", "BK101"], capture_output=True, text=True, check=True
    ).stdout
    assert playground.rule_doc("bk101") == out
    assert playground.rule_doc("BK999") == ""


def test_no_language_server_packages_are_needed() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('lsprotocol', 'pygls', 'cattrs', 'pydantic', 'cryptography'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from bklint.lsp import playground\n"
        f"playground.lint({TEXT!r}); playground.fix({TEXT!r}); playground.hover({TEXT!r}, 0, 2)\n"
        "playground.rule_doc('BK101'); playground.about()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
