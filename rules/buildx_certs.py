"""Certificate and key files a config names: where buildx copies them, and what they hold.

Shared by the BK3xx rules and `bklint certs`. Two halves:

* the copy plan — what `docker buildx create --config` (buildx ``confutil.LoadConfigFiles``)
  does with each registry's ``ca`` and ``keypair`` files: the destination folder is the
  registry name with every run of characters outside ``[a-zA-Z0-9.-]`` replaced by ``_``,
  ``path.Join``-cleaned (so ``..`` becomes ``.``), the file keeps its basename, and only the
  first 1 MiB is copied;
* bounded, non-blocking reads of those files (stat first, ``O_NONBLOCK``, at most 1 MiB + 1
  byte) and their PEM/X.509 inspection, memoised in ``Context.cache``.

``cryptography`` is imported only when a file actually holds PEM data, so checking a config
without certificates never pays for it. Without it (the VS Code extension's bundled server
ships no native libraries) the PEM blocks are still listed, but not parsed: ``PemInfo.inspected``
is false, and the rules that need the contents skip that file (BK319 says so once).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import errno
import functools
import os
import re
import stat
from collections.abc import Callable, Iterator

from bklint.rules.document import TomlNode
from bklint.rules.record import FrozenRecord, Record
from bklint.rules.regex import Regex
from bklint.rules.schema.decode import Decoded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal, TypeVar

    T = TypeVar("T")

    RefKind = Literal["ca", "key", "cert", "tlsconfigdir", "grpc-cert", "grpc-key", "grpc-ca"]

    Status = Literal["ok", "missing", "empty-path", "not-regular", "not-directory", "unreadable"]


MIB = 1024 * 1024
# buildx reads every copied file (and the config) through a 1 MiB LimitReader.
COPY_LIMIT = MIB
DEFAULT_PREFIX = "/etc/buildkit"
CONFIG_NAME = "buildkitd.toml"

_INVALID_DIR_CHARS = Regex(r"[^a-zA-Z0-9.-]+")

_FIELD = {
    "ca": "ca",
    "key": "key",
    "cert": "cert",
    "tlsconfigdir": "tlsconfigdir",
    "grpc-cert": "grpc.tls.cert",
    "grpc-key": "grpc.tls.key",
    "grpc-ca": "grpc.tls.ca",
}
# What buildx calls each file in its read errors.
_BUILDX_NOUN = {"ca": "CA", "key": "key", "cert": "cert"}


# -- Go path semantics ----------------------------------------------------------------------


def go_clean(path: str) -> str:
    """Go's ``path.Clean`` (slash-separated, lexical)."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    joined = "/".join(out)
    if rooted:
        return "/" + joined
    return joined or "."


def go_join(*parts: str) -> str:
    """Go's ``path.Join``: empty parts are skipped, the result cleaned."""
    kept = [p for p in parts if p]
    return go_clean("/".join(kept)) if kept else ""


def go_base(path: str) -> str:
    """Go's ``filepath.Base`` on Linux (the builder side of buildx runs there)."""
    if path == "":
        return "."
    stripped = path.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


def certs_dir(registry: str) -> str:
    """The folder under the prefix that holds one registry's files (``certs/<sanitised>``)."""
    return go_join("certs", _INVALID_DIR_CHARS.sub("_", registry))


def destination(registry: str, source: str) -> str:
    """Where buildx puts ``source`` of ``registry``, relative to the prefix (``/etc/buildkit``)."""
    return go_join(certs_dir(registry), go_base(source))


def resolve(value: str, base_dir: str) -> str:
    """The file buildx opens: relative paths against its working directory (``base_dir``)."""
    if value == "" or os.path.isabs(value):
        return value
    return os.path.join(base_dir, value)


# -- what the config names ------------------------------------------------------------------


class PathRef(FrozenRecord):
    """One path value in the config, with where it is written."""

    __slots__ = ("index", "kind", "node", "registry", "value")

    kind: RefKind
    value: str
    node: TomlNode
    registry: str | None
    # Position in the ``ca``/``tlsconfigdir`` list, or the keypair index.
    index: int | None

    def __init__(
        self,
        kind: RefKind,
        value: str,
        node: TomlNode,
        registry: str | None = None,
        index: int | None = None,
    ) -> None:
        self.kind = kind
        self.value = value
        self.node = node
        self.registry = registry
        self.index = index

    @property
    def label(self) -> str:
        """How messages name the key: ``registry."r.io".ca[0]``, ``grpc.tls.cert``…"""
        if self.registry is None:
            return _FIELD[self.kind]
        reg = f'registry."{self.registry}"'
        if self.kind in ("key", "cert"):
            return f"{reg}.keypair[{self.index}].{self.kind}"
        return f"{reg}.{self.kind}[{self.index}]"

    @property
    def copied(self) -> bool:
        """True for the files buildx copies into the builder."""
        return self.kind in ("ca", "key", "cert")

    @property
    def noun(self) -> str:
        if self.kind == "tlsconfigdir":
            return "TLS config directory"
        return {"ca": "CA file", "key": "key file", "cert": "certificate file"}.get(
            self.kind, f"`{_FIELD[self.kind]}` file"
        )


def path_refs(decoded: Decoded) -> list[PathRef]:
    """Every certificate/key/TLS path the loader would keep, in buildx's order per registry."""
    refs: list[PathRef] = []
    for reg in decoded.map_keys("registry"):
        memo = decoded.table_memo("registry", reg)
        found: list[PathRef] | None = memo.get("certs.path_refs")
        if found is None:
            found = memo["certs.path_refs"] = _registry_refs(decoded, reg)
        refs += found
    for part, kind in (("cert", "grpc-cert"), ("key", "grpc-key"), ("ca", "grpc-ca")):
        e = decoded.entry("grpc", "tls", part)
        if e is not None and isinstance(e.value, str) and e.value != "":
            refs.append(PathRef(kind, e.value, e.node))  # type: ignore[arg-type]
    return refs


def _registry_refs(decoded: Decoded, reg: str) -> list[PathRef]:
    """The paths of one registry's table, in buildx's order: ``ca``, each keypair, ``tlsconfigdir``."""
    refs: list[PathRef] = []
    entry = decoded.entry("registry", reg, "ca")
    if entry is not None and isinstance(entry.value, list):
        for i, item in enumerate(entry.value):
            if isinstance(item, str) and entry.node.items is not None and i < len(entry.node.items):
                refs.append(PathRef("ca", item, entry.node.items[i], reg, i))
    for i in range(decoded.count("registry", reg, "keypair")):
        for part in ("key", "cert"):
            e = decoded.entry("registry", reg, "keypair", i, part)
            if e is not None and isinstance(e.value, str):
                refs.append(PathRef("key" if part == "key" else "cert", e.value, e.node, reg, i))
    entry = decoded.entry("registry", reg, "tlsconfigdir")
    if entry is not None and isinstance(entry.value, list):
        for i, item in enumerate(entry.value):
            if isinstance(item, str) and entry.node.items is not None and i < len(entry.node.items):
                refs.append(PathRef("tlsconfigdir", item, entry.node.items[i], reg, i))
    return refs


class CopyItem(FrozenRecord):
    __slots__ = ("dest", "ref", "source")

    ref: PathRef
    source: str  # the path buildx opens (resolved against the base directory)
    dest: str  # relative to the prefix: certs/<registry>/<basename>

    def __init__(self, ref: PathRef, source: str, dest: str) -> None:
        self.ref = ref
        self.source = source
        self.dest = dest


    def destination(self, prefix: str = DEFAULT_PREFIX) -> str:
        return go_join(prefix, self.dest)


class CopyPlan(Record):
    """The files buildx copies, in the order it writes them within each registry."""

    __slots__ = ("items",)

    items: list[CopyItem]

    def __init__(self, items: list[CopyItem] | None = None) -> None:
        self.items = [] if items is None else items

    def by_destination(self) -> dict[str, list[CopyItem]]:
        out: dict[str, list[CopyItem]] = {}
        for item in self.items:
            out.setdefault(item.dest, []).append(item)
        return out


def copy_plan(decoded: Decoded, base_dir: str) -> CopyPlan:
    """buildx copies a registry's ``ca`` entries, then each keypair's non-empty key and cert.

    An empty ``ca`` string is still opened (and fails); empty key/cert strings are skipped.
    """
    plan = CopyPlan()
    for ref in path_refs(decoded):
        if not ref.copied or ref.registry is None:
            continue
        if ref.kind != "ca" and ref.value == "":
            continue
        plan.items.append(CopyItem(ref, resolve(ref.value, base_dir), destination(ref.registry, ref.value)))
    return plan


# -- reading files --------------------------------------------------------------------------


class FileInfo(FrozenRecord):
    """What a bounded look at a path found; ``data`` is at most ``COPY_LIMIT + 1`` bytes."""

    __slots__ = ("data", "kind", "path", "reason", "size", "status")

    path: str
    status: Status
    kind: str  # file, directory, FIFO, socket, device
    size: int
    data: bytes | None
    reason: str

    def __init__(self, path: str, status: Status, kind: str = "file", size: int = 0, data: bytes | None = None, reason: str = "") -> None:
        self.path = path
        self.status = status
        self.kind = kind
        self.size = size
        self.data = data
        self.reason = reason

    @property
    def too_large(self) -> bool:
        return self.status == "ok" and self.size > COPY_LIMIT

    @property
    def copied_bytes(self) -> bytes:
        """What buildx copies: the first 1 MiB."""
        return (self.data or b"")[:COPY_LIMIT]


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _memoised(memo: dict[str, T] | None, key: str | None, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``key`` in ``memo`` (a run's ``Context.memo``) when given."""
    if memo is None or key is None:
        return compute()
    value = memo.get(key)
    if value is None:
        value = memo[key] = compute()
    return value


def read_file(path: str, memo: dict[str, FileInfo] | None = None) -> FileInfo:
    """Look at a file without ever blocking (FIFOs, devices) or reading more than 1 MiB + 1."""
    return _memoised(memo, path, lambda: _read(path))


def name_problem(path: str) -> str | None:
    """Why no file can have this name, or None: checked before a config path meets the OS.

    A config string is Unicode text and the file it names is its UTF-8 form. A ``\\u0000``
    escape cannot be part of a file name (buildkitd's ``open`` fails with EINVAL), and an
    unpaired surrogate, which only an unsaved editor buffer can hold, has no UTF-8 form.
    """
    if "\0" in path:
        return "invalid argument: a file name cannot hold a NUL character"
    if not path.isascii():
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            return "not a valid file name: it holds an unpaired UTF-16 surrogate"
    return None


def _stat(path: str) -> os.stat_result | tuple[Status, str]:
    """``os.stat`` of a config-named path, or the status and reason it has no file."""
    if path == "":
        return "empty-path", "the path is empty"
    problem = name_problem(path)
    if problem is not None:
        return "unreadable", problem
    try:
        return os.stat(path)
    except FileNotFoundError:
        return "missing", "no such file or directory"
    except OSError as exc:
        if isinstance(exc, NotADirectoryError) or exc.errno == errno.ENOTDIR:
            return "not-directory", "not a directory"
        return "unreadable", _reason(exc)


def _read(path: str) -> FileInfo:
    st = _stat(path)
    if not isinstance(st, os.stat_result):
        return FileInfo(path, st[0], reason=st[1])
    kind = _kind(st.st_mode)
    if kind != "file":
        return FileInfo(path, "not-regular", kind=kind, size=st.st_size, reason=f"is a {kind}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return FileInfo(path, "unreadable", size=st.st_size, reason=_reason(exc))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped between stat and open
            return FileInfo(path, "not-regular", kind=_kind(st.st_mode), reason=f"is a {_kind(st.st_mode)}")
        chunks: list[bytes] = []
        remaining = COPY_LIMIT + 1
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        return FileInfo(path, "unreadable", size=st.st_size, reason=_reason(exc))
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return FileInfo(path, "ok", size=max(st.st_size, len(data)), data=data)


class DirInfo(FrozenRecord):
    """A ``tlsconfigdir`` folder as buildkitd's resolver reads it (bounded listing)."""

    __slots__ = ("names", "path", "reason", "status", "truncated")

    path: str
    status: Status
    names: tuple[str, ...]
    truncated: bool
    reason: str

    def __init__(self, path: str, status: Status, names: tuple[str, ...] = (), truncated: bool = False, reason: str = "") -> None:
        self.path = path
        self.status = status
        self.names = names
        self.truncated = truncated
        self.reason = reason

MAX_DIR_ENTRIES = 200


def read_dir(path: str, memo: dict[str, DirInfo] | None = None) -> DirInfo:
    return _memoised(memo, path, lambda: _read_dir(path))


def _read_dir(path: str) -> DirInfo:
    st = _stat(path)
    if not isinstance(st, os.stat_result):
        return DirInfo(path, st[0], reason=st[1])
    if not stat.S_ISDIR(st.st_mode):
        return DirInfo(path, "not-directory", reason=f"is a {_kind(st.st_mode)}, not a directory")
    names: list[str] = []
    truncated = False
    try:
        with os.scandir(path) as it:
            for entry in it:
                if len(names) >= MAX_DIR_ENTRIES:
                    truncated = True
                    break
                names.append(entry.name)
    except OSError as exc:
        return DirInfo(path, "unreadable", reason=_reason(exc))
    return DirInfo(path, "ok", tuple(sorted(names)), truncated)


# -- PEM and X.509 --------------------------------------------------------------------------

_PEM = re.compile(
    rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----",
    re.DOTALL,
)


class CertInfo(FrozenRecord):
    __slots__ = ("is_ca", "not_after", "not_before", "self_signed", "spki", "subject")

    subject: str
    not_before: _dt.datetime
    not_after: _dt.datetime
    is_ca: bool  # basicConstraints CA:TRUE
    self_signed: bool
    spki: bytes  # DER SubjectPublicKeyInfo, to match keys

    def __init__(self, subject: str, not_before: _dt.datetime, not_after: _dt.datetime, is_ca: bool, self_signed: bool, spki: bytes) -> None:
        self.subject = subject
        self.not_before = not_before
        self.not_after = not_after
        self.is_ca = is_ca
        self.self_signed = self_signed
        self.spki = spki


class KeyInfo(FrozenRecord):
    __slots__ = ("block", "problem", "spki")

    block: str
    spki: bytes | None  # None: unusable (encrypted or unparsable)
    problem: str

    def __init__(self, block: str, spki: bytes | None, problem: str = "") -> None:
        self.block = block
        self.spki = spki
        self.problem = problem


class PemInfo(FrozenRecord):
    """The PEM blocks of a file, as Go's ``encoding/pem`` would find them (in order)."""

    __slots__ = ("blocks", "certs", "inspected", "keys")

    blocks: tuple[str, ...]
    certs: tuple[CertInfo | None, ...]  # one per CERTIFICATE block; None when unparsable
    keys: tuple[KeyInfo, ...]
    inspected: bool  # False: cryptography is missing, certs and keys were not parsed

    def __init__(self, blocks: tuple[str, ...] = (), certs: tuple[CertInfo | None, ...] = (), keys: tuple[KeyInfo, ...] = (), inspected: bool = True) -> None:
        self.blocks = blocks
        self.certs = certs
        self.keys = keys
        self.inspected = inspected

    @property
    def has_pem(self) -> bool:
        return bool(self.blocks)

    @property
    def cert_blocks(self) -> int:
        return len(self.certs)

    @property
    def parsed_certs(self) -> list[CertInfo]:
        return [c for c in self.certs if c is not None]


class Checked(Record):
    __slots__ = ("file", "folder", "path", "pem", "ref")

    ref: PathRef
    path: str  # resolved
    file: FileInfo | None
    folder: DirInfo | None
    pem: PemInfo | None

    def __init__(
        self,
        ref: PathRef,
        path: str,
        file: FileInfo | None = None,
        folder: DirInfo | None = None,
        pem: PemInfo | None = None,
    ) -> None:
        self.ref = ref
        self.path = path
        self.file = file
        self.folder = folder
        self.pem = pem

    @property
    def readable(self) -> bool:
        return self.file is not None and self.file.status == "ok"


def is_private_key_block(block: str) -> bool:
    """Go's ``tls.X509KeyPair`` takes ``PRIVATE KEY`` or any ``… PRIVATE KEY`` block."""
    return block == "PRIVATE KEY" or block.endswith(" PRIVATE KEY")


def pem_blocks(data: bytes) -> Iterator[tuple[str, bytes, bool]]:
    """(type, DER, has_headers) for every well-formed PEM block."""
    for m in _PEM.finditer(data):
        lines = m.group(2).replace(b"\r\n", b"\n").split(b"\n")
        headers = bool(lines) and b":" in lines[0]
        if headers:
            blank = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
            lines = lines[blank + 1 :]
        try:
            der = base64.b64decode(b"".join(b"".join(line.split()) for line in lines), validate=True)
        except (binascii.Error, ValueError):
            continue
        yield m.group(1).decode("ascii", "replace"), der, headers


def inspect_pem(data: bytes, memo: dict[str, PemInfo] | None = None, key: str | None = None) -> PemInfo:
    """Parse the PEM blocks of ``data``; memoised under ``key`` (the file path) when given."""
    return _memoised(memo, key, lambda: _inspect(data))


_ENCRYPTED = "ENCRYPTED PRIVATE KEY"  # recognised by its block type alone


@functools.cache
def cryptography_available() -> bool:
    """Whether certificate and key contents can be parsed here."""
    try:
        import cryptography.x509  # noqa: F401
    except ImportError:
        return False
    return True


def _inspect(data: bytes) -> PemInfo:
    blocks: list[str] = []
    certs: list[CertInfo | None] = []
    keys: list[KeyInfo] = []
    blocks_found = list(pem_blocks(data))
    inspected = not blocks_found or cryptography_available()
    for block, der, headers in blocks_found:
        blocks.append(block)
        if block == "CERTIFICATE":
            # Go's CertPool skips certificate blocks that carry headers.
            certs.append(None if headers or not inspected else _parse_cert(der))
        elif is_private_key_block(block):
            keys.append(_parse_key(block, der) if inspected or block == _ENCRYPTED else KeyInfo(block, None))
    return PemInfo(tuple(blocks), tuple(certs), tuple(keys), inspected)


def _spki(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    der: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def _parse_cert(der: bytes) -> CertInfo | None:
    try:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(der)
        try:
            bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
            is_ca = bool(bc.ca)
        except x509.ExtensionNotFound:
            is_ca = False
        return CertInfo(
            subject=cert.subject.rfc4514_string(),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            is_ca=is_ca,
            self_signed=cert.issuer == cert.subject,
            spki=_spki(cert.public_key()),
        )
    except Exception:  # any malformed certificate: report it as unusable, never crash
        return None


def _parse_key(block: str, der: bytes) -> KeyInfo:
    if block == _ENCRYPTED:
        return KeyInfo(block, None, "is encrypted (Go's TLS cannot use an encrypted key)")
    try:
        from cryptography.hazmat.primitives import serialization

        pem = (
            b"-----BEGIN "
            + block.encode()
            + b"-----\n"
            + base64.encodebytes(der)
            + b"-----END "
            + block.encode()
            + b"-----\n"
        )
        key = serialization.load_pem_private_key(pem, password=None)
        return KeyInfo(block, _spki(key.public_key()))
    except TypeError:
        return KeyInfo(block, None, "is encrypted (Go's TLS cannot use an encrypted key)")
    except Exception:
        return KeyInfo(block, None, "could not be parsed as a private key")


def now_utc() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)
