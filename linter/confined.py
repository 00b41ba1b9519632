"""Writing a tree of files under one folder and nowhere else, even while others change it.

A path is never resolved twice. Each folder below the output folder is opened relative to
its parent's descriptor with ``O_NOFOLLOW | O_DIRECTORY``, and each file is created, written
and renamed relative to its folder's descriptor. A folder swapped for a symbolic link
between a check and a write makes the write fail; it cannot redirect it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Collection, Mapping

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class WriteRefused(OSError):
    """A write that would leave the output folder (or clobber what is not ours): why."""


def check_relative(rel: str) -> list[str]:
    """The components of a plain relative path (no ``..``, ``.``, empty or absolute parts)."""
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise WriteRefused(f"refusing to write `{rel}`: it is not a plain path inside the output folder")
    return parts


def write_tree(out_dir: str, outputs: Mapping[str, bytes], secret: Collection[str] = ()) -> None:
    """Write ``outputs`` (relative path -> bytes) under ``out_dir`` and nowhere else.

    An existing ``out_dir`` keeps its other files; every destination is checked before the
    first write. A new ``out_dir`` is built in a temporary folder beside it and renamed into
    place, so a failure leaves nothing behind. Files in ``secret`` are written 0600.
    """
    paths = {rel: check_relative(rel) for rel in outputs}
    dirs = {"/".join(parts[:i]) for parts in paths.values() for i in range(1, len(parts))}
    clash = sorted(dirs & set(paths))
    if clash:
        raise WriteRefused(f"refusing to write: `{clash[0]}` would be both a file and a folder")
    order = sorted(outputs)
    try:
        os.stat(out_dir)  # the folder the user named may itself be a link: theirs to choose
        exists = True
    except FileNotFoundError:
        exists = False
    if exists:
        try:
            root = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        except NotADirectoryError:
            raise WriteRefused(f"--out {out_dir}: exists and is not a directory") from None
        try:
            for rel in order:
                _check(root, paths[rel], out_dir)
            for rel in order:
                _write(root, paths[rel], outputs[rel], 0o600 if rel in secret else 0o644, out_dir)
        finally:
            os.close(root)
        return
    parent = os.path.dirname(os.path.abspath(out_dir))
    if not os.path.isdir(parent):
        raise WriteRefused(f"--out {out_dir}: the parent folder {parent} does not exist")
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(os.path.abspath(out_dir))}.bklint-", dir=parent)
    try:
        root = os.open(tmp, _DIR_FLAGS)
        try:
            os.fchmod(root, 0o755)
            for rel in order:
                _write(root, paths[rel], outputs[rel], 0o600 if rel in secret else 0o644, out_dir)
        finally:
            os.close(root)
        parent_fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        try:
            os.rename(
                os.path.basename(tmp),
                os.path.basename(os.path.abspath(out_dir)),
                src_dir_fd=parent_fd,
                dst_dir_fd=parent_fd,
            )
        finally:
            os.close(parent_fd)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # fd-based on Linux: does not follow links
        raise


def _shown(out_dir: str, parts: list[str]) -> str:
    return os.path.join(out_dir, *parts)


def _check(root: int, parts: list[str], out_dir: str) -> None:
    """Every existing component must be a real folder (the last a regular file), never a link."""
    fds: list[int] = []
    cur = root
    try:
        for i, part in enumerate(parts):
            try:
                st = os.lstat(part, dir_fd=cur)
            except FileNotFoundError:
                return
            last = i == len(parts) - 1
            shown = _shown(out_dir, parts[: i + 1])
            if stat.S_ISLNK(st.st_mode):
                raise WriteRefused(f"refusing to write through the symbolic link {shown}")
            if last:
                if not stat.S_ISREG(st.st_mode):
                    raise WriteRefused(f"refusing to write: {shown} exists and is not a regular file")
                return
            cur = _open_dir(cur, part, shown)
            fds.append(cur)
    finally:
        for fd in fds:
            os.close(fd)


def _open_dir(parent: int, name: str, shown: str) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise WriteRefused(f"refusing to write: {shown} is a symbolic link or not a folder") from None
        raise


def _write(root: int, parts: list[str], data: bytes, mode: int, out_dir: str) -> None:
    fds: list[int] = []
    cur = root
    try:
        for i, part in enumerate(parts[:-1]):
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=cur)
            cur = _open_dir(cur, part, _shown(out_dir, parts[: i + 1]))
            fds.append(cur)
        _write_file(cur, parts[-1], data, mode, _shown(out_dir, parts))
    finally:
        for fd in fds:
            os.close(fd)


def _write_file(folder: int, name: str, data: bytes, mode: int, shown: str) -> None:
    """Create a temporary file in ``folder``, fill it, then rename it over ``name`` (never followed)."""
    with contextlib.suppress(FileNotFoundError):
        st = os.lstat(name, dir_fd=folder)
        if stat.S_ISLNK(st.st_mode):
            raise WriteRefused(f"refusing to write through the symbolic link {shown}")
        if not stat.S_ISREG(st.st_mode):
            raise WriteRefused(f"refusing to write: {shown} exists and is not a regular file")
    tmp = f".bklint-{secrets.token_hex(8)}"
    fd = os.open(tmp, _FILE_FLAGS, 0o600, dir_fd=folder)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        # rename() replaces a link at ``name`` rather than following it.
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        raise


__all__ = ["WriteRefused", "check_relative", "write_tree"]
