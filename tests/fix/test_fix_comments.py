"""Fixes and migrations never delete a comment: it moves with its statement or stays put.

Issue 11 item 10: BK401 dropped `# needed for the CI incident 42` with the `debug` line,
BK403 and migrate deleted `keepBytes … # 30GB, keep in sync` with its comment, and
`migrate --target-version v0.12` dropped the comments of the `[log]` table it removed.
"""

from __future__ import annotations

from bklint.linter.commands.migrate import migrate_bytes
from bklint.linter.fix import fix_bytes
from bklint.linter.settings import Settings


def _fix(text: str, unsafe: bool = False) -> str:
    outcome = fix_bytes(text.encode(), "buildkitd.toml", Settings(), unsafe=unsafe)
    assert outcome.error is None and not outcome.dropped, (outcome.error, outcome.dropped)
    assert outcome.changed
    return outcome.data.decode()


def _migrate(text: str, target: str | None = None) -> str:
    outcome, _ = migrate_bytes(text.encode(), "buildkitd.toml", target)
    assert outcome.error is None and not outcome.dropped, (outcome.error, outcome.dropped)
    assert outcome.changed
    return outcome.data.decode()


def test_debug_comment_moves_to_the_log_level_it_becomes() -> None:
    text = "# top\ndebug = true # needed for the CI incident 42\n\n[worker.oci]\nenabled = true\n"
    fixed = _fix(text)
    assert fixed == (
        "# top\n\n[worker.oci]\nenabled = true\n\n[log]\nlevel = \"debug\" # needed for the CI incident 42\n"
    )


def test_comments_of_removed_debug_and_trace_lines_stay() -> None:
    text = 'debug = true # a\ntrace = false # b\n[log]\nlevel = "warn" # c\n'
    fixed = _fix(text, unsafe=True)
    assert fixed == '# a\n# b\n[log]\nlevel = "warn" # c\n'


def test_a_redundant_keepbytes_line_leaves_its_comment() -> None:
    text = '[[worker.oci.gcpolicy]]\n  keepBytes = "30GB" # 30GB, keep in sync with the volume size\n  reservedSpace = "30GB"\n'
    kept = '[[worker.oci.gcpolicy]]\n  # 30GB, keep in sync with the volume size\n  reservedSpace = "30GB"\n'
    assert _migrate(text) == kept
    assert _fix(text, unsafe=True) == kept.replace('"30GB"', '"30GiB"')


def test_migrating_log_level_to_v0_12_keeps_every_comment() -> None:
    text = (
        "# my config\n"
        'root = "/var/lib/buildkit"\n'
        "\n"
        "[log] # logging section\n"
        "# the level\n"
        'level = "debug" # verbose for CI\n'
        "\n"
        "# workers follow\n"
        "[worker.oci]\n"
        "enabled = true # yes\n"
    )
    assert _migrate(text, "v0.12") == (
        "# my config\n"
        'root = "/var/lib/buildkit"\n'
        "debug = true # verbose for CI\n"
        "\n"
        "# logging section\n"
        "# the level\n"
        "\n"
        "# workers follow\n"
        "[worker.oci]\n"
        "enabled = true # yes\n"
    )


def test_a_new_top_level_key_goes_above_the_first_table_and_its_comments() -> None:
    text = '# the workers\n[worker.oci]\nenabled = true\n[log]\nlevel = "trace"\n'
    assert _migrate(text, "v0.12") == "trace = true\n# the workers\n[worker.oci]\nenabled = true\n"
