"""Finding config files and reading them safely (no FIFOs, devices or unbounded reads)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator

from bklint.linter.settings import Settings, any_path_matches, any_project_path_matches
from bklint.rules.record import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.linter.gitignore import GitIgnore

# buildkitd.default.toml: the config buildx applies to new builders (see linter/buildx_default.py).
DEFAULT_PATTERNS = ("buildkitd.toml", "*.buildkitd.toml", "buildkitd.default.toml")
# Larger files are not read: far beyond any real config, and buildx reads only 1 MiB anyway.
MAX_FILE_BYTES = 64 * 1024 * 1024


class ReadResult(FrozenRecord):
    __slots__ = ("data", "error")

    data: bytes | None
    error: str | None

    def __init__(self, data: bytes | None, error: str | None = None) -> None:
        self.data = data
        self.error = error


def is_config_name(name: str, extra: Iterable[str] = ()) -> bool:
    base = os.path.basename(name)
    return any_path_matches(base, DEFAULT_PATTERNS) or any_path_matches(name, extra)


def discover(paths: Iterable[str], settings: Settings) -> Iterator[str]:
    """Files named on the command line as given (once each); directories searched for configs.

    A search skips what ``exclude``/``extend-exclude`` match and, with ``respect-gitignore``,
    what git ignores; a file named on the command line is always checked, as in ruff.
    """
    from bklint.linter.inputs import discovered, sniffed

    extra = settings.files
    excluded = settings.excluded
    seen: set[str] = set()
    ignore: GitIgnore | None = None

    def skip(full: str, name: str, is_dir: bool) -> bool:
        if any_path_matches(name, excluded) or any_project_path_matches(full, excluded, settings.root):
            return True
        if is_dir and os.path.exists(os.path.join(full, "pyvenv.cfg")):
            return True  # a virtual environment under any name
        return ignore is not None and ignore.ignored(full, is_dir)

    for path in paths:
        if not os.path.isdir(path):
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                yield path
            continue
        if settings.respect_gitignore:
            from bklint.linter.gitignore import GitIgnore  # folders only: a named file is always checked

            ignore = GitIgnore(path)
        else:
            ignore = None
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not skip(os.path.join(dirpath, d), d, True))
            # A file's real path is its folder's and its name, unless it is a link itself:
            # the folder is resolved once, not once per file (a stat per component).
            real_dir = os.path.realpath(dirpath)
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                if skip(full, name, False):
                    continue
                real = os.path.realpath(full) if os.path.islink(full) else os.path.join(real_dir, name)
                if real in seen:
                    continue
                named = is_config_name(name, extra) or (
                    bool(extra) and any_path_matches(os.path.relpath(full, path), extra)
                )
                # Files of other kinds (YAML workflows and manifests, scripts) that hold or name a config.
                if named or (sniffed(name) and discovered(full)):
                    seen.add(real)
                    yield full


def read_head(path: str, size: int = 256) -> bytes:
    """The first bytes of a regular file (b"" for anything else): enough to see a shebang."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b""
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def read_file(path: str, limit: int = MAX_FILE_BYTES) -> ReadResult:
    """Read a regular file without ever blocking on a FIFO or device."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ReadResult(None, "no such file")
    except OSError as exc:
        return ReadResult(None, exc.strerror or str(exc))
    if stat.S_ISDIR(st.st_mode):
        return ReadResult(None, "is a directory (buildkitd fails: `read …: is a directory`)")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device"
        return ReadResult(None, f"is {kind}, not a regular file; not read")
    if st.st_size > limit:
        return ReadResult(None, f"is {st.st_size:,} bytes, larger than the {limit:,} bytes bklint reads")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return ReadResult(None, exc.strerror or str(exc))
    try:
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        return ReadResult(None, exc.strerror or str(exc))
    finally:
        os.close(fd)
    if len(data) > limit:
        return ReadResult(None, f"is larger than the {limit:,} bytes bklint reads")
    return ReadResult(data)
