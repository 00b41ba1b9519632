"""Pydantic models and the JSON Schema of buildkitd.toml, built from ``tree.CONFIG``.

Only ``bklint schema`` and the language server import this module: pydantic model building
costs tens of milliseconds that ``bklint check`` must not pay, and the tree stays the single
source of names, types, docs and defaults.

The models (and the JSON Schema) match keys **case-sensitively** and reject unknown keys,
although buildkitd itself (go-toml v2, v0.28+) matches keys case-insensitively and ignores
unknown ones: a schema cannot express Go's case folding, and the canonical spelling is what
editors should complete. bklint's own rules report case variants and unknown keys with
better messages.
"""

from __future__ import annotations

import copy
import functools
import keyword
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from bklint.rules.schema import versions
from bklint.rules.schema.nodes import Leaf, MapOf, Node, Struct
from bklint.rules.schema.tree import CONFIG

__all__ = ["DISK_SPACE_PATTERN", "DURATION_PATTERN", "SCHEMA_DIALECT", "config_model", "json_schema"]

# Draft-07: both taplo (its Rust validator) and the ``jsonschema`` package implement it fully.
SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"

# What DiskSpace.UnmarshalText accepts as a string: empty (unset), an integer percentage
# (a sign is accepted), or a go-units size with binary multipliers ("512MB", "1.5GiB", "100 ").
DISK_SPACE_PATTERN = (
    r"^(?:|-?[0-9]+%|[0-9]+(?:\.[0-9]+)?(?:[eE][0-9]+)? ?(?:[kKmMgGtTpP](?:[iI]?[bB])?|[bB])? *)$"
)
# What Duration.UnmarshalText accepts as a string: empty, whole seconds, or Go duration syntax
# (no days or weeks, no spaces, no underscores).
DURATION_PATTERN = r"^(?:|[-+]?[0-9]+|[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+)$"

_INT64 = (-(2**63), 2**63 - 1)

# Pretty model names (Go struct names where they are unambiguous); other tables are CamelCased.
_MODEL_NAMES = {
    "": "Config",
    "cache": "CacheConfig",
    "cache.gha": "GHACacheConfig",
    "cache.gha.sign": "GHASignConfig",
    "cache.gha.verify": "GHAVerifyConfig",
    "cache.gha.verify.policy": "GHAVerifyPolicy",
    "cdi": "CDIConfig",
    "dns": "DNSConfig",
    "frontend": "FrontendConfig",
    'frontend."dockerfile.v0"': "DockerfileFrontendConfig",
    'frontend."gateway.v0"': "GatewayFrontendConfig",
    "grpc": "GRPCConfig",
    "grpc.tls": "TLSConfig",
    "history": "HistoryConfig",
    "log": "LogConfig",
    "otel": "OTELConfig",
    "registry.*": "RegistryConfig",
    "registry.*.keypair[]": "TLSKeyPair",
    "system": "SystemConfig",
    "worker": "WorkerConfig",
    "worker.oci": "WorkerOCI",
    "worker.oci.gcpolicy[]": "WorkerOCIGCPolicy",
    "worker.containerd": "WorkerContainerd",
    "worker.containerd.gcpolicy[]": "WorkerContainerdGCPolicy",
    "worker.containerd.runtime": "ContainerdRuntime",
}

# Allowed values that later releases added: (leaf path, value) -> first release accepting it.
_VALUE_SINCE = {
    ("worker.oci.networkMode", "bridge"): versions.Version(0, 13, 0),
    ("worker.containerd.networkMode", "bridge"): versions.Version(0, 13, 0),
    ("insecure-entitlements", "device"): versions.Version(0, 20, 0),
}

# Enums buildkitd enforces only while a sibling key is empty: leaf path -> sibling name.
# (With proxySnapshotterPath set, any snapshotter name is handed to the external plugin.)
_ENUM_UNLESS = {"worker.oci.snapshotter": "proxySnapshotterPath"}


def _join(path: str, name: str) -> str:
    seg = f'"{name}"' if "." in name else name
    return f"{path}.{seg}" if path else seg


def _model_name(path: str) -> str:
    name = _MODEL_NAMES.get(path)
    if name is not None:
        return name
    parts = re.split(r"[^0-9A-Za-z]+", path)
    return "".join(p[:1].upper() + p[1:] for p in parts if p) or "Config"


def _py_name(toml_name: str, taken: set[str]) -> str:
    """A Python identifier for a TOML key (``max-parallelism`` -> ``max_parallelism``)."""
    name = re.sub(r"\W", "_", toml_name)
    if not name or name[0].isdigit():
        name = "k_" + name
    while keyword.iskeyword(name) or hasattr(BaseModel, name) or name.startswith("model_") or name in taken:
        name += "_"
    taken.add(name)
    return name


def _ci_pattern(values: tuple[str, ...]) -> str:
    """An ECMA-262 pattern matching ``values`` in any letter case (JSON Schema has no (?i))."""

    def fold(value: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else re.escape(c) for c in value)

    return "^(?:" + "|".join(fold(v) for v in values) + ")$"


def _int_type() -> Any:
    return Annotated[int, Field(ge=_INT64[0], le=_INT64[1])]


def _scalar_type(go_type: str) -> Any:
    """Python annotation of a Go type, as strict as go-toml v2 decoding."""
    base = go_type.removeprefix("*")
    if base == "string":
        return str
    if base == "bool":
        return bool
    if base in {"int", "int64"}:
        return _int_type()
    if base == "[]string":
        return list[str]
    if base == "map[string]string":
        return dict[str, str]
    if base == "map[string]any":
        return dict[str, Any]
    if base == "DiskSpace":
        return (
            Annotated[int, Field(ge=0, le=_INT64[1])]
            | Annotated[str, StringConstraints(pattern=DISK_SPACE_PATTERN)]
        )
    if base == "Duration":
        return _int_type() | Annotated[str, StringConstraints(pattern=DURATION_PATTERN)]
    raise ValueError(f"no Python type for Go type {go_type}")


def _allowed(leaf: Leaf, path: str, version: versions.Version | None) -> tuple[str, ...]:
    values = leaf.allowed
    if version is not None:
        values = tuple(v for v in values if _VALUE_SINCE.get((path, v), versions.FIRST) <= version)
    return values


def _leaf_type(leaf: Leaf, go_type: str, allowed: tuple[str, ...], conditional: bool) -> Any:
    if not allowed or conditional or go_type not in {"string", "[]string"}:
        return _scalar_type(go_type)
    if leaf.allowed_case_sensitive:
        item: Any = Literal[allowed]
    else:
        item = Annotated[str, StringConstraints(pattern=_ci_pattern(allowed))]
    return list[item] if go_type == "[]string" else item


def _machine_default(leaf: Leaf, go_type: str) -> Any:
    """The default as a JSON value when the human text is exactly one (``"4"``, ``"auto"``)."""
    text = leaf.default
    if text is None:
        return None
    base = go_type.removeprefix("*")
    if base == "bool":
        return {"true": True, "false": False}.get(text)
    if base in {"int", "int64"}:
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else None
    if base in {"string", "DiskSpace", "Duration"}:
        if text == '""':
            return ""
        if text != "unset" and not re.search(r"[\s(),]", text) and not text.startswith('"'):
            return text
    return None


def _leaf_description(leaf: Leaf, go_type: str) -> str:
    parts = [leaf.doc]
    if leaf.default is not None:
        parts.append(f"Default: {leaf.default}.")
    if leaf.flag:
        parts.append(f"Flag: `{leaf.flag}`.")
    if leaf.since:
        parts.append(f"Since BuildKit {leaf.since}.")
    if leaf.deprecated:
        when = f" ({leaf.deprecated_since})" if leaf.deprecated_since else ""
        parts.append(f"Deprecated{when}: use `{leaf.deprecated}`.")
    parts.append(f"Go type `{go_type}`.")
    return " ".join(p for p in parts if p)


def _leaf_field(leaf: Leaf, path: str, go_type: str, version: versions.Version | None) -> tuple[Any, Any]:
    allowed = _allowed(leaf, path, version)
    conditional = path in _ENUM_UNLESS
    extra: dict[str, Any] = {"x-go-type": go_type}
    if leaf.default is not None:
        extra["x-default"] = leaf.default
        default = _machine_default(leaf, go_type)
        if default is not None:
            extra["default"] = default
    if leaf.flag:
        extra["x-flag"] = leaf.flag
    if leaf.since:
        extra["x-since"] = leaf.since
    if leaf.deprecated:
        extra["deprecated"] = True
        extra["x-deprecated"] = {"since": leaf.deprecated_since, "replacement": leaf.deprecated}
    if allowed and not leaf.allowed_case_sensitive:
        extra["x-allowed"] = list(allowed)
    annotation = _leaf_type(leaf, go_type, allowed, conditional)
    info = Field(
        default=None,
        alias=leaf.name,
        description=_leaf_description(leaf, go_type),
        json_schema_extra=extra,
    )
    return annotation, info


def _since_text(version: versions.Version | None) -> str | None:
    """``"v0.20.0"`` for tables newer than the v0.10.0 baseline, else None."""
    return str(version) if version is not None and version > versions.FIRST else None


def _unless_validator(field: str, sibling: str, allowed: tuple[str, ...], key: str, other: str) -> Any:
    """Model check for an enum that applies only while ``sibling`` is empty."""

    def check(model: Any) -> Any:
        value = getattr(model, field)
        if value is not None and not getattr(model, sibling) and value not in allowed:
            raise ValueError(
                f"{key} must be one of {', '.join(repr(a) for a in allowed)} unless {other} is set"
            )
        return model

    return model_validator(mode="after")(check)


class _Builder:
    """Turns the node tree into pydantic models, keeping only keys ``version`` knows."""

    def __init__(self, version: versions.Version | None) -> None:
        self.version = version
        self.keys = versions.keys_at(version) if version is not None else None
        self.tables = versions.tables_at(version if version is not None else versions.LATEST)

    def go_type(self, leaf: Leaf, path: str) -> str | None:
        if self.keys is None:
            return leaf.go_type
        return self.keys.get(path)

    def field(self, node: Node, path: str) -> tuple[Any, Any] | None:
        if isinstance(node, Leaf):
            go_type = self.go_type(node, path)
            return None if go_type is None else _leaf_field(node, path, go_type, self.version)
        if isinstance(node, Struct):
            model = self.model(node, path)
            return None if model is None else (model, self.table_field(node, path))
        item_path = path + (".*" if isinstance(node, MapOf) else "[]")
        item = self.model(node.item, item_path)
        if item is None:
            return None
        annotation: Any = dict[str, item] if isinstance(node, MapOf) else list[item]  # type: ignore[valid-type]
        return annotation, self.table_field(node, item_path)

    def table_field(self, node: Node, table_path: str) -> Any:
        """Field of a sub-table; its Go type and first release come from the version data."""
        go_type = self.tables.get(table_path, node.go_type)
        extra: dict[str, Any] = {"x-go-type": go_type}
        since = node.since or _since_text(versions.table_since(table_path))
        if since:
            extra["x-since"] = since
        return Field(default=None, alias=node.name, description=node.doc or None, json_schema_extra=extra)

    def model(self, struct: Struct, path: str) -> type[BaseModel] | None:
        fields: dict[str, Any] = {}
        validators: dict[str, Any] = {}
        taken: set[str] = set()
        py_names: dict[str, str] = {}
        schema_extra: dict[str, Any] = {}
        for name, child in struct.fields.items():
            child_path = _join(path, name)
            spec = self.field(child, child_path)
            if spec is None:
                continue
            py = _py_name(name, taken)
            py_names[name] = py
            fields[py] = spec
        if not fields:
            return None
        for name, child in struct.fields.items():
            child_path = _join(path, name)
            sibling = _ENUM_UNLESS.get(child_path)
            if sibling is None or name not in py_names or sibling not in py_names:
                continue
            assert isinstance(child, Leaf)
            allowed = _allowed(child, child_path, self.version)
            validators[f"_check_{py_names[name]}"] = _unless_validator(
                py_names[name], py_names[sibling], allowed, name, sibling
            )
            # JSON Schema twin: the enum applies only when the sibling is absent or "".
            schema_extra["if"] = {"required": [sibling], "properties": {sibling: {"minLength": 1}}}
            schema_extra["else"] = {"properties": {name: {"enum": list(allowed)}}}
        config = ConfigDict(
            extra="forbid",
            strict=True,
            populate_by_name=False,
            title=_model_name(path),
            json_schema_extra=schema_extra or None,
        )
        model: type[BaseModel] = create_model(
            _model_name(path),
            __config__=config,
            __doc__=struct.doc or None,
            __module__=__name__,
            __validators__=validators or None,
            **fields,
        )
        return model


@functools.cache
def _config_model(version: versions.Version | None) -> type[BaseModel]:
    model = _Builder(version).model(CONFIG, "")
    assert model is not None
    return model


def config_model(version: str | None = None) -> type[BaseModel]:
    """The pydantic model of the whole file; with ``version``, only keys that release knows.

    ``version`` is anything ``versions.parse_version`` accepts (``"v0.12"``, ``"0.27.1"``);
    None means the tree as of the latest release. Fields are optional (absent = buildkitd's
    default), validated strictly and looked up by their TOML names (aliases).
    """
    if version is None:
        return _config_model(None)
    return _config_model(versions.parse_version(version))


class _SchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, minus ``"default": null`` for keys that are simply optional."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        if schema.get("default", object()) is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def _strip_property_titles(node: Any) -> None:
    """Drop the titles pydantic derives from Python names; the keys say it better."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for prop in props.values():
                if isinstance(prop, dict):
                    prop.pop("title", None)
        for value in node.values():
            _strip_property_titles(value)
    elif isinstance(node, list):
        for value in node:
            _strip_property_titles(value)


@functools.cache
def _json_schema(version: versions.Version | None) -> dict[str, Any]:
    model = _config_model(version)
    raw = model.model_json_schema(
        by_alias=True, ref_template="#/definitions/{model}", schema_generator=_SchemaGenerator
    )
    _strip_property_titles(raw)
    definitions = raw.pop("$defs", {})
    label = f"BuildKit {version}" if version is not None else f"BuildKit {versions.LATEST} (HEAD)"
    top: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://bklint.invalid/schemas/buildkitd.schema.json",
        "title": f"buildkitd.toml ({label})",
        "description": (
            f"Configuration file of BuildKit's daemon, buildkitd ({label}). Generated by bklint from "
            "its key tree. Keys are matched case-sensitively here and unknown keys are errors, while "
            "buildkitd matches keys case-insensitively (go-toml v2, v0.28+; only exact, lower, UPPER "
            "or lowerFirst spellings before) and ignores unknown keys: `bklint check` reports both "
            "with precise messages."
        ),
        "x-taplo-info": {
            "authors": ["bklint"],
            "patterns": [r"^(.*(/|\\)buildkitd(\.default)?\.toml|buildkitd(\.default)?\.toml)$"],
        },
    }
    for key, value in raw.items():
        if key not in {"title", "description"}:
            top[key] = value
    top["definitions"] = definitions
    return top


def json_schema(version: str | None = None) -> dict[str, Any]:
    """JSON Schema (draft-07) of buildkitd.toml, for taplo, editors and ``bklint schema``.

    With ``version``, keys that release does not know are absent (so they are reported as
    unknown) and types are that release's (``gckeepstorage`` is an integer before v0.12).
    The result is a fresh copy the caller may change.
    """
    resolved = None if version is None else versions.parse_version(version)
    return copy.deepcopy(_json_schema(resolved))
