"""BK249, BK252, BK253: worker platforms, snapshotters and the containerd runtime."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules import toml_text
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.daemon.values import string_items
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.regex import Regex
from bklint.rules.schema.decode import Decoded
from bklint.rules.schema.tree import OCI_SNAPSHOTTERS, WORKERS
from bklint.rules.templates import templated

_KNOWN_OS = [
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
]


_KNOWN_ARCH = [
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "ppc64",
    "ppc64le",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
]


_ARCH_ALIASES = {
    "i386": "386",
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "armhf": "arm",
    "armel": "arm",
}


_PLATFORM_PART = Regex(r"^[A-Za-z0-9_.-]+$")


_PLATFORM_OS = Regex(r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$")


def platform_problem(spec: str) -> tuple[str, bool] | None:
    """(why, fatal) for a platform string, following containerd's ``platforms.Parse``."""
    if "*" in spec:
        return "wildcards are not supported", True
    parts = spec.split("/", 3)
    if len(parts) > 3:
        return "a platform has at most three parts (os/arch/variant)", True
    if not _PLATFORM_OS.match(parts[0]):
        return f"`{parts[0]}` is not a valid OS component", True
    for part in parts[1:]:
        if not _PLATFORM_PART.match(part):
            return f"`{part}` is not a valid component (letters, digits, `_`, `.`, `-`)", True
    os_name = parts[0].split("(", 1)[0].lower()
    if len(parts) == 1:
        arch = _ARCH_ALIASES.get(os_name, os_name)
        if os_name in _KNOWN_OS or arch in _KNOWN_ARCH:
            return None
        return "it is neither a known operating system nor a known architecture", True
    arch = parts[1].lower()
    arch = _ARCH_ALIASES.get(arch, arch)
    if os_name not in (*_KNOWN_OS, "macos"):
        return f"`{parts[0]}` is not a known operating system", False
    if arch not in _KNOWN_ARCH:
        return f"`{parts[1]}` is not a known architecture", False
    return None


@register
class InvalidPlatform(ParsedRule):
    """Checks `platforms` of both workers with containerd's platform parser.

    **Why**: the worker parses each entry with `platforms.Parse` when it starts; a malformed
    one (`linux/amd64/v2/x`, `linux amd64`, `*`, `amd65`) stops buildkitd with `invalid
    platform`. Well-formed names with an unknown OS or architecture (`linux/amd65`) load but
    advertise a platform no build can use (warning).

    **Good**: `platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]`
    """

    code = "BK249"
    name = "invalid-platform"
    summary = "A worker platform string buildkitd cannot parse"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for worker in WORKERS:
            for value, node in string_items(decoded.entry("worker", worker, "platforms")):
                problem = platform_problem(value)
                if problem is None:
                    continue
                why, fatal = problem
                if fatal:
                    message = (
                        f"platform {value!r}: {why}; the {worker} worker fails to start (`invalid platform`)"
                    )
                else:
                    message = (
                        f"platform {value!r}: {why}; the worker advertises a platform no build can match"
                    )
                yield self.finding(
                    message,
                    doc.value_span(node),
                    severity=None if fatal else Severity.WARNING,
                )


@register
class UnknownSnapshotter(ParsedRule):
    """Checks the OCI worker's `snapshotter` name.

    **Why**: the OCI worker knows `auto`, `overlayfs`, `native`, `fuse-overlayfs` and
    `stargz` (case-sensitive); anything else stops buildkitd with `unknown snapshotter name`.
    `overlay` is Docker's name; here it is `overlayfs`. Skipped when `proxySnapshotterPath`
    is set (the name then labels an external snapshotter). The containerd worker's
    snapshotter is any name containerd knows and is not checked.

    **Bad**: `snapshotter = "overlay"` — **Good**: `snapshotter = "overlayfs"`

    **Fix** (safe): `overlay`/`overlay2` → `overlayfs`, or the right case of a known name.
    """

    code = "BK252"
    name = "unknown-snapshotter"
    summary = "An OCI worker snapshotter name buildkitd does not know"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[worker.oci]\nsnapshotter = "overlay2"\n',
        "[worker.oci]\r\nenabled = true\r\nsnapshotter = 'Native' # no overlay on this kernel\r\n",
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("worker", "oci", "snapshotter")
        if entry is None or not isinstance(entry.value, str) or templated(entry.value) or entry.value in ("", *OCI_SNAPSHOTTERS):
            return
        if decoded.value("worker", "oci", "proxySnapshotterPath"):
            return
        low = entry.value.lower()
        target = "overlayfs" if low in ("overlay", "overlay2") else (low if low in OCI_SNAPSHOTTERS else None)
        fix = None
        if target is not None:
            raw = doc.slice(entry.node.value_start, entry.node.value_end)
            fix = Fix(
                f"use {target!r}", (Edit(doc.value_span(entry.node), toml_text.string(target, raw[:1])),), "safe"
            )
        hint = f"; did you mean {target!r}?" if target else f" (known: {', '.join(OCI_SNAPSHOTTERS)})"
        yield self.finding(
            f"snapshotter {entry.value!r} stops buildkitd at start-up (`unknown snapshotter name`){hint}",
            doc.value_span(entry.node),
            fix=fix,
        )


@register
class ContainerdRuntimeWithoutName(ParsedRule):
    """Checks that `[worker.containerd.runtime]` sets `name`.

    **Why**: when `runtime.name` is empty, buildkitd replaces the **whole** runtime table by
    `{name = "io.containerd.runc.v2"}` (`applyContainerdFlags`), so `path` and `options`
    written next to it are silently dropped.

    **Bad**
    ```toml
    [worker.containerd.runtime]
    options = { BinaryName = "crun" }
    ```

    **Good**
    ```toml
    [worker.containerd.runtime]
    name = "io.containerd.runc.v2"
    options = { BinaryName = "crun" }
    ```

    No automatic fix: adding the name makes the dropped settings apply, which you should
    decide on.
    """

    code = "BK253"
    name = "containerd-runtime-without-name"
    summary = "A containerd `runtime` table without `name` loses `path` and `options`"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        runtime = ("worker", "containerd", "runtime")
        if not decoded.has_table(*runtime) or runtime in decoded.incomplete:
            return
        if decoded.value("worker", "containerd", "runtime", "name"):
            return
        lost = [k for k in ("path", "options") if decoded.value("worker", "containerd", "runtime", k)]
        if not lost:
            return
        nodes = decoded.tables[("worker", "containerd", "runtime")]
        yield self.finding(
            f"without `name`, buildkitd replaces this runtime table by the default runtime and drops "
            f'{" and ".join(f"`{k}`" for k in lost)}; add `name = "io.containerd.runc.v2"`',
            doc.node_span(nodes[0]),
        )
