"""Put bklint and its pure-Python runtime libraries into bundled/libs for the .vsix.

The extension then starts the server as ``python -S bundled/tool/lsp_server.py`` with any
Python >= 3.10 it finds, whatever that Python has installed. bklint comes from a wheel built
from this repository (no package index has it); its dependencies are pure-Python wheels from
PyPI, resolved for every Python the extension supports, so one package serves every platform.

The libraries that exist only as per-platform native wheels are left out on purpose (see
NATIVE): the server does not need them. ``cryptography`` is only used to read certificate
contents, and those checks say once, as an info finding, that they were skipped;
``pydantic`` is only imported by ``bklint schema``.

Usage: python3 scripts/bundle_server.py [--repo PATH] [--out bundled/libs]
"""

from __future__ import annotations

import argparse
import email.parser
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

try:
    from packaging.markers import Marker, default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip always carries a copy
    from pip._vendor.packaging.markers import Marker, default_environment  # type: ignore[assignment]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[assignment]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
# Dependencies with native code, left out: the server runs without them (module docstring).
NATIVE = frozenset({"cryptography", "pydantic"})
# Every Python and platform the bundle must serve; a dependency needed by any of them is kept.
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
PLATFORMS = (("linux", "Linux"), ("darwin", "Darwin"), ("win32", "Windows"))


def _pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    subprocess.run(cmd, check=True)


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def _needed(marker: Marker | None) -> bool:
    """Whether a requirement applies to some supported Python on some platform (no extras)."""
    if marker is None:
        return True
    for version in PYTHONS:
        for sys_platform, system in PLATFORMS:
            env = {str(k): str(v) for k, v in default_environment().items()}
            env.update(
                python_version=version,
                python_full_version=f"{version}.0",
                sys_platform=sys_platform,
                platform_system=system,
                implementation_name="cpython",
                platform_python_implementation="CPython",
                extra="",
            )
            if marker.evaluate(env):
                return True
    return False


def _requirements(wheel: Path) -> list[Requirement]:
    return [Requirement(line) for line in _metadata(wheel).get_all("Requires-Dist") or []]


def _download(requirements: list[str], dest: Path) -> list[Path]:
    """Pure-Python wheels only, chosen for the oldest supported Python (so all can import them)."""
    before = set(dest.glob("*.whl"))
    _pip(
        "download", "--no-deps", "--only-binary=:all:", "--platform", "any", "--implementation", "py",
        "--abi", "none", "--python-version", PYTHONS[0], "--dest", str(dest), *requirements,
    )  # fmt: skip
    return sorted(set(dest.glob("*.whl")) - before)


def bundle(repo: Path, out: Path) -> list[str]:
    """Fill ``out`` with bklint and its dependency closure; returns the installed wheel names."""
    with tempfile.TemporaryDirectory(prefix="bklint-bundle-") as tmp:
        wheels = Path(tmp)
        _pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(repo))
        queue = sorted(wheels.glob("bklint-*.whl"))
        seen = {"bklint"}
        while queue:
            wanted: list[str] = []
            for wheel in queue:
                for req in _requirements(wheel):
                    name = canonicalize_name(req.name)
                    if name in seen or name in NATIVE or not _needed(req.marker):
                        continue
                    seen.add(name)
                    wanted.append(f"{req.name}{req.specifier}")
            queue = _download(wanted, wheels) if wanted else []
        if out.exists():
            shutil.rmtree(out)
        every = sorted(wheels.glob("*.whl"))
        _pip("install", "--no-deps", "--no-index", "--no-compile", "--target", str(out), *map(str, every))
    # Entry-point scripts name the build machine's Python; the launcher replaces them.
    shutil.rmtree(out / "bin", ignore_errors=True)
    return [w.name for w in every]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=HERE.parents[2], help="the bklint checkout to bundle")
    parser.add_argument("--out", type=Path, default=HERE.parent / "bundled" / "libs")
    args = parser.parse_args()
    names = bundle(args.repo.resolve(), args.out.resolve())
    print(f"bundle_server: {len(names)} wheels into {args.out}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
