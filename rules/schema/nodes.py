"""Node types of the buildkitd.toml key tree.

Plain frozen dataclasses rather than pydantic models so that ``bklint check`` pays nothing
to import the schema; ``bklint.rules.schema.models`` builds pydantic models from the same
tree for the JSON Schema and the language server.
"""

from __future__ import annotations

from bklint.rules.record import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal

# Go types as they appear in keys-by-version.json.
SCALAR_TYPES = frozenset(
    {
        "string",
        "bool",
        "*bool",
        "int",
        "*int",
        "int64",
        "[]string",
        "map[string]string",
        "map[string]any",
        "DiskSpace",
        "Duration",
        "*Duration",
    }
)


class Leaf(FrozenRecord):
    """A key with a value (scalar, string list or free-form map)."""

    __slots__ = (
        "allowed",
        "allowed_case_sensitive",
        "default",
        "deprecated",
        "deprecated_since",
        "doc",
        "flag",
        "go_name",
        "go_type",
        "name",
        "names",
        "since",
    )

    name: str
    go_type: str
    doc: str
    default: str | None
    # Allowed values where buildkitd checks them (or silently drops others).
    allowed: tuple[str, ...]
    allowed_case_sensitive: bool
    # First release that knows the key ("v0.13.0"); None = present since v0.10.0.
    since: str | None
    # Replacement text when deprecated, e.g. 'log.level = "debug"'.
    deprecated: str | None
    deprecated_since: str | None
    # The buildkitd flag that overrides the key, if any.
    flag: str | None
    # Go field name for the untagged sigstore fields (matched by Go name).
    go_name: str | None
    # The value names certificate or key files ("file") or folders of them ("dir"): read by
    # the certificate rules, linked, completed and resolved the same way everywhere.
    names: Literal["", "file", "dir"]

    def __init__(
        self,
        name: str,
        go_type: str,
        doc: str = "",
        default: str | None = None,
        allowed: tuple[str, ...] = (),
        allowed_case_sensitive: bool = True,
        since: str | None = None,
        deprecated: str | None = None,
        deprecated_since: str | None = None,
        flag: str | None = None,
        go_name: str | None = None,
        names: Literal["", "file", "dir"] = "",
    ) -> None:
        self.name = name
        self.go_type = go_type
        self.doc = doc
        self.default = default
        self.allowed = allowed
        self.allowed_case_sensitive = allowed_case_sensitive
        self.since = since
        self.deprecated = deprecated
        self.deprecated_since = deprecated_since
        self.flag = flag
        self.go_name = go_name
        self.names = names
        self.__post_init__()

    def __post_init__(self) -> None:
        if self.go_type not in SCALAR_TYPES:
            raise ValueError(f"unknown Go type {self.go_type} for {self.name}")

    @property
    def default_value(self) -> Any:
        """The default as a value, read from the literal ``default`` starts with (so the
        text stays the one home of the fact); None when it depends on the machine or means
        "unset" (``"min(10%, 10GB)"``, ``"the process's uid"``, ``"unset (enabled)"``)."""
        return literal_default(self.default)


class Struct(FrozenRecord):
    """A table whose keys are struct fields (matched case-insensitively by go-toml v2)."""

    __slots__ = ("doc", "fields", "go_type", "name", "since")

    name: str
    fields: dict[str, Node]
    doc: str
    go_type: str
    since: str | None

    def __init__(
        self,
        name: str,
        fields: dict[str, Node] | None = None,
        doc: str = "",
        go_type: str = "struct",
        since: str | None = None,
    ) -> None:
        self.name = name
        self.fields = {} if fields is None else fields
        self.doc = doc
        self.go_type = go_type
        self.since = since

    def field_for(self, key: str) -> Node | None:
        """The field ``key`` decodes into, as go-toml v2 matches it (exact, then lower-case)."""
        node = self.fields.get(key)
        if node is not None:
            return node
        return _lower_index(self).get(go_lower(key))


class _Tables(FrozenRecord):
    """What `MapOf` and `ArrayOf` share: tables that are each an instance of ``item``."""

    __slots__ = ("doc", "go_type", "item", "name", "since")

    GO_TYPE: ClassVar[str]
    name: str
    item: Struct
    doc: str
    go_type: str
    since: str | None

    def __init__(self, name: str, item: Struct, doc: str = "", go_type: str = "", since: str | None = None) -> None:
        self.name = name
        self.item = item
        self.doc = doc
        self.go_type = go_type or self.GO_TYPE
        self.since = since


class MapOf(_Tables):
    """A table with free-form keys (``registry.<host>``), each an instance of ``item``."""

    __slots__ = ()
    GO_TYPE = "map"


class ArrayOf(_Tables):
    """An array of tables (``[[worker.oci.gcpolicy]]``)."""

    __slots__ = ()
    GO_TYPE = "slice"


Node = Leaf | Struct | MapOf | ArrayOf

_LOWER_CACHE: dict[int, dict[str, Node]] = {}


def _lower_index(struct: Struct) -> dict[str, Node]:
    idx = _LOWER_CACHE.get(id(struct))
    if idx is None:
        idx = {}
        for name, node in struct.fields.items():
            idx.setdefault(go_lower(name), node)
        _LOWER_CACHE[id(struct)] = idx
    return idx


# Python's str.lower applies full case mappings (U+0130 -> "i̇"); Go's strings.ToLower
# applies simple ones, which is what go-toml v2 uses to match field names.
_GO_SIMPLE_LOWER = {"\u0130": "i"}


def go_lower(text: str) -> str:
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        low = _GO_SIMPLE_LOWER.get(ch)
        if low is None:
            low = ch.lower()
            if len(low) != 1:
                low = ch
        out.append(low)
    return "".join(out)


def literal_default(text: str | None) -> Any:
    """The TOML/JSON literal or bare word a default text starts with, else None."""
    if not text:
        return None
    head = text.split(" (", 1)[0].strip()
    if head in ("true", "false"):
        return head == "true"
    try:
        import json  # a few defaults only, on demand

        return json.loads(head)
    except ValueError:
        pass
    if head == "unset" or any(ch.isspace() or ch in "(),$" for ch in head):
        return None
    return head
