"""What the certificate rules share: each path the config names, read and analysed once per run,
and the base class of rules that report on those paths."""

from __future__ import annotations

from bklint.rules.base import ParsedRule
from bklint.rules.buildx_certs import (
    Checked,
    PathRef,
    inspect_pem,
    path_refs,
    read_dir,
    read_file,
    resolve,
)
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.schema.tree import path_keys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Copied registry files and grpc.tls files are PEM files; tlsconfigdir is a folder.
CA_KINDS = ("ca", "grpc-ca")


CERT_KINDS = ("cert", "grpc-cert")



def analyse(ctx: Context, decoded: Decoded) -> list[Checked]:
    """Read every referenced path once per run (bounded, non-blocking) and parse its PEM."""
    if ctx.memo.cert_paths is not None:
        return ctx.memo.cert_paths
    out: list[Checked] = []
    for ref in path_refs(decoded):
        if ref.kind in ("key", "cert") and ref.value == "":
            continue  # buildx skips empty key/cert strings; BK313 reports the pair
        path = resolve(ref.value, ctx.settings.base_dir)
        checked = Checked(ref, path)
        if ref.kind == "tlsconfigdir":
            checked.folder = read_dir(path, ctx.memo.dirs)
        else:
            checked.file = read_file(path, ctx.memo.files)
            if checked.file.status == "ok":
                checked.pem = inspect_pem(checked.file.copied_bytes, ctx.memo.pems, path)
        out.append(checked)
    ctx.memo.cert_paths = out
    return out


def quoted_label(ref: PathRef) -> str:
    return f"`{ref.label}`"


def span_of(doc: Document, ref: PathRef) -> Any:
    return doc.value_span(ref.node)



class CertRule(ParsedRule):
    """A rule about the certificate files the config names (not registered)."""

    reads_files = True
    # The keys that name certificate files or folders (a keypair's table, not its two keys).
    triggers = tuple(sorted({".".join(p[:3]).lower() for p in path_keys("file") | path_keys("dir")}))
