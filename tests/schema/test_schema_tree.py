"""The key tree (tree.py) agrees with BuildKit's struct tags and documents every key."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bklint.rules.schema import versions
from bklint.rules.schema.nodes import ArrayOf, Leaf, MapOf, Node, Struct
from bklint.rules.schema.tree import CONFIG

DATA = Path(__file__).parent / "data"


def walk(node: Node, path: str = "") -> Iterator[tuple[str, Node]]:
    """(path, node) for every node, paths in keys-by-version.json syntax."""
    yield path, node
    if isinstance(node, Struct):
        for name, child in node.fields.items():
            seg = f'"{name}"' if "." in name else name
            yield from walk(child, f"{path}.{seg}" if path else seg)
    elif isinstance(node, MapOf):
        yield from walk(node.item, f"{path}.*")
    elif isinstance(node, ArrayOf):
        yield from walk(node.item, f"{path}[]")


LEAVES = {path: node for path, node in walk(CONFIG) if isinstance(node, Leaf)}
TABLES = {path: node for path, node in walk(CONFIG) if not isinstance(node, Leaf)}


def test_every_upstream_key_is_in_the_tree_with_its_go_type() -> None:
    head = json.loads((DATA / "keys-head.json").read_text())["keys"]
    assert {p: leaf.go_type for p, leaf in LEAVES.items()} == head


def test_the_tree_matches_the_version_data_at_the_latest_release() -> None:
    assert {p: leaf.go_type for p, leaf in LEAVES.items()} == versions.keys_at(versions.LATEST)


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_every_leaf_has_a_one_line_doc_and_a_default(path: str) -> None:
    leaf = LEAVES[path]
    assert leaf.doc and "\n" not in leaf.doc and leaf.doc.endswith("."), path
    assert leaf.default, path


@pytest.mark.parametrize("path", sorted(TABLES))
def test_every_table_has_a_doc(path: str) -> None:
    assert TABLES[path].doc, path or "(root)"


def test_since_in_the_tree_is_the_first_release_in_the_data() -> None:
    for path, leaf in LEAVES.items():
        expected = versions.key_since(path)
        assert expected is not None
        assert (leaf.since or "v0.10.0") == str(expected), path


def test_deprecations_in_the_tree_match_the_data() -> None:
    marked = {p: (leaf.deprecated, leaf.deprecated_since) for p, leaf in LEAVES.items() if leaf.deprecated}
    data = {p: (d.replacement, d.since) for p, d in versions.deprecations().items()}
    assert marked == data


def test_checked_values_are_listed() -> None:
    assert LEAVES["log.format"].allowed == ("", "text", "json")
    assert LEAVES["log.format"].allowed_case_sensitive
    assert "warning" in LEAVES["log.level"].allowed
    assert not LEAVES["log.level"].allowed_case_sensitive
    assert set(LEAVES["worker.oci.snapshotter"].allowed) == {
        "",
        "auto",
        "overlayfs",
        "native",
        "fuse-overlayfs",
        "stargz",
    }
    # containerd accepts any snapshotter containerd knows: nothing to list.
    assert LEAVES["worker.containerd.snapshotter"].allowed == ()
    for worker in ("oci", "containerd"):
        assert set(LEAVES[f"worker.{worker}.networkMode"].allowed) == {"", "auto", "host", "bridge", "cni"}
    assert LEAVES["insecure-entitlements"].allowed == ("network.host", "security.insecure", "device")


def test_flags_look_like_buildkitd_flags() -> None:
    flags = {p: leaf.flag for p, leaf in LEAVES.items() if leaf.flag}
    assert all(f.startswith("--") and " " not in f for f in flags.values())
    assert flags["worker.oci.max-parallelism"] == "--oci-max-parallelism"
    assert flags["worker.containerd.cniConfigPath"] == "--containerd-cni-config-path"
    assert flags["insecure-entitlements"] == "--allow-insecure-entitlement"


def test_the_flag_table_spells_key_flags_as_the_tree_does() -> None:
    """One home for a flag's spelling: the table reads the tree's, and names no other."""
    from bklint.rules.daemon_flags.table import FLAGS

    named = {leaf.flag.removeprefix("--") for leaf in LEAVES.values() if leaf.flag}
    assert named <= set(FLAGS)
    assert FLAGS["oci-worker-gc-keepstorage"].keys == tuple(
        ("worker", "oci", k) for k in ("reservedSpace", "minFreeSpace", "maxUsedSpace")
    )


def test_history_defaults_say_they_apply_only_without_the_table() -> None:
    assert LEAVES["history.maxAge"].default is not None
    assert LEAVES["history.maxAge"].default.startswith("48h (only when [history] is absent")


def test_the_check_path_imports_no_pydantic() -> None:
    code = (
        "import sys\n"
        "import bklint.rules.schema.tree, bklint.rules.schema.versions, bklint.rules.schema.nodes\n"
        "import bklint.rules.schema.versions as v\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
        "assert v._data.cache_info().currsize == 0, 'versions.json read at import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
