"""BuildKit's text-decoded value types: ``DiskSpace`` and ``Duration``.

go-toml v2 hands these types the raw text of any scalar token (string content, or the
integer/float/bool/date exactly as written), so parsing works on text, following
``cmd/buildkitd/config/gcpolicy.go`` and docker/go-units ``RAMInBytes``.
"""

from __future__ import annotations

import functools

from bklint.rules.record import FrozenRecord
from bklint.rules.regex import Regex

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Go's strconv.ParseFloat syntax (decimal or hex float; underscores only between digits).
_DEC = r"\d(?:_?\d)*"
_HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_GO_FLOAT = Regex(
    rf"[+-]?(?:(?:{_DEC}(?:\.(?:{_DEC})?)?|\.{_DEC})(?:[eE][+-]?{_DEC})?"
    rf"|0[xX]_?(?:{_HEX}(?:\.(?:{_HEX})?)?|\.{_HEX})[pP][+-]?{_DEC})"
)
_GO_INT10 = Regex(r"[+-]?\d+")
_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
_DUR_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 MICRO SIGN
    "μs": 1_000,  # U+03BC GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_DUR_PART = Regex(r"(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)")


class DiskSpace(FrozenRecord):
    __slots__ = ("bytes", "percentage")

    bytes: int
    percentage: int

    def __init__(self, bytes: int = 0, percentage: int = 0) -> None:
        self.bytes = bytes
        self.percentage = percentage


    @property
    def is_set(self) -> bool:
        return self.bytes != 0 or self.percentage != 0

    def describe(self) -> str:
        if self.percentage:
            return f"{self.percentage}% of the disk holding the BuildKit root"
        if not self.bytes:
            return "unset (0)"
        return f"{self.bytes:,} bytes ({human_bytes(self.bytes)})"


class ValueError_(ValueError):
    """A value buildkitd's parser rejects; the message mirrors buildkitd's reason."""


def strip_quotes(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1]
    return text


# The parsers below are pure and their results immutable, and the configs of one run repeat
# the same few sizes and durations (each read by the decoder, then again by several rules):
# each text is parsed once per run.
@functools.lru_cache(maxsize=1024)
def parse_disk_space(raw: str) -> DiskSpace:
    """Parse as ``DiskSpace.UnmarshalText``; raise ``ValueError_`` where buildkitd fails."""
    text = strip_quotes(raw)
    if not text:
        return DiskSpace()
    if text.endswith("%"):
        number = text[:-1]
        if not _GO_INT10.fullmatch(number):
            raise ValueError_(f'strconv.ParseInt: parsing "{number}": invalid syntax')
        value = int(number)
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError_(f'strconv.ParseInt: parsing "{number}": value out of range')
        return DiskSpace(percentage=value)
    size = ram_in_bytes(text)
    if size is None:
        raise ValueError_(f"invalid disk space {text}")
    return DiskSpace(bytes=size)


@functools.lru_cache(maxsize=1024)
def ram_in_bytes(text: str) -> int | None:
    """docker/go-units ``RAMInBytes`` (binary multipliers); None where it returns an error."""
    sep = max(text.rfind(c) for c in "0123456789. ")
    if sep < 0:
        return None
    if text[sep] == " ":
        number, suffix = text[:sep], text[sep + 1 :]
    else:
        number, suffix = text[: sep + 1], text[sep + 1 :]
    size = go_parse_float(number)
    if size is None or size < 0:
        return None
    if suffix:
        if len(suffix) > 3:
            return None
        suffix = suffix.lower()
        if suffix[0] == "b":
            if len(suffix) > 1:
                return None
        else:
            mul = _UNITS.get(suffix[0])
            if mul is None:
                return None
            if (len(suffix) == 2 and suffix[1] != "b") or (len(suffix) == 3 and suffix[1:] != "ib"):
                return None
            size *= mul
    return _go_float_to_int64(size)


def go_parse_float(text: str) -> float | None:
    if text.isascii() and text.isdigit():  # "10" of "10GB": the common case, without the pattern
        return float(text)
    if not _GO_FLOAT.fullmatch(text):
        return None
    clean = text.replace("_", "")
    try:
        if "x" in clean or "X" in clean:
            return float.fromhex(clean)
        return float(clean)
    except (ValueError, OverflowError):
        return None


def _go_float_to_int64(value: float) -> int:
    # Go's float64 -> int64 conversion of an out-of-range value yields INT64_MIN on amd64.
    if value != value or value >= 2.0**63 or value < -(2.0**63):
        return INT64_MIN
    return int(value)


@functools.lru_cache(maxsize=1024)
def parse_duration(raw: str) -> int:
    """Parse as buildkitd's ``Duration.UnmarshalText``; the result is in nanoseconds."""
    text = strip_quotes(raw)
    if not text:
        return 0
    ns = go_parse_duration(text)
    if ns is not None:
        return ns
    if _GO_INT10.fullmatch(text):
        seconds = int(text)
        if INT64_MIN <= seconds <= INT64_MAX:
            # time.Duration(seconds) * time.Second silently wraps around in Go.
            return _wrap64(seconds * 1_000_000_000)
    raise ValueError_(f"invalid duration {text}")


def go_parse_duration(text: str) -> int | None:
    """Go's ``time.ParseDuration``; None where it returns an error."""
    s = text
    sign = 1
    if s[:1] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        return None
    total = 0
    pos = 0
    while pos < len(s):
        m = _DUR_PART.match(s, pos)
        if m is None or (not m.group(1) and not m.group(2)):
            return None
        whole, frac, unit = m.group(1) or "0", m.group(2) or "", m.group(3)
        scale = _DUR_UNITS[unit]
        part = int(whole) * scale
        if frac:
            part += int(frac) * scale // (10 ** len(frac))
        total += part
        if total > 2**63:
            return None
        pos = m.end()
    if total > INT64_MAX and sign > 0:
        return None
    return sign * total


def _wrap64(value: int) -> int:
    return (value + 2**63) % 2**64 - 2**63


def go_duration(ns: int) -> str:
    """Go's ``time.Duration.String`` for whole seconds (``48h0m0s``), else seconds."""
    if ns % 1_000_000_000:
        return f"{ns / 1_000_000_000:g}s"
    s = ns // 1_000_000_000
    sign = "-" if s < 0 else ""
    s = abs(s)
    if s < 60:
        return f"{sign}{s}s"
    if s < 3600:
        return f"{sign}{s // 60}m{s % 60}s"
    return f"{sign}{s // 3600}h{s % 3600 // 60}m{s % 60}s"


def human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.2f} {unit}".replace(".00 ", " ")
        value /= 1024
    return f"{n} B"
