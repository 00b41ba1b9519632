"""A flag's value as buildkitd reads it: Go's ``strconv`` booleans and integers, the
``--*-gc-keepstorage`` sizes, and why buildkitd refuses a value at start-up.

Read from moby/buildkit ``cmd/buildkitd/main.go`` and ``util.go`` (``stringToGCConfig``).
"""

from __future__ import annotations

from bklint.rules.schema.tree import LOG_LEVELS
from bklint.rules.schema.values import INT64_MAX, DiskSpace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bklint.rules.daemon_flags.command_line import FlagUse

_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def go_parse_bool(text: str) -> bool | None:
    """``strconv.ParseBool``; None when Go would refuse it."""
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


def go_parse_int(text: str, base: int = 0) -> int | None:
    """``strconv.ParseInt(text, base, 64)`` for base 0 (``0x``/``0o``/``0b``/``0`` prefixes and
    ``_`` separators, as urfave/cli's IntFlag) or base 10; None where Go refuses."""
    sign = -1 if text[:1] == "-" else 1
    body = text[1:] if text[:1] in "+-" else text
    if base == 10:
        if not body.isascii() or not body.isdigit():
            return None
        value = sign * int(body)
    else:
        radix, digits, prefixed = 10, body, False
        if body[:2].lower() in ("0x", "0o", "0b"):
            radix = {"x": 16, "o": 8, "b": 2}[body[1].lower()]
            digits, prefixed = body[2:], True
        elif len(body) > 1 and body[0] == "0":
            radix, digits, prefixed = 8, body[1:], True
        if not digits or digits.endswith("_") or "__" in digits or (digits[0] == "_" and not prefixed):
            return None
        allowed = "0123456789abcdef"[:radix] + "_"
        if any(c not in allowed for c in digits.lower()):
            return None
        value = sign * int(digits.replace("_", ""), radix)
    if not -(2**63) <= value <= INT64_MAX:
        return None
    return value


def parse_keepstorage(text: str) -> tuple[DiskSpace, DiskSpace, DiskSpace] | str:
    """``stringToGCConfig``: reserved, free, max in decimal MB; a string is the error."""
    if text == "":
        return DiskSpace(), DiskSpace(), DiskSpace()
    parts = text.split(",", 2)
    names = ("storage", "free storage", "max storage")
    out: list[DiskSpace] = []
    for name, part in zip(names, parts, strict=False):
        value = go_parse_int(part, 10)
        if value is None or abs(value) * 10**6 > INT64_MAX:
            return f"failed to parse {name} {text!r}: {part!r} is not a whole number of megabytes"
        out.append(DiskSpace(bytes=value * 10**6))
    while len(out) < 3:
        out.append(DiskSpace())
    return out[0], out[1], out[2]


def flag_value_error(use: FlagUse) -> str | None:
    """Why buildkitd refuses this flag's value at start-up (None when it accepts it)."""
    spec, value = use.spec, use.value
    if spec.kind == "bool":
        if go_parse_bool(value) is None:
            return f"invalid boolean value {value!r} (use {spec.spelled} or {spec.spelled}=false)"
        return None
    if spec.kind == "int":
        if go_parse_int(value) is None:
            return f"invalid value {value!r}: expects an integer"
        return None
    name = spec.name
    if name in ("oci-worker", "containerd-worker"):
        if value == "" or value.lower() == "auto" or go_parse_bool(value) is not None:
            return None
        return f"invalid value {value!r}: expects true, false or auto"
    if name.endswith("-gc-keepstorage"):
        parsed = parse_keepstorage(value)
        if isinstance(parsed, str):
            return parsed + ' (format "Reserved[,Free[,Maximum]]", whole MB, no units)'
        return None
    if name.endswith("-worker-labels") and "=" not in value:
        return f"invalid value {value!r}: a label is key=value"
    if name == "log-format" and value not in ("text", "json", ""):
        return f"unsupported log type {value!r} (text or json, lower case)"
    if name == "log-level" and value.lower() not in LOG_LEVELS:
        return f"unsupported log level {value!r} ({', '.join(sorted(LOG_LEVELS))})"
    return None
