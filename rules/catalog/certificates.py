"""BK301–BK318: certificate, key and TLS-directory files a config names.

Covers registry ``ca``, ``keypair[].key``/``cert`` and ``tlsconfigdir`` and ``grpc.tls``
paths: whether they exist and are readable here, what `docker buildx create --config` does
with them (copies the registry files to ``/etc/buildkit/certs/<registry>/<basename>``, at most
1 MiB each, and nothing else), and whether their PEM content is what buildkitd expects.
Relative paths resolve against ``settings.base_dir`` as buildx resolves them against its
working directory. Messages name paths, never file contents.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from bklint.rules.base import Finding, Rule, Severity, register
from bklint.rules.certs import (
    CONFIG_NAME,
    COPY_LIMIT,
    DEFAULT_PREFIX,
    DirInfo,
    FileInfo,
    PathRef,
    PemInfo,
    copy_plan,
    inspect_pem,
    now_utc,
    path_refs,
    read_dir,
    read_file,
    resolve,
)
from bklint.rules.context import Context
from bklint.rules.document import Document

_ANALYSIS = "bklint.certs.analysis"
# Copied registry files and grpc.tls files are PEM files; tlsconfigdir is a folder.
_CA_KINDS = ("ca", "grpc-ca")
_CERT_KINDS = ("cert", "grpc-cert")
_KEY_KINDS = ("key", "grpc-key")


@dataclass(slots=True)
class _Checked:
    ref: PathRef
    path: str  # resolved
    file: FileInfo | None = None
    folder: DirInfo | None = None
    pem: PemInfo | None = None

    @property
    def readable(self) -> bool:
        return self.file is not None and self.file.status == "ok"


def _analyse(ctx: Context) -> list[_Checked]:
    """Read every referenced path once per run (bounded, non-blocking) and parse its PEM."""
    cached = ctx.cache.get(_ANALYSIS)
    if cached is not None:
        result: list[_Checked] = cached
        return result
    out: list[_Checked] = []
    if ctx.decoded is not None and ctx.doc is not None:
        for ref in path_refs(ctx.decoded):
            if ref.kind in ("key", "cert") and ref.value == "":
                continue  # buildx skips empty key/cert strings; BK313 reports the pair
            path = resolve(ref.value, ctx.settings.base_dir)
            checked = _Checked(ref, path)
            if ref.kind == "tlsconfigdir":
                checked.folder = read_dir(path, ctx.cache)
            else:
                checked.file = read_file(path, ctx.cache)
                if checked.file.status == "ok":
                    checked.pem = inspect_pem(checked.file.copied_bytes, ctx.cache, path)
            out.append(checked)
    ctx.cache[_ANALYSIS] = out
    return out


def _where(ref: PathRef) -> str:
    return f"`{ref.label}`"


def _shown(ref: PathRef, path: str) -> str:
    """The path as written, plus where it resolved to when that differs."""
    if ref.value == path or os.path.isabs(ref.value):
        return f"`{ref.value}`"
    return f"`{ref.value}` (resolved to `{path}`)"


def _consequence(ref: PathRef) -> str:
    if ref.copied:
        noun = {"ca": "CA", "key": "key", "cert": "cert"}[ref.kind]
        return f"`docker buildx create --config` fails (failed to read {noun} file)"
    if ref.kind.startswith("grpc"):
        return "buildkitd refuses to start when it cannot load its TLS files"
    return "buildkitd silently skips it"


def _span_of(doc: Document, ref: PathRef) -> Any:
    return doc.value_span(ref.node)


class _CertRule(Rule):
    """Shared plumbing; not registered."""

    reads_files = True

    def checked(self, ctx: Context) -> Iterator[tuple[Document, _Checked]]:
        if ctx.doc is None:
            return
        for item in _analyse(ctx):
            yield ctx.doc, item


# -- existence and file type ----------------------------------------------------------------


@register
class CertFileNotFound(_CertRule):
    """Checks that relative (and empty) certificate paths name an existing file.

    **Why**: `docker buildx create --config` opens every registry `ca`, `keypair.key` and
    `keypair.cert` path relative to **its own working directory** (not the config's folder)
    and stops with `failed to read CA file: …: no such file or directory`; an empty `ca`
    string fails the same way. `grpc.tls` files missing at start-up stop buildkitd; a
    missing `tlsconfigdir` is silently skipped, so the TLS settings you expected never apply.
    bklint resolves relative paths against `--base-dir` (default: the working directory; in
    an editor, the workspace folder). Globs and `~` are not expanded by buildx either.

    **Bad**
    ```toml
    [registry."r.example"]
    ca = ["certs/ca.pem"]   # run from another folder
    ```

    **Good**
    ```toml
    [registry."r.example"]
    ca = ["/home/me/project/certs/ca.pem"]
    ```

    **Fix**: none; point the path at the file or run buildx from the right folder.
    """

    code = "BK301"
    name = "cert-file-not-found"
    summary = "A relative or empty certificate/key path that does not exist"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref = item.ref
            status = item.file.status if item.file else item.folder.status if item.folder else "ok"
            if status == "empty-path":
                yield self.finding(f"{_where(ref)} is an empty path; {_consequence(ref)}", _span_of(doc, ref))
                continue
            if os.path.isabs(ref.value):
                continue
            if status == "missing" or (status == "not-directory" and ref.kind != "tlsconfigdir"):
                reason = "does not exist" if status == "missing" else "cannot be opened (not a directory)"
                if ref.copied:
                    where = " (relative paths resolve against the directory `docker buildx create` runs in; bklint uses --base-dir)"
                else:
                    where = " (buildkitd resolves it against its own working directory; bklint looked in --base-dir)"
                yield self.finding(
                    f"{_where(ref)}: {_shown(ref, item.path)} {reason}; {_consequence(ref)}{where}",
                    _span_of(doc, ref),
                    severity=None if ref.copied else Severity.WARNING,
                )


@register
class CertFileAbsentHere(_CertRule):
    """Reports absolute certificate paths that do not exist on this machine.

    **Why**: a config is often written for the machine or container where buildkitd runs
    (`/etc/buildkit/certs/…` in a ConfigMap, `/run/secrets/…`), so an absolute path missing
    here may well exist there — but `docker buildx create --config` run on this machine would
    fail with `failed to read CA file: … no such file or directory`. Its own code lets CI that
    lints deployed configs turn it off with `--ignore BK302`. Paths under `/etc/buildkit/`
    (the in-builder layout buildx writes) are reported as info. `grpc.tls` and
    `tlsconfigdir` paths are not checked here: buildx never copies them, so they always name
    files inside the builder (BK315 says so).

    **Bad** (with `docker buildx create`)
    ```toml
    [registry."r.example"]
    ca = ["/Users/someone-else/ca.pem"]
    ```

    **Good**
    ```toml
    [registry."r.example"]
    ca = ["/etc/ssl/private/r.example-ca.pem"]   # exists where buildx runs
    ```

    **Fix**: none.
    """

    code = "BK302"
    name = "cert-file-absent-here"
    summary = "An absolute certificate/key path that does not exist on this machine"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref = item.ref
            status = item.file.status if item.file else item.folder.status if item.folder else "ok"
            if not os.path.isabs(ref.value) or status not in ("missing", "not-directory"):
                continue
            if not ref.copied:
                continue  # daemon-side paths by nature: BK315 says they must exist in the builder
            in_builder = ref.value.startswith(DEFAULT_PREFIX + "/")
            tail = (
                "; `docker buildx create --config` run here would fail (it reads the file on this "
                "machine). Fine if the config is deployed where the file exists"
            )
            if in_builder:
                tail = "; it looks like a path inside a builder (buildx's own layout)" + tail
            yield self.finding(
                f"{_where(ref)}: `{ref.value}` does not exist on this machine{tail}",
                _span_of(doc, ref),
                severity=Severity.INFO if in_builder else None,
            )


@register
class CertPathNotAFile(_CertRule):
    """Checks that certificate/key paths name regular files (and `tlsconfigdir` a folder).

    **Why**: buildx opens each `ca`/`keypair` path and reads it: a directory fails with
    `read …: is a directory`, and a FIFO or device makes `docker buildx create` hang or read
    garbage (bklint never opens them). A `tlsconfigdir` entry that is a file makes every
    pull from that registry fail with `open …: not a directory`.

    **Bad**
    ```toml
    [registry."r.example"]
    ca = ["certs"]            # a folder
    tlsconfigdir = ["ca.pem"] # a file
    ```

    **Good**
    ```toml
    [registry."r.example"]
    ca = ["certs/ca.pem"]
    tlsconfigdir = ["certs.d/r.example"]
    ```

    **Fix**: none.
    """

    code = "BK303"
    name = "cert-path-not-a-file"
    summary = "A certificate path that is a directory, FIFO or device (or a tlsconfigdir that is a file)"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref = item.ref
            if item.folder is not None:
                if item.folder.status == "not-directory":
                    yield self.finding(
                        f"{_where(ref)}: `{ref.value}` {item.folder.reason}; buildkitd fails every pull from "
                        f"`{ref.registry}` with `open …: not a directory`",
                        _span_of(doc, ref),
                    )
                continue
            if item.file is not None and item.file.status == "not-regular":
                kind = item.file.kind
                what = (
                    "buildx fails with `read …: is a directory`"
                    if kind == "directory"
                    else "reading it would block or never end (bklint did not open it)"
                )
                yield self.finding(
                    f"{_where(ref)}: `{ref.value}` is a {kind}, not a regular file; {what}",
                    _span_of(doc, ref),
                )


@register
class CertFileUnreadable(_CertRule):
    """Checks that certificate/key files (and `tlsconfigdir` folders) can be read.

    **Why**: buildx reads the registry files with the permissions of the user running
    `docker buildx create` and fails on `permission denied`; buildkitd fails to start on
    unreadable `grpc.tls` files, and silently skips an unreadable `tlsconfigdir`.

    **Bad**: `ca = ["/root/ca.pem"]` when buildx runs as another user.

    **Good**: a path the user running buildx can read.

    **Fix**: none (change the file's permissions).
    """

    code = "BK304"
    name = "cert-file-unreadable"
    summary = "A certificate/key file or tlsconfigdir that cannot be read"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref = item.ref
            info = item.file or item.folder
            if info is None or info.status != "unreadable":
                continue
            yield self.finding(
                f"{_where(ref)}: `{ref.value}` cannot be read ({info.reason}); {_consequence(ref)}",
                _span_of(doc, ref),
                severity=Severity.WARNING if ref.kind == "tlsconfigdir" else None,
            )


@register
class CertFileTooLarge(_CertRule):
    """Checks that files buildx copies are at most 1 MiB.

    **Why**: buildx reads every registry `ca`/`keypair` file through a 1 MiB limit and
    copies only the first 1 048 576 bytes, without a word. A large CA bundle loses its tail:
    the certificates after the cut (and the one cut in half) are silently gone inside the
    builder.

    **Bad**: `ca = ["/etc/ssl/certs/ca-certificates.crt"]` when that bundle exceeds 1 MiB.

    **Good**: a bundle with only the CAs the registry needs.

    **Fix**: none.
    """

    code = "BK305"
    name = "cert-file-over-1mib"
    summary = "A certificate file over 1 MiB that buildx silently truncates"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            if item.ref.copied and item.file is not None and item.file.too_large:
                yield self.finding(
                    f"{_where(item.ref)}: `{item.ref.value}` is larger than 1 MiB ({COPY_LIMIT:,} bytes); "
                    "`docker buildx create` copies only the first 1 MiB into the builder, so the rest is lost",
                    _span_of(doc, item.ref),
                )


# -- content --------------------------------------------------------------------------------


def _not_pem_reason(data: bytes) -> str:
    if not data.strip():
        return "is empty"
    if data[:1] == b"\x30":
        return "holds no PEM data (it looks like binary DER; convert it with `openssl x509 -inform der`)"
    return "holds no PEM data"


@register
class CertFileNotPem(_CertRule):
    """Checks that certificate and key files hold PEM data buildkitd can use.

    **Why**: buildkitd adds a registry `ca` file to its pool with Go's `AppendCertsFromPEM`
    and **ignores the result**: a DER file, an empty file or text without a valid
    `CERTIFICATE` block is accepted silently and has no effect, so pulls fail later with
    `x509: certificate signed by unknown authority`. Keypair files without PEM data fail
    every pull from the registry (`failed to load keypair`), and `grpc.tls` files stop the
    daemon at start (`failed to append ca cert`, `could not load server key pair`).

    **Bad**: `ca = ["ca.der"]` (binary DER)

    **Good**: `ca = ["ca.pem"]` (`-----BEGIN CERTIFICATE-----` …)

    **Fix**: none; convert with `openssl x509 -inform der -in ca.der -out ca.pem`.
    """

    code = "BK306"
    name = "cert-file-not-pem"
    summary = "A certificate or key file without usable PEM data"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref, pem, file = item.ref, item.pem, item.file
            if pem is None or file is None:
                continue
            data = file.copied_bytes
            if not pem.has_pem:
                yield self.finding(
                    f"{_where(ref)}: `{ref.value}` {_not_pem_reason(data)}{_effect(ref)}", _span_of(doc, ref)
                )
                continue
            if ref.kind in _CA_KINDS and pem.cert_blocks and not pem.parsed_certs:
                yield self.finding(
                    f"{_where(ref)}: no CERTIFICATE block in `{ref.value}` is a valid X.509 certificate{_effect(ref)}",
                    _span_of(doc, ref),
                )
            elif ref.kind in _CERT_KINDS and pem.cert_blocks and pem.certs[0] is None:
                yield self.finding(
                    f"{_where(ref)}: the first CERTIFICATE block of `{ref.value}` is not a valid X.509 "
                    f"certificate{_effect(ref)}",
                    _span_of(doc, ref),
                )


def _effect(ref: PathRef) -> str:
    if ref.kind == "ca":
        return (
            "; buildkitd ignores such a CA file without a word, so the registry's certificate is not trusted"
        )
    if ref.kind == "grpc-ca":
        return "; buildkitd refuses to start (failed to append ca cert)"
    if ref.kind.startswith("grpc"):
        return "; buildkitd refuses to start (could not load server key pair)"
    return "; every pull from the registry fails (failed to load keypair)"


@register
class CertFileWrongPemBlock(_CertRule):
    """Checks that each file holds the PEM block its key expects.

    **Why**: `ca` and `cert` files must hold `CERTIFICATE` blocks and `key` files a private
    key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`). Swapped key and cert paths fail
    every pull (`PEM inputs may have been switched`); a private key given as `ca` is ignored
    by buildkitd **and copied into the builder** (and into a Kubernetes ConfigMap) by buildx.
    A CA bundle that also holds a private key leaks it the same way (warning).

    **Bad**
    ```toml
    [[registry."r.example".keypair]]
    key = "client.crt"
    cert = "client.key"
    ```

    **Good**
    ```toml
    [[registry."r.example".keypair]]
    key = "client.key"
    cert = "client.crt"
    ```

    **Fix**: none.
    """

    code = "BK307"
    name = "cert-file-wrong-pem-block"
    summary = "A certificate file holding a key, or a key file holding a certificate"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref, pem = item.ref, item.pem
            if pem is None or not pem.has_pem:
                continue
            found = ", ".join(sorted(set(pem.blocks)))
            if ref.kind in _CA_KINDS or ref.kind in _CERT_KINDS:
                if not pem.cert_blocks:
                    extra = ""
                    if pem.keys:
                        extra = " It holds a private key"
                        extra += (
                            ", which `docker buildx create` copies into the builder."
                            if ref.kind == "ca"
                            else "; are the key and cert paths swapped?"
                        )
                    yield self.finding(
                        f"{_where(ref)}: `{ref.value}` has no CERTIFICATE block (found: {found}){_effect(ref)}.{extra}",
                        _span_of(doc, ref),
                    )
                elif ref.kind in _CA_KINDS and pem.keys:
                    yield self.finding(
                        f"{_where(ref)}: the CA file `{ref.value}` also holds a private key; "
                        + (
                            "buildx copies it into the builder with the certificates"
                            if ref.kind == "ca"
                            else "a CA file should hold certificates only"
                        ),
                        _span_of(doc, ref),
                        severity=Severity.WARNING,
                    )
            elif ref.kind in _KEY_KINDS and not pem.keys:
                extra = "; are the key and cert paths swapped?" if pem.cert_blocks else ""
                yield self.finding(
                    f"{_where(ref)}: `{ref.value}` has no PRIVATE KEY block (found: {found}){_effect(ref)}{extra}",
                    _span_of(doc, ref),
                )


def _pairs(ctx: Context) -> Iterator[tuple[str, _Checked | None, _Checked | None]]:
    """(label, key, cert) for every registry keypair and for grpc.tls."""
    items = _analyse(ctx)
    pairs: dict[tuple[str | None, int | None], dict[str, _Checked]] = {}
    for item in items:
        ref = item.ref
        if ref.kind in ("key", "cert"):
            pairs.setdefault((ref.registry, ref.index), {})[ref.kind] = item
        elif ref.kind in ("grpc-key", "grpc-cert"):
            pairs.setdefault((None, None), {})[ref.kind[5:]] = item
    for (reg, idx), parts in pairs.items():
        label = "grpc.tls" if reg is None else f'registry."{reg}".keypair[{idx}]'
        yield label, parts.get("key"), parts.get("cert")


@register
class KeypairMismatch(_CertRule):
    """Checks that a keypair's private key belongs to its certificate.

    **Why**: buildkitd loads each registry keypair with Go's `tls.LoadX509KeyPair`, which
    refuses a key whose public half differs from the first certificate's (`private key does
    not match public key`): every pull from that registry fails. For `grpc.tls` the daemon
    does not start. buildx copies such pairs without checking.

    **Bad**: a `key` from one `openssl req` run and a `cert` from another.

    **Good**: the key the certificate was issued for.

    **Fix**: none.
    """

    code = "BK308"
    name = "keypair-mismatch"
    summary = "A keypair whose private key does not match its certificate"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        if ctx.doc is None:
            return
        for label, key, cert in _pairs(ctx):
            if key is None or cert is None or key.pem is None or cert.pem is None:
                continue
            if not key.pem.keys or not cert.pem.certs or cert.pem.certs[0] is None:
                continue
            first_key = key.pem.keys[0]
            if first_key.spki is None:
                continue  # BK318
            if first_key.spki != cert.pem.certs[0].spki:
                yield self.finding(
                    f"`{label}`: the private key in `{key.ref.value}` does not match the certificate in "
                    f"`{cert.ref.value}`; "
                    + (
                        "buildkitd refuses to start"
                        if label == "grpc.tls"
                        else "every pull from the registry fails"
                    ),
                    _span_of(ctx.doc, key.ref),
                    related=((_span_of(ctx.doc, cert.ref), "the certificate"),),
                )


@register
class UnusablePrivateKey(_CertRule):
    """Checks that a key file's private key can be used by Go's TLS stack.

    **Why**: `tls.LoadX509KeyPair` cannot decrypt encrypted keys (`ENCRYPTED PRIVATE KEY`, or
    a legacy `Proc-Type: 4,ENCRYPTED` block) and fails on malformed ones, so every pull from
    the registry (or the daemon start, for `grpc.tls`) fails.

    **Bad**: `key = "client-encrypted.key"`

    **Good**: `openssl pkey -in client-encrypted.key -out client.key`, then `key = "client.key"`.

    **Fix**: none.
    """

    code = "BK318"
    name = "unusable-private-key"
    summary = "An encrypted or malformed private key"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref, pem = item.ref, item.pem
            if ref.kind not in _KEY_KINDS or pem is None or not pem.keys:
                continue
            if pem.keys[0].spki is None:
                yield self.finding(
                    f"{_where(ref)}: the private key in `{ref.value}` {pem.keys[0].problem}{_effect(ref)}",
                    _span_of(doc, ref),
                )


# -- validity -------------------------------------------------------------------------------


def _day(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%d")


def _validity_targets(item: _Checked) -> tuple[list[Any], bool]:
    """The certificates whose dates matter, and whether the file is a CA bundle."""
    pem = item.pem
    if pem is None:
        return [], False
    if item.ref.kind in _CA_KINDS:
        return pem.parsed_certs, True
    if item.ref.kind in _CERT_KINDS and pem.certs and pem.certs[0] is not None:
        return [pem.certs[0]], False
    return [], False


@register
class CertExpired(_CertRule):
    """Checks that certificates have not expired.

    **Why**: TLS verification rejects an expired CA or client certificate (`x509:
    certificate has expired or is not yet valid`); buildx and buildkitd copy and load them
    without looking at the dates. A CA bundle is an error when every certificate in it has
    expired, a warning when only some have.

    **Bad**: a CA valid 2020-01-01 to 2021-01-01.

    **Good**: a renewed certificate.

    **Fix**: none.
    """

    code = "BK309"
    name = "cert-expired"
    summary = "An expired certificate"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        now = now_utc()
        for doc, item in self.checked(ctx):
            certs, bundle = _validity_targets(item)
            expired = [c for c in certs if c.not_after < now]
            if not expired:
                continue
            ref = item.ref
            if bundle and len(certs) > 1:
                if len(expired) == len(certs):
                    msg = f"every certificate in `{ref.value}` has expired (the latest on {_day(max(c.not_after for c in certs))})"
                    yield self.finding(f"{_where(ref)}: {msg}", _span_of(doc, ref))
                else:
                    yield self.finding(
                        f"{_where(ref)}: {len(expired)} of {len(certs)} certificates in `{ref.value}` have expired",
                        _span_of(doc, ref),
                        severity=Severity.WARNING,
                    )
                continue
            cert = expired[0]
            yield self.finding(
                f"{_where(ref)}: the certificate in `{ref.value}` ({cert.subject}) expired on {_day(cert.not_after)}; "
                "TLS connections using it fail",
                _span_of(doc, ref),
            )


@register
class CertNotYetValid(_CertRule):
    """Checks that certificates are already valid.

    **Why**: a certificate whose `notBefore` lies in the future is rejected by TLS
    verification until then (often a clock problem where it was issued).

    **Bad**: a certificate issued with a start date next week.

    **Good**: a certificate valid now.

    **Fix**: none.
    """

    code = "BK310"
    name = "cert-not-yet-valid"
    summary = "A certificate that is not valid yet"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        now = now_utc()
        for doc, item in self.checked(ctx):
            certs, _ = _validity_targets(item)
            future = [c for c in certs if c.not_before > now]
            if future and len(future) == len(certs):
                yield self.finding(
                    f"{_where(item.ref)}: the certificate in `{item.ref.value}` is not valid before "
                    f"{_day(min(c.not_before for c in future))}",
                    _span_of(doc, item.ref),
                )


@register
class CertExpiringSoon(_CertRule):
    """Warns about certificates that expire within N days (default 30).

    **Why**: nothing in buildx or buildkitd warns before a registry CA or client certificate
    expires; builds then fail at the first pull. For a CA bundle, bklint warns when every
    still-valid certificate in it expires within the window.

    **Bad**: a client certificate expiring in 5 days.

    **Good**: a certificate renewed well ahead of time.

    **Options**: `cert-expiry-days` (CLI `--cert-expiry-days`), the window in days.

    **Fix**: none.
    """

    code = "BK311"
    name = "cert-expiring-soon"
    summary = "A certificate that expires within the configured number of days"
    severity = Severity.WARNING
    options: ClassVar[dict[str, str]] = {
        "cert-expiry-days": "warn when a certificate expires within this many days (default 30)"
    }

    def check(self, ctx: Context) -> Iterable[Finding]:
        now = now_utc()
        days = ctx.settings.cert_expiry_days
        if days <= 0:
            return
        limit = now + _dt.timedelta(days=days)
        for doc, item in self.checked(ctx):
            certs, _ = _validity_targets(item)
            valid = [c for c in certs if c.not_after >= now]
            if valid and all(c.not_after <= limit for c in valid):
                last = max(c.not_after for c in valid)
                left = (last - now).days
                yield self.finding(
                    f"{_where(item.ref)}: the certificate in `{item.ref.value}` expires on {_day(last)} "
                    f"(in {left} day{'s' if left != 1 else ''}; the window is {days} days)",
                    _span_of(doc, item.ref),
                )


@register
class CaNotACa(_CertRule):
    """Checks that certificates given as `ca` are CA certificates (basicConstraints CA:TRUE).

    **Why**: Go's verifier trusts a CA:FALSE certificate in the pool only as the exact
    certificate the server presents (pinning a self-signed registry certificate); it cannot
    sign anything, so a registry certificate issued by it — or a renewed one — fails with
    `x509: certificate signed by unknown authority`. Usually the leaf was given where its
    issuing CA was meant.

    **Bad**: `ca = ["registry.crt"]` (the registry's own certificate, CA:FALSE)

    **Good**: `ca = ["ca.crt"]` (the CA that issued it)

    **Fix**: none.
    """

    code = "BK312"
    name = "ca-not-a-ca"
    summary = "A `ca` file whose certificates are not CAs"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            if item.ref.kind not in _CA_KINDS or item.pem is None:
                continue
            certs = item.pem.parsed_certs
            leaves = [c for c in certs if not c.is_ca]
            if not leaves:
                continue
            if len(certs) == 1:
                what = f"the certificate in `{item.ref.value}` ({leaves[0].subject}) is not a CA (CA:FALSE)"
            else:
                what = (
                    f"{len(leaves)} of {len(certs)} certificates in `{item.ref.value}` are not CAs (CA:FALSE)"
                )
            yield self.finding(
                f"{_where(item.ref)}: {what}; it is trusted only as the exact certificate a server presents "
                "and cannot vouch for any other",
                _span_of(doc, item.ref),
            )


# -- structure ------------------------------------------------------------------------------


@register
class KeypairIncomplete(_CertRule):
    """Checks that each keypair has both `key` and `cert` (and `grpc.tls` both or neither).

    **Why**: buildx copies a keypair with only one of the two (empty strings are dropped),
    and buildkitd then fails every pull from the registry with `failed to load keypair …
    open : no such file or directory`; buildx before v0.32 even crashed on it. `grpc.tls`
    with only `cert` or only `key` stops the daemon (`you must specify key and cert file if
    one is specified`); `grpc.tls.ca` without them is silently ignored (no client
    authentication happens).

    **Bad**
    ```toml
    [[registry."r.example".keypair]]
    cert = "client.crt"
    ```

    **Good**
    ```toml
    [[registry."r.example".keypair]]
    cert = "client.crt"
    key = "client.key"
    ```

    **Fix**: none.
    """

    code = "BK313"
    name = "keypair-incomplete"
    summary = "A keypair with only a key or only a certificate"
    severity = Severity.ERROR
    reads_files = False  # reads only which keys are set

    def check(self, ctx: Context) -> Iterable[Finding]:
        decoded, doc = ctx.decoded, ctx.doc
        if decoded is None or doc is None:
            return
        for reg in decoded.map_keys("registry"):
            for i in range(decoded.count("registry", reg, "keypair")):
                key = decoded.entry("registry", reg, "keypair", i, "key")
                cert = decoded.entry("registry", reg, "keypair", i, "cert")
                has_key = key is not None and key.value != ""
                has_cert = cert is not None and cert.value != ""
                if has_key == has_cert:
                    if not has_key:
                        nodes = decoded.tables.get(("registry", reg, "keypair", i)) or []
                        span = doc.node_span(nodes[0]) if nodes else doc.span(0, 0)
                        yield self.finding(
                            f'`registry."{reg}".keypair[{i}]` has neither `key` nor `cert`; it does nothing',
                            span,
                            severity=Severity.WARNING,
                        )
                    continue
                present = key if has_key else cert
                assert present is not None
                missing = "cert" if has_key else "key"
                yield self.finding(
                    f'`registry."{reg}".keypair[{i}]` has no `{missing}`; buildkitd fails every pull from '
                    f"`{reg}` (failed to load keypair)",
                    doc.value_span(present.node),
                )
        gkey = decoded.entry("grpc", "tls", "key")
        gcert = decoded.entry("grpc", "tls", "cert")
        gca = decoded.entry("grpc", "tls", "ca")
        has_key = gkey is not None and gkey.value != ""
        has_cert = gcert is not None and gcert.value != ""
        if has_key != has_cert:
            present = gkey if has_key else gcert
            assert present is not None
            yield self.finding(
                f"`grpc.tls` has `{'key' if has_key else 'cert'}` without `{'cert' if has_key else 'key'}`; "
                "buildkitd refuses to start (you must specify key and cert file if one is specified)",
                doc.value_span(present.node),
            )
        elif not has_key and gca is not None and gca.value != "":
            yield self.finding(
                "`grpc.tls.ca` without `cert` and `key` is ignored: the daemon serves no TLS, so no client "
                "certificate is checked",
                doc.value_span(gca.node),
                severity=Severity.WARNING,
            )


@register
class CertDestinationCollision(_CertRule):
    """Checks that no two files buildx copies land on the same destination.

    **Why**: buildx stores each registry file as `certs/<registry>/<basename>`, where
    `<registry>` has every run of characters outside `[a-zA-Z0-9.-]` replaced by `_`. Two
    files with one basename under a registry (`a/ca.pem`, `b/ca.pem`), or under registries
    whose names sanitise alike (`r.io:5000` and `r.io_5000`), share one destination: only one
    content survives — for different registries, which one varies from run to run — and
    every rewritten path points at it. A keypair whose key and cert share a basename ends up
    with the certificate in both places, so the pair is broken (error). A registry named `..`
    whose file is called `buildkitd.toml` is overwritten by the config itself. Identical
    files (the same file listed twice) are harmless and not reported.

    **Bad**
    ```toml
    [registry."r.example"]
    ca = ["corp/ca.pem", "partner/ca.pem"]
    ```

    **Good**
    ```toml
    [registry."r.example"]
    ca = ["corp/corp-ca.pem", "partner/partner-ca.pem"]
    ```

    **Fix**: none; rename one of the files.
    """

    code = "BK314"
    name = "cert-destination-collision"
    summary = "Two certificate files buildx would copy to the same destination"
    severity = Severity.WARNING
    reads_files = False  # reads files only to excuse identical copies

    def check(self, ctx: Context) -> Iterable[Finding]:
        decoded, doc = ctx.decoded, ctx.doc
        if decoded is None or doc is None:
            return
        plan = copy_plan(decoded, ctx.settings.base_dir)
        for dest, items in plan.by_destination().items():
            shown = f"{DEFAULT_PREFIX}/{dest}"
            if dest == CONFIG_NAME:
                for item in items:
                    yield self.finding(
                        f"{_where(item.ref)}: buildx would copy `{item.ref.value}` to `{shown}`, where the config "
                        "itself is written: the file is lost and the path points at the config",
                        _span_of(doc, item.ref),
                    )
                continue
            contents = {_identity(read_file(i.source, ctx.cache), i.source) for i in items}
            if len(contents) < 2:
                continue
            registries = {i.ref.registry for i in items}
            pair_broken = any(
                a.ref.registry == b.ref.registry
                and a.ref.index == b.ref.index
                and {a.ref.kind, b.ref.kind} == {"key", "cert"}
                for a in items
                for b in items
            )
            survivor = items[-1] if len(registries) == 1 else None
            for item in items:
                if item is survivor:
                    continue
                others = ", ".join(f"`{o.ref.label}` = `{o.ref.value}`" for o in items if o is not item)
                if survivor is None:
                    fate = "which file survives depends on buildx's map order and changes between runs"
                else:
                    fate = f"`{survivor.ref.value}` overwrites this one"
                msg = f"{_where(item.ref)}: buildx copies `{item.ref.value}` to `{shown}`, as it does {others}; {fate}"
                if pair_broken:
                    msg += "; the keypair's key and cert then hold the same file and every pull fails"
                yield self.finding(
                    msg,
                    _span_of(doc, item.ref),
                    severity=Severity.ERROR if pair_broken else None,
                )


def _identity(info: FileInfo, source: str) -> object:
    """Files with the same bytes collide harmlessly; unreadable ones are told apart by path."""
    if info.status == "ok":
        return ("bytes", info.copied_bytes)
    return ("path", os.path.realpath(source) if source else source)


@register
class CertPathNotCopied(_CertRule):
    """Reports `grpc.tls` and `tlsconfigdir` paths, which buildx does not copy into a builder.

    **Why**: `docker buildx create --config` copies only registry `ca` and `keypair` files and
    rewrites only their paths; `grpc.tls.*` and `registry.*.tlsconfigdir` keep their host
    paths, which usually do not exist inside the builder container (a missing `tlsconfigdir`
    is then skipped silently, a missing `grpc.tls` file stops the daemon). Fine when the
    config is deployed where these paths exist (image, volume, ConfigMap).

    **Bad** (with `docker buildx create`)
    ```toml
    [registry."r.example"]
    tlsconfigdir = ["/etc/docker/certs.d/r.example"]
    ```

    **Good**
    ```toml
    [registry."r.example"]
    ca = ["/etc/docker/certs.d/r.example/ca.crt"]
    ```

    **Fix**: none.
    """

    code = "BK315"
    name = "cert-path-not-copied"
    summary = "A grpc.tls or tlsconfigdir path buildx does not copy into the builder"
    severity = Severity.INFO
    reads_files = False  # reads only which keys name the paths

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            ref = item.ref
            if ref.copied:
                continue
            if ref.kind == "tlsconfigdir":
                tip = "list its files under `ca`/`keypair` to have buildx copy them"
            else:
                tip = "mount the files into the builder at this path"
            yield self.finding(
                f"{_where(ref)}: `docker buildx create` does not copy `{ref.value}` into the builder; {tip}",
                _span_of(doc, ref),
            )


_IGNORED_LOOKALIKES = (".pem", ".cer", ".der", ".ca-bundle", ".p12", ".pfx", ".ca")


@register
class TlsConfigDirContents(_CertRule):
    """Checks what buildkitd will load from a `tlsconfigdir` folder.

    **Why**: buildkitd reads a `tlsconfigdir` like Docker's `certs.d`: every `*.crt` is a CA,
    every `*.cert` is a client certificate whose key must be the `*.key` of the same name.
    **`*.pem`, `*.cer` and every other name are ignored**, and a `*.key` without its `*.cert`
    does nothing. A folder without any `*.crt` or `*.cert` has no effect at all.

    **Bad**: `certs.d/r.example/ca.pem`, `client.pem`, `client-key.pem`

    **Good**: `certs.d/r.example/ca.crt`, `client.cert`, `client.key`

    **Fix**: none; rename the files.
    """

    code = "BK316"
    name = "tlsconfigdir-ignored-files"
    summary = "Files in a tlsconfigdir that buildkitd ignores"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            folder = item.folder
            if folder is None or folder.status != "ok":
                continue
            names = folder.names
            stems = {n[: -len(".cert")] for n in names if n.endswith(".cert")}
            ignored = [
                n
                for n in names
                if n.lower().endswith(_IGNORED_LOOKALIKES) and not n.endswith((".crt", ".cert", ".key"))
            ]
            lone_keys = [n for n in names if n.endswith(".key") and n[: -len(".key")] not in stems]
            ref = item.ref
            if ignored or lone_keys:
                listed = ", ".join(f"`{n}`" for n in [*ignored, *lone_keys][:5])
                more = "" if len(ignored) + len(lone_keys) <= 5 else ", …"
                yield self.finding(
                    f"{_where(ref)}: buildkitd ignores {listed}{more} in `{ref.value}` (it loads only `*.crt` CAs "
                    "and `*.cert` + `*.key` pairs)",
                    _span_of(doc, ref),
                )
            elif not any(n.endswith((".crt", ".cert")) for n in names):
                yield self.finding(
                    f"{_where(ref)}: `{ref.value}` holds no `*.crt` or `*.cert` file, so nothing is loaded from it",
                    _span_of(doc, ref),
                )


@register
class TlsConfigDirCertWithoutKey(_CertRule):
    """Checks that every `*.cert` in a `tlsconfigdir` has its `*.key`.

    **Why**: for `client.cert` buildkitd loads `client.key` from the same folder; when it is
    missing, every pull from the registry fails with `failed to load keypair for client.cert`.
    The `*.crt` CA files there must hold PEM certificates (else they are silently ignored).

    **Bad**: `certs.d/r.example/client.cert` alone

    **Good**: `certs.d/r.example/client.cert` and `certs.d/r.example/client.key`

    **Fix**: none.
    """

    code = "BK317"
    name = "tlsconfigdir-cert-without-key"
    summary = "A client certificate in a tlsconfigdir without its key (or a CA file there that is not PEM)"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for doc, item in self.checked(ctx):
            folder = item.folder
            if folder is None or folder.status != "ok":
                continue
            names = set(folder.names)
            ref = item.ref
            for name in sorted(names):
                if name.endswith(".cert") and f"{name[: -len('.cert')]}.key" not in names:
                    yield self.finding(
                        f"{_where(ref)}: `{name}` in `{ref.value}` has no `{name[: -len('.cert')]}.key`; every pull "
                        f"from `{ref.registry}` fails (failed to load keypair)",
                        _span_of(doc, ref),
                    )
                elif name.endswith(".crt"):
                    info = read_file(os.path.join(item.path, name), ctx.cache)
                    if info.status != "ok":
                        continue
                    pem = inspect_pem(info.copied_bytes, ctx.cache, info.path)
                    if not pem.parsed_certs:
                        yield self.finding(
                            f"{_where(ref)}: the CA file `{name}` in `{ref.value}` holds no PEM certificate; "
                            "buildkitd ignores it without a word",
                            _span_of(doc, ref),
                            severity=Severity.WARNING,
                        )
