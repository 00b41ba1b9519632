"""`bklint certs`: do what `docker buildx create --config` does with registry certificates.

buildx (``confutil.LoadConfigFiles``) loads the config, copies every registry ``ca`` and
``keypair`` key/cert file to ``/etc/buildkit/certs/<registry>/<basename>`` (1 MiB at most
each), rewrites those paths and re-serialises the whole file — losing comments and layout.
This command produces the same tree but edits only the path strings, and says out loud what
buildx does silently: files that land on one destination, truncated files, and paths it
never copies (``grpc.tls``, ``tlsconfigdir``).

Without ``--out`` it prints the rewritten config and the copy plan; with ``--out DIR`` it
writes ``DIR/buildkitd.toml`` and ``DIR/certs/…``. Every source is read before anything is
written, and nothing is written outside DIR: destinations are checked component by
component, symlinks inside DIR are refused, and a new DIR is built in a temporary folder
next to it and renamed into place.
"""

from __future__ import annotations

import json
import os
import sys

from bklint.linter import noqa
from bklint.linter.cli import EXIT_FINDINGS, EXIT_OK, UsageError
from bklint.linter.config import ConfigError, SettingsResolver
from bklint.linter.confined import write_tree
from bklint.linter.files import read_file as read_config
from bklint.linter.findings import apply as filter_findings
from bklint.linter.report.common import row_col
from bklint.linter.run import build_context, rules
from bklint.linter.settings import Settings
from bklint.linter.source import decode_bytes
from bklint.rules import toml_text
from bklint.rules.base import Finding
from bklint.rules.buildx_certs import (
    CONFIG_NAME,
    COPY_LIMIT,
    DEFAULT_PREFIX,
    CopyPlan,
    copy_plan,
    destination,
    go_clean,
    go_join,
    read_file,
    resolve,
)
from bklint.rules.catalog.keys.spelling import RegistryTableSpelling
from bklint.rules.context import Context
from bklint.rules.document import Document, format_path
from bklint.rules.record import Record
from bklint.rules.schema.decode import Decoded

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


# The rules that model what buildx's copy does silently: a truncated file (BK305), an
# incomplete keypair (BK313), files landing on one destination (BK314), paths never copied (BK315).
COPY_CODES = ("BK305", "BK313", "BK314", "BK315")

_NOUN = {"ca": "CA", "key": "key", "cert": "cert"}


class CertsError(Exception):
    """buildx would refuse this config (or bklint refuses to write): the reason."""


class CertsResult(Record):
    __slots__ = ("config", "findings", "outputs", "plan", "prefix", "secret", "warnings")

    config: str
    plan: CopyPlan
    prefix: str
    # The tree buildx would store: relative path -> bytes (the config included).
    outputs: dict[str, bytes]
    # BK305/BK313/BK314/BK315 as ``check`` reports them, after the finding filter.
    findings: list[Finding]
    warnings: list[str]
    # Relative paths of files that hold private keys (written 0600).
    secret: set[str]

    def __init__(
        self,
        config: str,
        plan: CopyPlan,
        prefix: str,
        outputs: dict[str, bytes] | None = None,
        findings: list[Finding] | None = None,
        warnings: list[str] | None = None,
        secret: set[str] | None = None,
    ) -> None:
        self.config = config
        self.plan = plan
        self.prefix = prefix
        self.outputs = {} if outputs is None else outputs
        self.findings = [] if findings is None else findings
        self.warnings = [] if warnings is None else warnings
        self.secret = set() if secret is None else secret

    def files(self) -> list[dict[str, str]]:
        return [{"source": i.source, "destination": i.destination(self.prefix)} for i in self.plan.items]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the buildkitd.toml given to `docker buildx create --config`")
    p.add_argument("--out", metavar="DIR", help="write DIR/buildkitd.toml and DIR/certs/<registry>/<file>")
    p.add_argument(
        "--prefix",
        default=DEFAULT_PREFIX,
        help=f"where the tree is mounted in the builder (default: {DEFAULT_PREFIX})",
    )
    p.add_argument(
        "--base-dir",
        metavar="DIR",
        help="resolve relative certificate paths against DIR, as buildx does against its working directory "
        "(default: the current directory)",
    )
    p.add_argument(
        "--output-format", choices=("text", "json"), default="text", help="how to print the result"
    )


# -- building the tree ----------------------------------------------------------------------


def build(path: str, base_dir: str, prefix: str = DEFAULT_PREFIX) -> CertsResult:
    """Everything buildx would store for ``path``, or :class:`CertsError` where it fails."""
    data = _read_config(path)
    # The project's bklint configuration applies as it does for `check` (one resolver).
    rules()  # the catalog, before selectors in the configuration are checked
    try:
        settings = SettingsResolver({}, "cli").for_path(path).copy()
    except ConfigError as exc:
        raise CertsError(str(exc)) from None
    settings.rules.base_dir = base_dir
    source = decode_bytes(data)
    if source.problems:
        raise CertsError(f"failed to load buildkit configuration file: {path}: {source.problems[0].message}")
    ctx = build_context(source, path, settings)
    if ctx.syntax:
        s = ctx.syntax[0]
        raise CertsError(
            f"failed to load buildkit configuration file: {path}: invalid TOML at line {s.line + 1}, "
            f"column {s.column + 1}: {s.message}"
        )
    doc, decoded = ctx.doc, ctx.decoded
    if doc is None or decoded is None:  # pragma: no cover - readable text always parses or fails above
        raise CertsError(f"failed to load buildkit configuration file: {path}")
    if decoded.errors:
        issue = decoded.errors[0]
        raise CertsError(
            f"failed to load buildkit configuration file: {path}: `{format_path(issue.path)}` {issue.message}"
        )
    _check_registry_spelling(ctx)

    plan = copy_plan(decoded, base_dir)
    result = CertsResult("", plan, prefix)
    for item in plan.items:
        info = read_file(item.source)
        if info.status != "ok":
            raise CertsError(
                f"failed to read {_NOUN[item.ref.kind]} file: {item.ref.value}: {_why(info.reason, info.kind)}"
            )
        result.outputs[item.dest] = info.copied_bytes
        if item.ref.kind == "key":
            result.secret.add(item.dest)
    result.findings = _findings(ctx, path, settings)
    result.warnings = [_shown(path, f) for f in result.findings]
    result.config = rewrite(doc, decoded, prefix)
    result.outputs[CONFIG_NAME] = result.config.encode("utf-8")
    result.secret.discard(CONFIG_NAME)
    return result


def _why(reason: str, kind: str) -> str:
    return "is a directory" if kind == "directory" else reason


def _read_config(path: str) -> bytes:
    try:
        os.stat(path)
    except FileNotFoundError:
        raise CertsError(f"buildkit configuration file not found: {path}") from None
    except OSError as exc:
        raise CertsError(f"invalid buildkit configuration file: {path}: {exc.strerror or exc}") from None
    got = read_config(path)
    if got.data is None:
        reason = "is a directory" if os.path.isdir(path) else got.error
        raise CertsError(f"failed to read buildkit configuration file: {path}: {reason}")
    if len(got.data) > COPY_LIMIT:
        raise CertsError(
            f"failed to read buildkit configuration file: {path}: it is larger than 1 MiB; buildx parses only "
            "its first 1 MiB when rewriting it, so the result would be cut off"
        )
    return got.data


def _check_registry_spelling(ctx: Context) -> None:
    """buildx looks registries up under the literal key ``registry``: BK106 is a refusal here,
    whatever the filter says about reporting it."""
    for finding in RegistryTableSpelling().check(ctx):
        raise CertsError(finding.message)


def _findings(ctx: Context, path: str, settings: Settings) -> list[Finding]:
    """What buildx does silently, as the rules word it (``check`` says the same), filtered."""
    raw = [f for rule in rules() if type(rule).code in COPY_CODES for f in rule.check(ctx)]
    for finding in raw:
        finding.path = path
    kept = filter_findings(raw, settings, path, noqa.parse_directives(ctx.source.text, ctx.doc))
    return sorted(kept, key=lambda f: f.sort_key)


def _shown(path: str, finding: Finding) -> str:
    """A finding as ``check --output-format concise`` prints it."""
    row, col = row_col(finding.span.start)
    return f"{path}:{row}:{col}: {finding.code} {finding.message}"


# -- rewriting the config -------------------------------------------------------------------


def rewrite(doc: Document, decoded: Decoded, prefix: str = DEFAULT_PREFIX) -> str:
    """The config with each copied path replaced by its destination; the rest byte-identical.

    Path strings are replaced in place. Where buildx changes structure — a keypair entry with
    other keys (dropped), empty strings (dropped), or a differently spelled `KeyPair`/`CA`
    (buildx adds a lower-case one next to it) — the file goes through tomlkit instead, which
    still keeps comments and layout outside the changed tables.
    """
    edits = _path_edits(doc, decoded, prefix)
    if edits is None:
        return _tomlkit_rewrite(doc.text, decoded, prefix)
    text = doc.text
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
    return text


def _dest(prefix: str, registry: str, value: str) -> str:
    return go_join(prefix, destination(registry, value))


def _path_edits(doc: Document, decoded: Decoded, prefix: str) -> list[tuple[int, int, str]] | None:
    edits: list[tuple[int, int, str]] = []
    for reg in decoded.map_keys("registry"):
        reg_node = doc.find("registry", reg)
        if reg_node is None:
            return None
        ca = decoded.entry("registry", reg, "ca")
        if ca is not None and isinstance(ca.value, list) and ca.value:
            node = reg_node.child("ca")
            if node is not ca.node or node.items is None or len(node.items) != len(ca.value):
                return None
            for item, value in zip(node.items, ca.value, strict=True):
                if item.kind != "value" or not isinstance(value, str):
                    return None
                raw = doc.text[item.value_start : item.value_end]
                edits.append((item.value_start, item.value_end, toml_text.string(_dest(prefix, reg, value), raw)))
        count = decoded.count("registry", reg, "keypair")
        if count:
            kp_node = reg_node.child("keypair")
            if kp_node is None or kp_node.items is None or len(kp_node.items) != count:
                return None
            for i, entry_node in enumerate(kp_node.items):
                wanted = {}
                for part in ("key", "cert"):
                    e = decoded.entry("registry", reg, "keypair", i, part)
                    if e is not None and isinstance(e.value, str) and e.value:
                        wanted[part] = e
                if set(entry_node.children or {}) != set(wanted):
                    return None
                for part, e in wanted.items():
                    child = (entry_node.children or {})[part]
                    if child is not e.node or child.kind != "value":
                        return None
                    raw = doc.text[child.value_start : child.value_end]
                    edits.append(
                        (child.value_start, child.value_end, toml_text.string(_dest(prefix, reg, e.value), raw))
                    )
    return edits


def _tomlkit_rewrite(text: str, decoded: Decoded, prefix: str) -> str:
    import tomlkit
    from tomlkit.items import InlineTable

    document = tomlkit.parse(text)
    registry = document["registry"]
    for reg in decoded.map_keys("registry"):
        reg_out = registry[reg]
        cas = decoded.value("registry", reg, "ca")
        if isinstance(cas, list) and cas:
            reg_out["ca"] = [_dest(prefix, reg, c) for c in cas]
        count = decoded.count("registry", reg, "keypair")
        if not count:
            continue
        pairs: list[dict[str, str]] = []
        for i in range(count):
            kpv: dict[str, str] = {}
            for part in ("key", "cert"):
                value = decoded.value("registry", reg, "keypair", i, part)
                if isinstance(value, str) and value:
                    kpv[part] = _dest(prefix, reg, value)
            pairs.append(kpv)
        if isinstance(reg_out, InlineTable):
            arr = tomlkit.array()
            for kpv in pairs:
                inline = tomlkit.inline_table()
                inline.update(kpv)
                arr.append(inline)
            reg_out["keypair"] = arr
        else:
            aot = tomlkit.aot()
            for kpv in pairs:
                table = tomlkit.table()
                table.update(kpv)
                aot.append(table)
            reg_out["keypair"] = aot
    return tomlkit.dumps(document)


# -- writing: bklint.linter.confined.write_tree (through folder descriptors, never re-resolved paths)


# -- command --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    prefix = go_clean(args.prefix)
    if not prefix.startswith("/"):
        raise UsageError("--prefix must be an absolute path")
    base_dir = os.path.abspath(args.base_dir) if args.base_dir else os.getcwd()
    as_json = args.output_format == "json"
    try:
        result = build(args.file, base_dir, prefix)
        if args.out:
            write_tree(args.out, result.outputs, result.secret)
    except CertsError as exc:
        if as_json:
            print(json.dumps({"error": str(exc)}, indent=2))
        print(f"bklint certs: error: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    except OSError as exc:
        print(f"bklint certs: error: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    if as_json:
        payload = {"config": result.config, "files": result.files(), "warnings": result.warnings}
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not args.out:
        sys.stdout.write(result.config)
    err = sys.stderr
    if result.plan.items:
        print(
            f"# copy plan ({len(result.plan.items)} file{'s' if len(result.plan.items) != 1 else ''})",
            file=err,
        )
        for item in result.plan.items:
            print(f"  {item.source} -> {item.destination(prefix)}", file=err)
    else:
        print("# no certificate files to copy", file=err)
    if args.out:
        print(f"wrote {len(result.outputs)} file(s) under {args.out}", file=err)
    for warning in result.warnings:
        print(f"warning: {warning}", file=err)
    return EXIT_OK


__all__ = ["CertsError", "CertsResult", "build", "resolve", "rewrite", "write_tree"]
