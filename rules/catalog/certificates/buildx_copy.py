"""BK313–BK317: what `docker buildx create` copies into the builder, and what buildkitd
then loads from a tlsconfigdir."""

from __future__ import annotations

import os
from collections.abc import Iterable

from bklint.rules.base import Finding, Severity, register
from bklint.rules.buildx_certs import (
    CONFIG_NAME,
    DEFAULT_PREFIX,
    FileInfo,
    copy_plan,
    inspect_pem,
    name_problem,
    read_file,
)
from bklint.rules.catalog.certificates.checked import CertRule, analyse, quoted_label, span_of
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded


@register
class KeypairIncomplete(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for reg in decoded.map_keys("registry"):
            for i in range(decoded.count("registry", reg, "keypair")):
                if ("registry", reg, "keypair", i) in decoded.incomplete:
                    continue  # what it seems to lack may be on a line the parse could not read
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
        if ("grpc", "tls") in decoded.incomplete:
            return
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
class CertDestinationCollision(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        plan = copy_plan(decoded, ctx.settings.base_dir)
        for dest, items in plan.by_destination().items():
            shown = f"{DEFAULT_PREFIX}/{dest}"
            if dest == CONFIG_NAME:
                for item in items:
                    yield self.finding(
                        f"{quoted_label(item.ref)}: buildx would copy `{item.ref.value}` to `{shown}`, where the config "
                        "itself is written: the file is lost and the path points at the config",
                        span_of(doc, item.ref),
                    )
                continue
            contents = {_identity(read_file(i.source, ctx.memo.files), i.source) for i in items}
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
                msg = f"{quoted_label(item.ref)}: buildx copies `{item.ref.value}` to `{shown}`, as it does {others}; {fate}"
                if pair_broken:
                    msg += "; the keypair's key and cert then hold the same file and every pull fails"
                yield self.finding(
                    msg,
                    span_of(doc, item.ref),
                    severity=Severity.ERROR if pair_broken else None,
                )


def _identity(info: FileInfo, source: str) -> object:
    """Files with the same bytes collide harmlessly; unreadable ones are told apart by path."""
    if info.status == "ok":
        return ("bytes", info.copied_bytes)
    return ("path", os.path.realpath(source) if source and name_problem(source) is None else source)


@register
class CertPathNotCopied(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            ref = item.ref
            if ref.copied:
                continue
            if ref.kind == "tlsconfigdir":
                tip = "list its files under `ca`/`keypair` to have buildx copy them"
            else:
                tip = "mount the files into the builder at this path"
            yield self.finding(
                f"{quoted_label(ref)}: `docker buildx create` does not copy `{ref.value}` into the builder; {tip}",
                span_of(doc, ref),
            )


_IGNORED_LOOKALIKES = (".pem", ".cer", ".der", ".ca-bundle", ".p12", ".pfx", ".ca")


@register
class TlsConfigDirContents(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
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
                    f"{quoted_label(ref)}: buildkitd ignores {listed}{more} in `{ref.value}` (it loads only `*.crt` CAs "
                    "and `*.cert` + `*.key` pairs)",
                    span_of(doc, ref),
                )
            elif not any(n.endswith((".crt", ".cert")) for n in names):
                yield self.finding(
                    f"{quoted_label(ref)}: `{ref.value}` holds no `*.crt` or `*.cert` file, so nothing is loaded from it",
                    span_of(doc, ref),
                )


@register
class TlsConfigDirCertWithoutKey(CertRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            folder = item.folder
            if folder is None or folder.status != "ok":
                continue
            names = set(folder.names)
            ref = item.ref
            for name in sorted(names):
                if name.endswith(".cert") and f"{name[: -len('.cert')]}.key" not in names:
                    yield self.finding(
                        f"{quoted_label(ref)}: `{name}` in `{ref.value}` has no `{name[: -len('.cert')]}.key`; every pull "
                        f"from `{ref.registry}` fails (failed to load keypair)",
                        span_of(doc, ref),
                    )
                elif name.endswith(".crt"):
                    info = read_file(os.path.join(item.path, name), ctx.memo.files)
                    if info.status != "ok":
                        continue
                    pem = inspect_pem(info.copied_bytes, ctx.memo.pems, info.path)
                    if pem.inspected and not pem.parsed_certs:
                        yield self.finding(
                            f"{quoted_label(ref)}: the CA file `{name}` in `{ref.value}` holds no PEM certificate; "
                            "buildkitd ignores it without a word",
                            span_of(doc, ref),
                            severity=Severity.WARNING,
                        )
