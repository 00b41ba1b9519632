"""Hover, completion, document links, go-to-definition and the symbol outline."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc, ident, open_doc, position

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONFIG = """\
debug = true  # noqa: BK402
[log]
  format = "json"
[worker.oci]
  gc = true
  reservedSpace = "10%"

[[worker.oci.gcpolicy]]
  keepDuration = "48h"
[registry."docker.io"]
  mirrors = ["mirror.gcr.io"]
  ca = ["certs/ca.pem"]
[[registry."docker.io".keypair]]
  key = "certs/client.key"
  cert = "certs/client.pem"
"""


@pytest.fixture(scope="module")
def project(workspace: Path) -> Path:
    """The workspace folder, holding the certificate files the config names (relative to it)."""
    root = workspace
    (root / "certs").mkdir(parents=True)
    for name in ("ca.pem", "client.key", "client.pem"):
        (root / "certs" / name).write_text("not a real certificate\n")
    return root


async def opened(client: LanguageClient, project: Path, name: str, text: str = CONFIG) -> Doc:
    doc = open_doc(client, project / name, text)
    await doc.diagnostics()
    return doc


async def hover_text(client: LanguageClient, doc: Doc, line: int, character: int) -> str | None:
    result = await client.text_document_hover_async(types.HoverParams(text_document=ident(doc), position=position(line, character)))
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def complete(client: LanguageClient, doc: Doc, line: int, character: int) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(doc), position=position(line, character))
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


def labels(items: list[types.CompletionItem]) -> list[str]:
    return [i.label for i in items]


# -- hover ---------------------------------------------------------------------------------


async def test_hover_on_a_key_shows_type_default_flag_versions_and_doc(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "hover/buildkitd.toml")
    text = await hover_text(client, doc, 4, 3)
    assert text is not None
    assert "`worker.oci.gc`" in text and "boolean" in text
    assert "Default: `unset (enabled)`" in text
    assert "`--oci-worker-gc`" in text
    assert "Garbage-collect" in text
    deprecated = await hover_text(client, doc, 0, 2)
    assert deprecated is not None and "Deprecated since v0.30" in deprecated and 'log.level = "debug"' in deprecated


async def test_hover_on_a_value_says_what_it_means(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "hover-value/buildkitd.toml")
    size = await hover_text(client, doc, 5, 20)
    assert size is not None and '`"10%"` = 10% of the disk' in size
    duration = await hover_text(client, doc, 8, 19)
    assert duration is not None and '`"48h"` = 172,800 s (2 days)' in duration
    allowed = await hover_text(client, doc, 2, 13)
    assert allowed is not None and "One of `text`, `json`." in allowed
    path = await hover_text(client, doc, 11, 12)
    assert path is not None and str(project / "certs" / "ca.pem") in path and "(exists)" in path


async def test_hover_on_a_noqa_code_shows_the_rule_documentation(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "hover-noqa/buildkitd.toml")
    text = await hover_text(client, doc, 0, 24)
    assert text is not None
    assert text.startswith("**BK402**")
    assert "**Why**" in text


async def test_hover_on_tables_and_registry_names(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "hover-table/buildkitd.toml")
    aot = await hover_text(client, doc, 7, 15)
    assert aot is not None and "`worker.oci.gcpolicy`" in aot and "array of tables" in aot
    name = await hover_text(client, doc, 9, 14)
    assert name is not None and '`registry."docker.io"`' in name
    assert await hover_text(client, doc, 6, 0) is None  # a blank line


async def test_hover_on_an_unknown_key_shows_the_key_its_fix_renames_it_to(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "hover-unknown/buildkitd.toml", "[worker.oci]\n  max_parallelism = 4\n")
    text = await hover_text(client, doc, 1, 4)
    assert text is not None
    assert text.startswith("`max_parallelism` is not a key buildkitd knows (BK101); the fix renames it to `max-parallelism`")
    assert "`worker.oci.max-parallelism`" in text and "integer" in text
    both = await opened(client, project, "hover-unknown-both/buildkitd.toml", "[worker.oci]\nmax_parallelism = 4\nmax-parallelism = 4\n")
    finding_only = await hover_text(client, both, 1, 3)
    assert finding_only is not None and finding_only.startswith("**BK101** unknown key `worker.oci.max_parallelism`")


# -- completion ----------------------------------------------------------------------------


async def test_completion_offers_the_keys_of_the_current_table_not_yet_written(
    client: LanguageClient, project: Path
) -> None:
    doc = await opened(client, project, "complete-keys/buildkitd.toml")
    doc.insert(5, 23, "\n  ")
    items = await complete(client, doc, 6, 2)
    names = labels(items)
    assert "snapshotter" in names and "max-parallelism" in names and "networkMode" in names
    assert "gc" not in names and "reservedSpace" not in names  # already there
    assert "keepDuration" not in names  # belongs to [[worker.oci.gcpolicy]]
    snap = next(i for i in items if i.label == "snapshotter")
    assert snap.text_edit is not None and snap.text_edit.new_text == "snapshotter = "
    assert isinstance(snap.documentation, types.MarkupContent) and "overlayfs" in snap.documentation.value


async def test_completion_offers_table_headers_and_array_tables(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "complete-headers/buildkitd.toml", CONFIG + "[wor")
    tables = labels(await complete(client, doc, 15, 4))
    assert "worker.containerd" in tables and "grpc" in tables
    assert "worker.oci" not in tables and "log" not in tables  # already declared
    assert "worker.oci.gcpolicy" not in tables  # only as [[...]]
    doc.replace_all(CONFIG + "[[")
    arrays = labels(await complete(client, doc, 15, 2))
    assert "worker.oci.gcpolicy" in arrays and "worker.containerd.gcpolicy" in arrays
    assert 'registry."docker.io".keypair' in arrays  # a registry named in this file
    assert "grpc" not in arrays


@pytest.mark.parametrize(
    ("header", "line", "values"),
    [
        ("[log]", '  format = "', ["text", "json"]),
        ("[log]", "  level = ", ['"debug"', '"info"', '"warn"']),
        ("[worker.oci]", "  networkMode = ", ['"auto"', '"host"', '"bridge"', '"cni"']),
        ("[worker.oci]", '  snapshotter = "', ["overlayfs", "native", "stargz"]),
        ("", 'insecure-entitlements = ["', ["network.host", "security.insecure", "device"]),
        ("[worker.containerd]", "  enabled = ", ["true", "false"]),
    ],
)
async def test_completion_offers_allowed_values(
    client: LanguageClient, project: Path, header: str, line: str, values: list[str]
) -> None:
    doc = await opened(client, project, f"complete-values/{abs(hash(line))}.buildkitd.toml", f"{header}\n{line}\n")
    items = await complete(client, doc, 1, len(line))
    texts = [i.text_edit.new_text for i in items if i.text_edit is not None]
    for value in values:
        assert value in texts


async def test_completion_offers_registry_names_as_mirrors(client: LanguageClient, project: Path) -> None:
    text = CONFIG + '[registry."ghcr.io"]\n  mirrors = ["'
    doc = await opened(client, project, "complete-mirrors/buildkitd.toml", text)
    assert labels(await complete(client, doc, 16, 14)) == ["docker.io"]


async def test_completion_offers_file_paths_for_ca_key_and_cert(client: LanguageClient, project: Path) -> None:
    text = '[registry."docker.io"]\n  ca = ["certs/"]\n[[registry."docker.io".keypair]]\n  cert = ""\n'
    doc = await opened(client, project, "paths/buildkitd.toml", text)
    in_certs = labels(await complete(client, doc, 1, 15))
    assert in_certs == ["ca.pem", "client.key", "client.pem"]
    top = labels(await complete(client, doc, 3, 10))
    assert "certs/" in top and "paths/" in top


# -- links, definition, symbols ------------------------------------------------------------


async def test_certificate_paths_are_links_and_definitions(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "links/buildkitd.toml")
    # Relative paths resolve against the workspace folder (no baseDir set), like buildx's cwd.
    links = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=ident(doc)))
    assert links is not None
    targets = {(link.range.start.line, Path(link.target or "").name) for link in links}
    assert targets == {(11, "ca.pem"), (13, "client.key"), (14, "client.pem")}
    ca = next(link for link in links if link.range.start.line == 11)
    assert (ca.range.start.character, ca.range.end.character) == (9, 21)
    assert ca.target is not None and ca.target== (project / "certs" / "ca.pem").as_uri()
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=ident(doc), position=position(13, 12))
    )
    assert isinstance(found, list) and len(found) == 1
    assert isinstance(found[0], types.Location) and found[0].uri== (project / "certs" / "client.key").as_uri()
    nothing = await client.text_document_definition_async(
        types.DefinitionParams(text_document=ident(doc), position=position(4, 3))
    )
    assert not nothing


async def test_links_cover_grpc_tls_and_never_expand_a_tilde(client: LanguageClient, project: Path) -> None:
    """The server links the keys the tree marks as files (grpc.tls too) and resolves them as
    BK301 does: `~/x.pem` is a folder named `~` below the base directory, never $HOME."""
    (project / "~").mkdir(exist_ok=True)
    (project / "~" / "home.pem").write_text("not a real certificate\n")
    text = '[grpc.tls]\n  cert = "certs/client.pem"\n[registry."r.io"]\n  ca = ["~/home.pem", "~/ca.pem"]\n'
    doc = await opened(client, project, "tilde/buildkitd.toml", text)
    links = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=ident(doc)))
    assert links is not None
    assert {(link.range.start.line, link.target) for link in links} == {
        (1, (project / "certs" / "client.pem").as_uri()),
        (3, (project / "~" / "home.pem").as_uri()),
    }


async def test_document_symbols_outline_tables_and_keys(client: LanguageClient, project: Path) -> None:
    doc = await opened(client, project, "symbols/buildkitd.toml")
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=ident(doc)))
    assert symbols is not None
    tree = {s.name: s for s in symbols if isinstance(s, types.DocumentSymbol)}
    assert list(tree) == ["debug", "log", "worker", "registry"]
    worker = tree["worker"]
    oci = next(c for c in worker.children or [] if c.name == "oci")
    assert [c.name for c in oci.children or []] == ["gc", "reservedSpace", "gcpolicy"]
    gcpolicy = (oci.children or [])[2]
    assert gcpolicy.kind == types.SymbolKind.Array
    assert [c.name for c in gcpolicy.children or []] == ["gcpolicy[0]"]
    docker = (tree["registry"].children or [])[0]
    assert docker.name == "docker.io" and docker.range.start.line == 9 and docker.range.end.line == 14
