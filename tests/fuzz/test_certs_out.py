"""`bklint certs --out DIR` never writes outside DIR: hostile names, and DIR changing under it.

The race of issue 11 item 12: another process swaps ``DIR/certs`` for a symbolic link between
bklint's check and its write. The first test makes the swap at the worst moment every time
(right after bklint created or looked at the folder); the second swaps concurrently in a tight
loop while the tree is written again and again.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bklint.linter.cli import main
from bklint.linter.confined import WriteRefused, write_tree
from tests.fuzz.strategies import LONG, budget

CA = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
OUTPUTS = {
    "buildkitd.toml": b'[registry."r.io"]\nca = ["/etc/buildkit/certs/r.io/ca.pem"]\n',
    "certs/r.io/ca.pem": CA,
    "certs/r.io/client.key": b"secret\n",
}


def snapshot(root: Path, skip: Path) -> dict[str, bytes | str]:
    """Every entry under ``root`` except ``skip`` (files by content, links by target)."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == skip or skip in here.parents:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            p = here / name
            if p == skip:
                continue
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_file():
                out[rel] = p.read_bytes()
            else:
                out[rel] = "dir"
    return out


# -- hostile names through the whole command ------------------------------------------------------

names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40) | st.sampled_from(
    ["..", ".", "../..", "/", "/etc", "a/../../b", "certs/../..", "buildkitd.toml", "..\\..", " ", "~", "$HOME"]
)


@budget(40)
@given(registries=st.lists(names, min_size=1, max_size=3, unique=True), file_name=names)
def test_hostile_names_never_leave_out_dir(
    tmp_path_factory: pytest.TempPathFactory, registries: list[str], file_name: str
) -> None:
    root = tmp_path_factory.mktemp("certs-fuzz")
    src = root / "src"
    src.mkdir()
    base = os.path.basename(file_name.rstrip("/")) or "ca.pem"
    with contextlib.suppress(OSError, ValueError):
        (src / base).write_bytes(CA)
    lines = []
    for reg in registries:
        quoted = json.dumps(reg, ensure_ascii=False)
        lines += [
            f"[registry.{quoted}]",
            f"ca = [{json.dumps(str(src / file_name), ensure_ascii=False)}]",
            f"[[registry.{quoted}.keypair]]",
            f"key = {json.dumps(file_name, ensure_ascii=False)}",
            f"cert = {json.dumps(str(src / base), ensure_ascii=False)}",
        ]
    config = root / "buildkitd.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "out"
    before = snapshot(root, out)
    code = main(["certs", str(config), "--out", str(out), "--base-dir", str(src)])
    assert code in (0, 1)
    assert snapshot(root, out) == before
    if out.exists():
        for p in out.rglob("*"):
            assert not p.is_symlink()
            assert out.resolve() in p.resolve().parents


# -- the swap at the worst moment -------------------------------------------------------------------


@contextlib.contextmanager
def swap_after(monkeypatch: pytest.MonkeyPatch, folder: Path, victim: Path, *names: str) -> Iterator[list[str]]:
    """After the first call of ``os.<name>`` on ``folder`` (by path or by name), swap it for a link."""
    swapped: list[str] = []
    real_lstat = os.lstat

    def is_real_dir() -> bool:
        try:
            return stat.S_ISDIR(real_lstat(folder).st_mode)
        except OSError:
            return False

    def wrap(name: str) -> Callable[..., Any]:
        real = getattr(os, name)

        def hooked(path: Any, *args: Any, **kwargs: Any) -> Any:
            result = real(path, *args, **kwargs)
            target = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
            if not swapped and (target == str(folder) or target == folder.name) and is_real_dir():
                os.rename(folder, folder.with_name(folder.name + ".aside"))
                os.symlink(victim, folder)
                swapped.append(name)
            return result

        return hooked

    for name in names:
        monkeypatch.setattr(os, name, wrap(name))
    yield swapped


@pytest.mark.parametrize("existing", [False, True], ids=["created", "existing"])
def test_certs_folder_swapped_right_after_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim"
    out.mkdir()
    victim.mkdir()
    if existing:
        (out / "certs").mkdir()
    with (
        swap_after(monkeypatch, out / "certs", victim, "mkdir", "lstat", "stat") as swapped,
        contextlib.suppress(WriteRefused),
    ):
        write_tree(str(out), OUTPUTS, {"certs/r.io/client.key"})
    assert swapped, "the hook never fired: the test no longer exercises the race"
    assert list(victim.iterdir()) == []


ATTACKER = """
import contextlib, os, sys
certs, aside, victim = sys.argv[1:4]
print("ready", flush=True)
while True:
    with contextlib.suppress(OSError):
        os.rename(certs, aside)
        os.symlink(victim, certs)
        os.unlink(certs)
        os.rename(aside, certs)
"""


def test_concurrent_symlink_swap(tmp_path: Path) -> None:
    """Another process swaps DIR/certs and a link to a victim folder as fast as it can."""
    out, victim = tmp_path / "out", tmp_path / "victim"
    out.mkdir()
    victim.mkdir()
    (out / "certs").mkdir()
    attacker = subprocess.Popen(
        [sys.executable, "-c", ATTACKER, str(out / "certs"), str(out / "certs.aside"), str(victim)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert attacker.stdout is not None and attacker.stdout.readline() == "ready\n"
        # A budget of attempts, cut short on a loaded machine (the attacker burns a core).
        give_up = time.monotonic() + (600 if LONG else 3)
        for _ in range(50_000 if LONG else 2_000):
            if time.monotonic() > give_up:
                break
            with contextlib.suppress(WriteRefused, FileNotFoundError, FileExistsError, NotADirectoryError):
                write_tree(str(out), OUTPUTS, {"certs/r.io/client.key"})
            assert list(victim.iterdir()) == []
    finally:
        attacker.kill()
        attacker.wait()
    assert {p.name for p in tmp_path.iterdir()} == {"out", "victim"}
