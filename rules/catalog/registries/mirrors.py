"""BK201–BK204, BK211: mirror entries the resolver cannot use as written."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bklint.rules import toml_text
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.registries.tables import (
    Mirror,
    is_self,
    mirrors,
    parse_mirror,
    registries,
)
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode
from bklint.rules.schema.decode import Decoded, Entry
from bklint.rules.templates import templated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.rules.base import Applicability


def remove_element(doc: Document, array: TomlNode, index: int) -> Edit | None:
    """Delete one element of an array with its comma; None when comments are in the way."""
    items = array.items or []
    if not 0 <= index < len(items):
        return None
    item = items[index]
    if len(items) == 1:
        inner = doc.slice(array.value_start + 1, array.value_end - 1)
        if "#" in inner.replace(doc.slice(item.value_start, item.value_end), ""):
            return None
        return Edit(doc.span(array.value_start, array.value_end), "[]")
    if index + 1 < len(items):
        start, end = item.value_start, items[index + 1].value_start
        between = doc.slice(item.value_end, end)
    else:
        start, end = items[index - 1].value_end, item.value_end
        between = doc.slice(start, item.value_start)
    if "#" in between:
        return None
    return Edit(doc.span(start, end), "")


def _readable(decoded: Decoded) -> Iterator[tuple[str, Entry, Mirror]]:
    """Each mirror the resolver can read, with its registry and the `mirrors` entry listing it."""
    for host in registries(decoded):
        entry = decoded.entry("registry", host, "mirrors")
        if entry is None:
            continue
        for m in mirrors(decoded, host):
            if not m.problem:
                yield host, entry, m


def _removal(doc: Document, entry: Entry, m: Mirror, message: str, applicability: Applicability) -> Fix | None:
    """Removing mirror ``m`` from its list, unless comments are in the way."""
    edit = remove_element(doc, entry.node, m.index)
    return Fix(message, (edit,), applicability) if edit is not None else None


def _replace_value(doc: Document, node: TomlNode, value: str) -> Edit:
    raw = doc.slice(node.value_start, node.value_end)
    return Edit(doc.span(node.value_start, node.value_end), toml_text.string(value, raw[:1]))


@register
class InvalidMirror(ParsedRule):
    """Checks that every mirror is a `host[:port][/path]` the resolver can use.

    **Why**: buildkitd parses each mirror like a URL (`extractMirrorHostAndPath`). An empty
    entry, white space, a port that is not a number or not in 1–65535, or characters no host
    name can have leave a "host" no connection can be made to. buildkitd never complains:
    every pull first tries this mirror, fails, logs at info level and falls back to the next
    host — the mirror is dead weight and the pull slower.

    **Bad**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io ", "", "mirror.example.com:port"]
    ```

    **Good**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io", "mirror.example.com:5000"]
    ```

    **Fix** (safe): when the only problem is white space around the name, trim it.
    """

    code = "BK201"
    name = "invalid-mirror"
    triggers = ("registry",)
    summary = "A mirror entry that is not `host[:port][/path]`; buildkitd can never use it"
    severity = Severity.WARNING
    scope = "table"  # one registry's table alone
    fixable = True
    fix_examples = (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io ", "mirror.example.com:5000"]\n',
        '[registry."docker.io"]\r\nmirrors = [" mirror.gcr.io"] # pull-through cache\r\n',
        '[registry."ghcr.io"]\nmirrors = [\n  "ghcr-cache.local:5000", # first\n  "\\tcache.local\\t",\n]\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for host in registries(decoded):
            for m in mirrors(decoded, host):
                if not m.problem or templated(m.raw):
                    continue
                fix = None
                trimmed = m.raw.strip()
                if trimmed != m.raw and trimmed and not parse_mirror(trimmed)[3]:
                    fix = Fix("trim the white space", (_replace_value(doc, m.node, trimmed),), "safe")
                yield self.finding(
                    f"mirror {m.raw!r} of `{host}` cannot be used: {m.problem}; every pull tries it, "
                    "fails and falls back to the next host",
                    doc.value_span(m.node),
                    fix=fix,
                )


@register
class MirrorScheme(ParsedRule):
    """Checks for a scheme (`http://`, `https://`) in a mirror.

    **Why**: the resolver discards the scheme of a mirror and always starts from HTTPS
    (`newMirrorRegistryHost`), so `http://mirror:5000` does **not** give plain HTTP — pulls
    fail with `http: server gave HTTP response to HTTPS client` and fall back to the
    registry. Plain HTTP for a mirror comes only from a table named after the mirror's host:
    `[registry."mirror:5000"]` with `http = true`. An `https://` prefix is harmless but
    suggests the scheme matters (reported as a hint).

    See https://github.com/moby/buildkit/issues/2514 and
    https://github.com/docker-library/official-images/pull/14295.

    **Bad**
    ```toml
    [registry."docker.io"]
    mirrors = ["http://mirror.local:5000"]
    ```

    **Good**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.local:5000"]

    [registry."mirror.local:5000"]
    http = true
    ```

    **Fix** (safe): remove the scheme — buildkitd ignores it anyway, so behaviour does not
    change; add the `http = true` table yourself if the mirror really is plain HTTP.
    """

    code = "BK202"
    name = "mirror-scheme"
    triggers = ("registry",)
    summary = "A scheme in a mirror is ignored; `http://` does not give plain HTTP"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        '[registry."docker.io"]\nmirrors = ["http://mirror.local:5000"]\n\n[registry."mirror.local:5000"]\nhttp = true\n',
        '[registry."docker.io"]\r\nmirrors = ["https://mirror.gcr.io", \'HTTP://m.local\'] # two\r\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for _, _, m in _readable(decoded):
            if not m.scheme:
                continue
            bare = m.raw[len(m.scheme) + 3 :]
            fix = Fix(f"remove `{m.scheme}://`", (_replace_value(doc, m.node, bare),), "safe")
            if m.scheme.lower() == "http":
                http = decoded.value("registry", m.host, "http")
                if http is True:
                    tail = f'(here `[registry."{m.host}"]` already sets `http = true`, which is what takes effect)'
                    severity = Severity.INFO
                else:
                    tail = (
                        f'to use plain HTTP, add `[registry."{m.host}"]` with `http = true` '
                        "(that table, not this scheme, decides)"
                    )
                    severity = Severity.WARNING
                message = (
                    f"buildkitd ignores the `http://` of mirror `{m.raw}` and connects with HTTPS; {tail}"
                )
            else:
                severity = Severity.HINT
                message = f"buildkitd ignores the `{m.scheme}://` of mirror `{m.raw}`: mirrors use HTTPS unless "
                message += f'`[registry."{m.host}"]` sets `http = true`'
            yield self.finding(message, doc.value_span(m.node), fix=fix, severity=severity)


@register
class MirrorIsRegistry(ParsedRule):
    """Checks for a registry listed among its own mirrors.

    **Why**: buildkitd already contacts the registry itself after its mirrors (for
    `docker.io` that is `registry-1.docker.io`), so listing it as a mirror only makes it
    appear twice: a failing pull is tried against it twice, and a pull through the "mirror"
    entry never pushes. It usually means the mirror list was copied from a Docker
    `daemon.json` or meant to be a fallback, which is already built in.

    **Bad**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io", "registry-1.docker.io"]
    ```

    **Good**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io"]
    ```

    **Fix** (safe for the registry's exact name, unsafe for a Docker Hub alias): remove the
    entry.
    """

    code = "BK203"
    name = "mirror-is-registry"
    triggers = ("registry",)
    summary = "A registry listed as its own mirror (it is always tried after the mirrors)"
    severity = Severity.INFO
    scope = "table"  # one registry's table alone
    fixable = True
    fix_examples = (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io", "registry-1.docker.io"]\n',
        '[registry."ghcr.io"]\r\nmirrors = ["ghcr.io", "ghcr-cache.local"] # cache first\r\n',
        '[registry."quay.io"]\nmirrors = [\n  "quay-cache.local",\n  "quay.io",\n]\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for host, entry, m in _readable(decoded):
            if not is_self(host, m):
                continue
            fix = _removal(doc, entry, m, f"remove `{m.raw}`", "safe" if m.host == host else "unsafe")
            target = "registry-1.docker.io" if host == "docker.io" else host
            yield self.finding(
                (f"`{m.raw}` is this registry itself" if m.host == host else f"`{m.raw}` is `{host}` itself")
                + f"; buildkitd already tries `{target}` after the mirrors, so this entry only repeats it",
                doc.value_span(m.node),
                fix=fix,
            )


@register
class DuplicateMirror(ParsedRule):
    """Checks for the same mirror listed twice for one registry.

    **Why**: buildkitd tries every entry in order, so a duplicate is contacted again after it
    has already failed (or is never reached when it worked). Entries that differ only in an
    ignored scheme or a trailing slash are the same mirror.

    **Bad**: `mirrors = ["mirror.gcr.io", "https://mirror.gcr.io/"]`
    — **Good**: `mirrors = ["mirror.gcr.io"]`

    **Fix** (safe): remove the later entry.
    """

    code = "BK204"
    name = "duplicate-mirror"
    triggers = ("registry",)
    summary = "The same mirror appears twice in one registry's list"
    severity = Severity.WARNING
    scope = "table"  # one registry's table alone
    fixable = True
    fix_examples = (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io", "https://mirror.gcr.io/"]\n',
        '[registry."docker.io"]\r\nmirrors = ["a.local", "a.local", "b.local", "b.local"] # dupes\r\n',
        '[registry."docker.io"]\nmirrors = [\n  "mirror.gcr.io",\n  "mirror.gcr.io",\n  "mirror.gcr.io",\n]\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        seen: dict[tuple[str, str, str], Mirror] = {}
        for host, entry, m in _readable(decoded):
            first = seen.setdefault((host, m.host, m.path), m)
            if first is m:
                continue
            yield self.finding(
                f"mirror `{m.raw}` is already listed for `{host}` (as `{first.raw}`)",
                doc.value_span(m.node),
                fix=_removal(doc, entry, m, f"remove the duplicate `{m.raw}`", "safe"),
                related=((doc.value_span(first.node), "first listed here"),),
            )


@register
class MirrorPathV2(ParsedRule):
    """Checks for mirror paths ending in `/v2`.

    **Why**: buildkitd joins a mirror's path onto the registry API prefix `/v2` itself, so
    `mirror.local:5000/v2` is requested as `/v2/v2/…` and answers 404; every pull then falls
    back to the next host. Paths are only for registries that serve a mirror under a prefix
    (Harbor's `/proxy/docker.io`, say), without `/v2`.

    See https://github.com/moby/buildkit/pull/3427.

    **Bad**: `mirrors = ["mirror.local:5000/v2"]` — **Good**: `mirrors = ["mirror.local:5000"]`

    **Fix** (safe — the current path can never work): drop the `/v2`.
    """

    code = "BK211"
    name = "mirror-path-v2"
    triggers = ("registry",)
    summary = "A mirror path ending in /v2 (BuildKit adds /v2 itself)"
    severity = Severity.WARNING
    scope = "table"  # one registry's table alone
    fixable = True
    fix_examples = (
        '[registry."docker.io"]\nmirrors = ["mirror.local:5000/v2"]\n',
        '[registry."docker.io"]\r\nmirrors = ["https://harbor.local/proxy/v2/"] # harbor\r\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for _, _, m in _readable(decoded):
            if not (m.path == "/v2" or m.path.endswith("/v2")):
                continue
            trimmed = re.sub(r"/v2/*$", "", m.raw.rstrip())
            # With a query or fragment after the path there is nothing safe to cut.
            fix = (
                Fix("drop `/v2`", (_replace_value(doc, m.node, trimmed),), "safe")
                if trimmed != m.raw
                else None
            )
            yield self.finding(
                f"mirror `{m.raw}` is requested as `{m.path}/v2/…`: BuildKit adds `/v2` itself, so drop it "
                "from the mirror",
                doc.value_span(m.node),
                fix=fix,
            )
