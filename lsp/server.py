"""`bklint lsp`: the pygls server wiring the engine's results to LSP requests.

Linting runs on one worker thread. Edits are coalesced rather than delayed: when the
document is idle a change is linted at once (a keystroke costs one lint); while a lint is
running, further changes only mark the document dirty and the newest text is linted when
the worker is free. Diagnostics are published only for the version that is current when
they are ready, so a burst of edits ends with the diagnostics of its last version.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from bklint.linter import __version__
from bklint.linter.incremental import ParseCache
from bklint.linter.inputs import kind_for
from bklint.linter.run import rules
from bklint.lsp import actions, completion, hover, navigation
from bklint.lsp.analysis import Analysis, Converted, analyse, failure_report
from bklint.lsp.protocol import BklintProtocol
from bklint.lsp.settings import Resolver, client_values

log = logging.getLogger("bklint.lsp")


class BklintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "bklint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=BklintProtocol,
        )
        self.client_settings: dict[str, Any] = {}
        self.init_options: Any = None
        self.folders: list[str] = []
        self.resolver = Resolver(self.client_settings, [])
        self.generation = 0
        self.push = True
        self.versioned_edits = False
        self.config_requests = False
        self.refresh_support = False
        self.cache: dict[str, Analysis] = {}
        # Per-document memo of table parses: a keystroke re-parses only its table.
        self.parse_caches: dict[str, ParseCache] = {}
        # Per-document diagnostics of the last version, converted: a keystroke converts only new ones.
        self.converted: dict[str, Converted] = {}
        self.inflight: dict[str, tuple[tuple[int, int | None, str], asyncio.Future[Analysis]]] = {}
        self.running: dict[str, asyncio.Task[None]] = {}
        self.dirty: set[str] = set()
        self.published: dict[str, tuple[int, int | None]] = {}
        self.told: set[str] = set()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bklint-lint")

    # -- errors ----------------------------------------------------------------------
    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log instead of pop up: a failed notification must not nag the user or stop the server."""
        if source is FeatureRequestError:
            log.debug("request failed (answered with an error): %s", error)
            return  # pygls sent this error as the response
        if isinstance(error, JsonRpcException):
            # A message that could not be read. Requests among them were answered with
            # -32602 by BklintProtocol; a notification has nobody to answer.
            log.warning("bklint lsp: unreadable message: %s", error)
            return
        log.exception("bklint lsp: %s", error, exc_info=error)
        with contextlib.suppress(Exception):  # the transport may be gone
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=f"bklint: internal error: {error!r}")
            )

    def tell(self, message: str) -> None:
        """Show a settings/config problem once per distinct message."""
        if message in self.told:
            return
        self.told.add(message)
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"bklint: {message}"))

    # -- documents ---------------------------------------------------------------------
    def open_document(self, uri: str) -> TextDocument | None:
        doc: TextDocument | None = self.workspace.text_documents.get(unquote(uri))
        return doc

    @staticmethod
    def path_of(uri: str) -> str | None:
        path = to_fs_path(uri)
        if path:
            return path
        parsed = urlparse(uri)
        return unquote(parsed.path) or None

    def serves(self, uri: str) -> bool:
        path = self.path_of(uri)
        if path is None:
            return False
        return self.resolver.serves(path, self.resolver.for_path(path))

    def reads_toml(self, uri: str) -> bool:
        """Hover, completion, links and symbols read the document as TOML text: a document of
        another kind (a YAML workflow) gets diagnostics and fixes only."""
        return self.serves(uri) and kind_for(self.path_of(uri)).name == "toml"

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return str(getattr(encoding, "value", encoding))  # "utf-8", not "PositionEncodingKind.Utf8"

    async def analysis(self, uri: str) -> Analysis | None:
        """The analysis of the document's current text (cached, or linted now on the worker)."""
        doc = self.open_document(uri)
        path = self.path_of(uri)
        if doc is None or path is None:
            return None
        settings = self.resolver.for_path(path)  # once a keystroke: it looks for config files
        if not self.resolver.serves(path, settings):
            return None
        text = doc.source
        cached = self.cache.get(uri)
        if cached is not None and cached.generation == self.generation and cached.text == text:
            cached.version = doc.version
            return cached
        key = (self.generation, doc.version, text)
        pending = self.inflight.get(uri)
        if pending is not None and pending[0] == key:
            return await asyncio.shield(pending[1])
        for problem in self.resolver.problems:
            self.tell(str(problem))
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self.executor,
            analyse,
            uri,
            path,
            doc.version,
            self.generation,
            text,
            settings,
            self.encoding,
            self.parse_caches.setdefault(uri, ParseCache()),
            self.converted.setdefault(uri, Converted()),
        )
        self.inflight[uri] = (key, future)
        try:
            result = await asyncio.shield(future)
        finally:
            if self.inflight.get(uri, (None,))[0] == key:
                self.inflight.pop(uri, None)
        if self.open_document(uri) is not None and result.generation == self.generation:
            self.cache[uri] = result
        return result

    def request_lint(self, uri: str) -> None:
        if not self.push:
            return
        if uri in self.running:
            self.dirty.add(uri)
            return
        self.running[uri] = asyncio.ensure_future(self._lint_loop(uri))

    async def _lint_loop(self, uri: str) -> None:
        try:
            while True:
                self.dirty.discard(uri)
                # Let notifications already read from the client land before linting.
                await asyncio.sleep(0)
                try:
                    a = await self.analysis(uri)
                except Exception as exc:  # a bug in a rule must not stop diagnostics for good
                    self.report_server_error(exc, None)
                    a = None
                if a is not None:
                    self.publish(a)
                if uri not in self.dirty:
                    return
        finally:
            self.running.pop(uri, None)

    def publish(self, a: Analysis) -> None:
        doc = self.open_document(a.uri)
        if doc is None or doc.source != a.text or a.generation != self.generation:
            return  # stale: a newer version (or new settings) will publish
        stamp = (a.generation, doc.version)
        if self.published.get(a.uri) == stamp:
            return
        self.published[a.uri] = stamp
        # Already JSON text (analysis.Converted): only new diagnostics pay for serialisation.
        version = "" if doc.version is None else f',"version":{int(doc.version)}'
        params = f'{{"uri":{json.dumps(a.uri)},"diagnostics":[{",".join(a.wire)}]{version}}}'
        cast(BklintProtocol, self.protocol).send_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    def clear(self, uri: str) -> None:
        self.cache.pop(uri, None)
        self.parse_caches.pop(uri, None)
        self.converted.pop(uri, None)
        self.published.pop(uri, None)
        self.dirty.discard(uri)
        if self.push:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # -- settings ------------------------------------------------------------------------
    def apply_settings(self, raw: Any, force: bool = False) -> None:
        new = client_values(raw)
        if new == self.client_settings and not force and self.generation:
            return  # the usual echo of the initializationOptions: nothing to redo
        self.client_settings = new
        self.resolver = Resolver(self.client_settings, self.folders)
        self.generation += 1
        self.cache.clear()
        self.published.clear()
        for problem in self.resolver.problems:
            self.tell(str(problem))
        for uri in list(self.workspace.text_documents):
            if self.serves(uri):
                self.request_lint(uri)
            elif self.push:
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if not self.push and self.refresh_support:
            self.workspace_diagnostic_refresh(None)

    async def pull_configuration(self) -> None:
        if not self.config_requests:
            return
        scope = self.folders[0] if self.folders else None
        item = types.ConfigurationItem(section="bklint", scope_uri=_uri(scope) if scope else None)
        try:
            answer = await self.workspace_configuration_async(types.ConfigurationParams(items=[item]))
        except Exception as exc:
            log.warning("workspace/configuration failed: %s", exc)
            return
        value = answer[0] if answer else None
        if isinstance(value, dict) and value:
            self.apply_settings(value)
        elif value is None or value == {}:
            # Nothing configured in this section: keep what initializationOptions said
            # (clients such as lspconfig users often set only init_options).
            self.apply_settings(self.init_options)


F = TypeVar("F", bound=Callable[..., Any])


def contained(empty: Callable[[Exception], Any] = lambda exc: None) -> Callable[[F], F]:
    """A request handler that answers ``empty(error)`` instead of -32603 when it fails.

    The failure is logged; the editor gets a valid empty answer (no hover, no actions…)
    rather than an error popup, and the server goes on serving.
    """

    def wrap(handler: F) -> F:
        if asyncio.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def run_async(ls: BklintServer, params: Any) -> Any:
                try:
                    return await handler(ls, params)
                except Exception as exc:
                    ls.report_server_error(exc, None)
                    return empty(exc)

            return cast(F, run_async)

        @functools.wraps(handler)
        def run(ls: BklintServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception as exc:
                ls.report_server_error(exc, None)
                return empty(exc)

        return cast(F, run)

    return wrap


def _uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(path) or path


def _capability(obj: Any, *names: str) -> Any:
    for name in names:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def create_server() -> BklintServer:
    server = BklintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: BklintServer, params: types.InitializeParams) -> None:
        caps = params.capabilities
        ls.push = _capability(caps, "text_document", "diagnostic") is None
        ls.versioned_edits = bool(_capability(caps, "workspace", "workspace_edit", "document_changes"))
        ls.config_requests = bool(_capability(caps, "workspace", "configuration"))
        ls.refresh_support = bool(_capability(caps, "workspace", "diagnostics", "refresh_support"))
        folders = [f.uri for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [params.root_uri]
        ls.folders = [p for p in (ls.path_of(u) for u in folders) if p]
        rules()  # load the catalog now rather than on the first keystroke
        _tune_gc()
        ls.init_options = params.initialization_options
        ls.apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: BklintServer, params: types.InitializedParams) -> None:
        await ls.pull_configuration()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: BklintServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("bklint"), dict):
            ls.apply_settings(settings["bklint"])
        elif ls.config_requests:
            await ls.pull_configuration()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: BklintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.folders = [p for p in (ls.path_of(f.uri) for f in ls.workspace.folders.values()) if p]
        ls.apply_settings(ls.client_settings, force=True)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: BklintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.request_lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: BklintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.request_lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: BklintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        # Saving may have changed a certificate or the project config next to the file.
        ls.resolver = Resolver(ls.client_settings, ls.folders)
        ls.generation += 1
        ls.cache.pop(uri, None)
        ls.published.pop(uri, None)
        ls.request_lint(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: BklintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.clear(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="bklint", inter_file_dependencies=False, workspace_diagnostics=False),
    )
    @contained(failure_report)
    async def pull_diagnostics(ls: BklintServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        a = await ls.analysis(params.text_document.uri)
        if a is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == a.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=a.result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=a.diagnostics, result_id=a.result_id)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=list(actions.KINDS), resolve_provider=False),
    )
    @contained()
    async def code_action(ls: BklintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        a = await ls.analysis(params.text_document.uri)
        if a is None:
            return None
        fix_all = None
        loop = asyncio.get_running_loop()
        if actions.wanted(actions.FIX_ALL, params.context.only):
            fix_all = await loop.run_in_executor(ls.executor, actions.fix_all_action, a, ls.versioned_edits)
        # Each offered edit is re-linted (actions.acceptable): off the event loop, like a lint.
        return await loop.run_in_executor(ls.executor, actions.code_actions, a, params, ls.versioned_edits, fix_all)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @contained()
    async def on_hover(ls: BklintServer, params: types.HoverParams) -> types.Hover | None:
        a = await ls.analysis(params.text_document.uri) if ls.reads_toml(params.text_document.uri) else None
        if a is None:
            return None
        found = hover.hover_text(a.result, a.lines.from_client(params.position), a.settings.rules.base_dir, a.layout)
        if found is None:
            return None
        markdown = types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown)
        return types.Hover(contents=markdown, range=a.lines.range(found.span))

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=list(completion.TRIGGERS))
    )
    @contained()
    def on_completion(ls: BklintServer, params: types.CompletionParams) -> types.CompletionList | None:
        uri = params.text_document.uri
        doc = ls.open_document(uri)
        if doc is None or not ls.reads_toml(uri):
            return None
        from bklint.lsp.positions import Lines
        from bklint.lsp.textscan import layout

        text = doc.source
        lines = Lines(text, ls.encoding)
        settings = ls.resolver.for_path(ls.path_of(uri))
        items = completion.complete(layout(text), lines, lines.from_client(params.position), settings.rules.base_dir)
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    @contained()
    async def on_links(ls: BklintServer, params: types.DocumentLinkParams) -> list[types.DocumentLink] | None:
        a = await ls.analysis(params.text_document.uri) if ls.reads_toml(params.text_document.uri) else None
        return navigation.document_links(a) if a is not None else None

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @contained()
    async def on_definition(ls: BklintServer, params: types.DefinitionParams) -> list[types.Location] | None:
        a = await ls.analysis(params.text_document.uri) if ls.reads_toml(params.text_document.uri) else None
        if a is None:
            return None
        return navigation.definition(a, a.lines.from_client(params.position)) or None

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @contained()
    async def on_symbols(ls: BklintServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
        a = await ls.analysis(params.text_document.uri) if ls.reads_toml(params.text_document.uri) else None
        return navigation.document_symbols(a) if a is not None else None

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: BklintServer, params: None) -> None:
        ls.executor.shutdown(wait=False, cancel_futures=True)

    return server


def _tune_gc() -> None:
    """Keep the collector off the keystroke path.

    A lint allocates tens of thousands of short-lived nodes; with pygls, lsprotocol and the
    rule catalog resident, the default thresholds run full collections over all of them
    mid-lint (measured: p95 of a 1,600-line lint 110 ms → 44 ms). Freezing the start-up
    objects takes them out of every collection, and a larger young generation means fewer
    collections per lint, for a few MB of memory.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def main() -> int:
    logging.basicConfig(level=os.environ.get("BKLINT_LOG", "WARNING").upper())
    create_server().start_io()
    return 0
