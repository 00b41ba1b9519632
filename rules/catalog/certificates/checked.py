"""What the certificate rules share: each path the config names, read and analysed once per run,
and the base class of rules that report on those paths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bklint.rules.base import Rule
from bklint.rules.buildx_certs import (
    DirInfo,
    FileInfo,
    PathRef,
    PemInfo,
    inspect_pem,
    path_refs,
    read_dir,
    read_file,
    resolve,
)
from bklint.rules.context import Context
from bklint.rules.document import Document

_ANALYSIS = "bklint.certs.analysis"


# Copied registry files and grpc.tls files are PEM files; tlsconfigdir is a folder.
CA_KINDS = ("ca", "grpc-ca")


CERT_KINDS = ("cert", "grpc-cert")


@dataclass(slots=True)
class Checked:
    ref: PathRef
    path: str  # resolved
    file: FileInfo | None = None
    folder: DirInfo | None = None
    pem: PemInfo | None = None

    @property
    def readable(self) -> bool:
        return self.file is not None and self.file.status == "ok"


def analyse(ctx: Context) -> list[Checked]:
    """Read every referenced path once per run (bounded, non-blocking) and parse its PEM."""
    cached = ctx.cache.get(_ANALYSIS)
    if cached is not None:
        result: list[Checked] = cached
        return result
    out: list[Checked] = []
    if ctx.decoded is not None and ctx.doc is not None:
        for ref in path_refs(ctx.decoded):
            if ref.kind in ("key", "cert") and ref.value == "":
                continue  # buildx skips empty key/cert strings; BK313 reports the pair
            path = resolve(ref.value, ctx.settings.base_dir)
            checked = Checked(ref, path)
            if ref.kind == "tlsconfigdir":
                checked.folder = read_dir(path, ctx.cache)
            else:
                checked.file = read_file(path, ctx.cache)
                if checked.file.status == "ok":
                    checked.pem = inspect_pem(checked.file.copied_bytes, ctx.cache, path)
            out.append(checked)
    ctx.cache[_ANALYSIS] = out
    return out


def quoted_label(ref: PathRef) -> str:
    return f"`{ref.label}`"


def span_of(doc: Document, ref: PathRef) -> Any:
    return doc.value_span(ref.node)


class CertRule(Rule):
    """Shared plumbing; not registered."""

    reads_files = True

    def checked(self, ctx: Context) -> Iterator[tuple[Document, Checked]]:
        if ctx.doc is None:
            return
        for item in analyse(ctx):
            yield ctx.doc, item
