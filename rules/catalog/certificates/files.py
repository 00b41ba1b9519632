"""BK301–BK305: whether a certificate, key or tlsconfigdir path can be read at all."""

from __future__ import annotations

import os
from collections.abc import Iterable

from bklint.rules.base import Finding, Severity, register
from bklint.rules.buildx_certs import (
    COPY_LIMIT,
    DEFAULT_PREFIX,
    PathRef,
)
from bklint.rules.catalog.certificates.checked import CertRule, analyse, quoted_label, span_of
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded


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


@register
class CertFileNotFound(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            ref = item.ref
            status = item.file.status if item.file else item.folder.status if item.folder else "ok"
            if status == "empty-path":
                yield self.finding(f"{quoted_label(ref)} is an empty path; {_consequence(ref)}", span_of(doc, ref))
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
                    f"{quoted_label(ref)}: {_shown(ref, item.path)} {reason}; {_consequence(ref)}{where}",
                    span_of(doc, ref),
                    severity=None if ref.copied else Severity.WARNING,
                )


@register
class CertFileAbsentHere(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
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
                f"{quoted_label(ref)}: `{ref.value}` does not exist on this machine{tail}",
                span_of(doc, ref),
                severity=Severity.INFO if in_builder else None,
            )


@register
class CertPathNotAFile(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            ref = item.ref
            if item.folder is not None:
                if item.folder.status == "not-directory":
                    yield self.finding(
                        f"{quoted_label(ref)}: `{ref.value}` {item.folder.reason}; buildkitd fails every pull from "
                        f"`{ref.registry}` with `open …: not a directory`",
                        span_of(doc, ref),
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
                    f"{quoted_label(ref)}: `{ref.value}` is a {kind}, not a regular file; {what}",
                    span_of(doc, ref),
                )


@register
class CertFileUnreadable(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            ref = item.ref
            info = item.file or item.folder
            if info is None or info.status != "unreadable":
                continue
            yield self.finding(
                f"{quoted_label(ref)}: `{ref.value}` cannot be read ({info.reason}); {_consequence(ref)}",
                span_of(doc, ref),
                severity=Severity.WARNING if ref.kind == "tlsconfigdir" else None,
            )


@register
class CertFileTooLarge(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            if item.ref.copied and item.file is not None and item.file.too_large:
                yield self.finding(
                    f"{quoted_label(item.ref)}: `{item.ref.value}` is larger than 1 MiB ({COPY_LIMIT:,} bytes); "
                    "`docker buildx create` copies only the first 1 MiB into the builder, so the rest is lost",
                    span_of(doc, item.ref),
                )
