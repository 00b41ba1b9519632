"""BK306–BK308, BK318, BK319: what the certificate and key files hold (PEM blocks, keypairs, keys)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bklint.rules.base import Finding, Severity, register
from bklint.rules.buildx_certs import (
    Checked,
    PathRef,
)
from bklint.rules.catalog.certificates.checked import (
    CA_KINDS,
    CERT_KINDS,
    CertRule,
    analyse,
    quoted_label,
    span_of,
)
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded

_KEY_KINDS = ("key", "grpc-key")


def _not_pem_reason(data: bytes) -> str:
    if not data.strip():
        return "is empty"
    if data[:1] == b"\x30":
        return "holds no PEM data (it looks like binary DER; convert it with `openssl x509 -inform der`)"
    return "holds no PEM data"


@register
class CertFileNotPem(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            ref, pem, file = item.ref, item.pem, item.file
            if pem is None or file is None:
                continue
            data = file.copied_bytes
            if not pem.has_pem:
                yield self.finding(
                    f"{quoted_label(ref)}: `{ref.value}` {_not_pem_reason(data)}{_effect(ref)}", span_of(doc, ref)
                )
                continue
            if not pem.inspected:
                continue  # BK319
            if ref.kind in CA_KINDS and pem.cert_blocks and not pem.parsed_certs:
                yield self.finding(
                    f"{quoted_label(ref)}: no CERTIFICATE block in `{ref.value}` is a valid X.509 certificate{_effect(ref)}",
                    span_of(doc, ref),
                )
            elif ref.kind in CERT_KINDS and pem.cert_blocks and pem.certs[0] is None:
                yield self.finding(
                    f"{quoted_label(ref)}: the first CERTIFICATE block of `{ref.value}` is not a valid X.509 "
                    f"certificate{_effect(ref)}",
                    span_of(doc, ref),
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
class CertFileWrongPemBlock(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            ref, pem = item.ref, item.pem
            if pem is None or not pem.has_pem:
                continue
            found = ", ".join(sorted(set(pem.blocks)))
            if ref.kind in CA_KINDS or ref.kind in CERT_KINDS:
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
                        f"{quoted_label(ref)}: `{ref.value}` has no CERTIFICATE block (found: {found}){_effect(ref)}.{extra}",
                        span_of(doc, ref),
                    )
                elif ref.kind in CA_KINDS and pem.keys:
                    yield self.finding(
                        f"{quoted_label(ref)}: the CA file `{ref.value}` also holds a private key; "
                        + (
                            "buildx copies it into the builder with the certificates"
                            if ref.kind == "ca"
                            else "a CA file should hold certificates only"
                        ),
                        span_of(doc, ref),
                        severity=Severity.WARNING,
                    )
            elif ref.kind in _KEY_KINDS and not pem.keys:
                extra = "; are the key and cert paths swapped?" if pem.cert_blocks else ""
                yield self.finding(
                    f"{quoted_label(ref)}: `{ref.value}` has no PRIVATE KEY block (found: {found}){_effect(ref)}{extra}",
                    span_of(doc, ref),
                )


def _pairs(ctx: Context, decoded: Decoded) -> Iterator[tuple[str, Checked | None, Checked | None]]:
    """(label, key, cert) for every registry keypair and for grpc.tls."""
    items = analyse(ctx, decoded)
    pairs: dict[tuple[str | None, int | None], dict[str, Checked]] = {}
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
class KeypairMismatch(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for label, key, cert in _pairs(ctx, decoded):
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
                    span_of(doc, key.ref),
                    related=((span_of(doc, cert.ref), "the certificate"),),
                )


@register
class UnusablePrivateKey(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            ref, pem = item.ref, item.pem
            if ref.kind not in _KEY_KINDS or pem is None or not pem.keys:
                continue
            if pem.keys[0].spki is None and pem.keys[0].problem:  # no problem: not inspected (BK319)
                yield self.finding(
                    f"{quoted_label(ref)}: the private key in `{ref.value}` {pem.keys[0].problem}{_effect(ref)}",
                    span_of(doc, ref),
                )


@register
class CertContentsUnchecked(CertRule):
    """Says, once per file, that certificate and key contents were not checked.

    **Why**: reading what a certificate or key holds (validity dates, the CA flag, whether a key
    matches its certificate, whether a key is encrypted or malformed) needs the Python package
    `cryptography`. bklint runs without it where it cannot be installed, such as the VS Code
    extension's bundled server, which ships no native libraries. Every other check still runs
    (paths, file types, sizes, what buildx copies, which PEM blocks a file holds); the checks
    of the contents are skipped rather than guessed, and this finding says so.

    **Bad**: `ca = ["ca.pem"]` checked by a bklint without `cryptography`.

    **Good**: a bklint installed with its dependencies (`python -m pip install /path/to/bklint`;
    in VS Code, `bklint.importStrategy` = `fromEnvironment` with that Python).

    **Fix**: none.
    """

    code = "BK319"
    name = "cert-contents-unchecked"
    summary = "Certificate contents not checked: the Python package cryptography is missing"
    severity = Severity.INFO

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        unchecked = [item for item in analyse(ctx, decoded) if item.pem is not None and not item.pem.inspected]
        if not unchecked:
            return
        first = unchecked[0]
        files = list(dict.fromkeys(item.ref.value for item in unchecked))
        shown = ", ".join(f"`{name}`" for name in files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        yield self.finding(
            f"certificate contents not checked in {shown}: this bklint runs without the Python package "
            "`cryptography`, so expiry and not-yet-valid dates, CA flags, key/certificate matches and "
            "encrypted or malformed keys (BK306's X.509 check, BK308–BK312, BK317's CA check, BK318) "
            "were skipped; every other check ran",
            span_of(doc, first.ref),
        )
