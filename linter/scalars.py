"""TOML scalar tokens to Python values, accepting exactly what go-toml v2.3.1 accepts.

The parser (linter/parse.py) finds where a token ends; this module decides whether the
text is a valid string, number or date the way buildkitd's TOML library does and converts
it. Each check mirrors one in go-toml v2 (decode.go, unstable/parser.go), including the
TOML 1.1 `\\e` escape it accepts. Errors carry an offset into the document so the finding
lands where the loader's error does.
"""

from __future__ import annotations

import math

from bklint.rules.regex import Regex
from bklint.rules.schema.values import INT64_MAX, INT64_MIN

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt

    from bklint.rules.context import SyntaxKind


class ScalarError(Exception):
    """The token is not a value go-toml accepts; ``offset`` is where, in the document.

    ``kind`` is "value" where go-toml finds the problem only when it decodes the value (so
    buildkitd's loader, which skips values of keys it ignores, never sees it).
    """

    def __init__(self, offset: int, message: str, kind: SyntaxKind = "syntax") -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.kind: SyntaxKind = kind


OUT_OF_RANGE = "integer out of the 64-bit range buildkitd can read"
# Characters no TOML string or comment may hold raw (tab, LF and CR are checked apart);
# surrogates only reach us from editor buffers, where they stand for invalid UTF-8.
_CONTROL = Regex(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
ML_REFUSED = Regex(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f\ud800-\udfff]|\r(?!\n)")
LONE_CR = Regex(r"\r(?!\n)")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}
_LINE_END_BACKSLASH = Regex(r"\\[ \t]*\r?\n[ \t\r\n]*")
_HEX = frozenset("0123456789abcdefABCDEF")
_DEC_INT = Regex(r"[+-]?[0-9]+")


def describe(ch: str) -> str:
    """A character as a message shows it: printable ones quoted, the rest as U+XXXX."""
    if ch.isprintable() and not ch.isspace():
        return f"`{ch}`"
    names = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", " ": "a space"}
    return names.get(ch, f"U+{ord(ch):04X}")


# -- strings ------------------------------------------------------------------------------
def check_comment(text: str, start: int, end: int) -> None:
    """A comment may hold any character but the control ones (tab allowed, CR only before LF)."""
    m = ML_REFUSED.search(text, start, end)
    if m is not None:
        raise ScalarError(m.start(), f"{describe(text[m.start()])} is not allowed in a comment")


def literal(text: str, start: int, end: int) -> str:
    """The body ``text[start:end]`` of a 'literal string' (no escapes, no line breaks)."""
    body = text[start:end]
    if body.isascii() and body.isprintable():
        return body  # nothing to refuse: most strings, without compiling the control-character pattern
    m = _CONTROL.search(text, start, end)
    if m is not None:
        raise ScalarError(m.start(), f"{describe(text[m.start()])} is not allowed in a string")
    return text[start:end]


def ml_literal(text: str, start: int, end: int) -> str:
    """The body of a '''multi-line literal string''' (after the opening delimiter)."""
    m = ML_REFUSED.search(text, start, end)
    if m is not None:
        raise ScalarError(m.start(), f"{describe(text[m.start()])} is not allowed in a string")
    return text[_after_first_newline(text, start, end) : end]


def basic(text: str, start: int, end: int) -> str:
    """The body of a "basic string": escapes resolved, raw control characters refused."""
    if "\\" not in text[start:end]:
        return literal(text, start, end)
    return _unescape(text, start, end, multiline=False)


def ml_basic(text: str, start: int, end: int) -> str:
    """The body of a \"\"\"multi-line basic string\"\"\" (line-ending backslashes trimmed)."""
    begin = _after_first_newline(text, start, end)
    cr = LONE_CR.search(text, begin, end)
    if cr is not None:
        raise ScalarError(cr.start(), "a carriage return must be followed by a line feed")
    if "\\" not in text[begin:end]:
        m = ML_REFUSED.search(text, begin, end)
        if m is not None:
            raise ScalarError(m.start(), f"{describe(text[m.start()])} is not allowed in a string")
        return text[begin:end]
    return _unescape(text, begin, end, multiline=True)


def _after_first_newline(text: str, start: int, end: int) -> int:
    if text.startswith("\n", start) and start < end:
        return start + 1
    if text.startswith("\r\n", start) and start + 1 < end:
        return start + 2
    return start


def _unescape(text: str, start: int, end: int, multiline: bool) -> str:
    out: list[str] = []
    control = ML_REFUSED if multiline else _CONTROL
    i = start
    while True:
        j = text.find("\\", i, end)
        stop = end if j < 0 else j
        m = control.search(text, i, stop)
        if m is not None:
            raise ScalarError(m.start(), f"{describe(text[m.start()])} is not allowed in a string")
        out.append(text[i:stop])
        if j < 0:
            return "".join(out)
        if multiline:
            trim = _LINE_END_BACKSLASH.match(text, j, end)
            if trim is not None:
                i = trim.end()
                continue
        kind = text[j + 1] if j + 1 < end else ""
        if kind in _ESCAPES:
            out.append(_ESCAPES[kind])
            i = j + 2
        elif kind in ("u", "U"):
            width = 4 if kind == "u" else 8
            digits = text[j + 2 : min(j + 2 + width, end)]
            if len(digits) < width:
                raise ScalarError(j, f"`\\{kind}` needs {width} hexadecimal digits")
            for k, d in enumerate(digits):
                if d not in _HEX:
                    raise ScalarError(j + 2 + k, f"{describe(d)} is not a hexadecimal digit")
            code = int(digits, 16)
            if code > 0x10FFFF or 0xD800 <= code < 0xE000:
                raise ScalarError(j + 2, f"`\\{kind}{digits}` is not a valid Unicode code point")
            out.append(chr(code))
            i = j + 2 + width
        else:
            raise ScalarError(j + 1, f"invalid escape `\\{kind}` (valid: \\b \\t \\n \\f \\r \\e \\\" \\\\ \\uXXXX \\UXXXXXXXX)")


# -- numbers ------------------------------------------------------------------------------
def number_end(text: str, pos: int, end: int) -> tuple[int, bool]:
    """Where the number token at ``pos`` ends, and whether it is a float (go-toml's scan).

    The scan is loose on purpose (``1-2`` is one token); ``number`` then refuses what
    is not a valid integer or float, as go-toml does.
    """
    if end - pos > 2 and text[pos] == "0" and text[pos + 1] not in ".eE":
        digits = _BASE_DIGITS.get(text[pos + 1])
        if digits is None:
            return pos + 1, False
        i = pos + 2
        while i < end and text[i] in digits:
            i += 1
        return i, False
    i = pos
    is_float = False
    while i < end:
        c = text[i]
        if c in "0123456789+-_":
            i += 1
        elif c in ".eE":
            is_float = True
            i += 1
        elif c == "i" or c == "n":
            word = "inf" if c == "i" else "nan"
            if text.startswith(word, i, end):
                return i + 3, True
            raise ScalarError(i, f"unexpected {describe(c)} in a number")
        else:
            break
    return i, is_float


_BASE_DIGITS = {
    "x": frozenset("0123456789abcdefABCDEF_"),
    "o": frozenset("01234567_"),
    "b": frozenset("01_"),
}
_BASES = {"x": (16, "hexadecimal"), "o": (8, "octal"), "b": (2, "binary")}
# The most digits an int64 can have in each base (leading zeros aside).
_MAX_DIGITS = {16: 16, 8: 22, 2: 64, 10: 19}


def integer(text: str, start: int, end: int) -> int:
    token = text[start:end]
    if len(token) > 2 and token[0] == "0" and token[1] in _BASES:
        base, name = _BASES[token[1]]
        digits = _without_underscores(token[2:], start + 2)
        if not digits:
            raise ScalarError(start, f"`{token}` is not a valid {name} integer")
        significant = digits.lstrip("0")
        if len(significant) > _MAX_DIGITS[base]:
            raise ScalarError(start, OUT_OF_RANGE, "value")
        value = int(digits, base)
        if value > INT64_MAX:
            raise ScalarError(start, OUT_OF_RANGE, "value")
        return value
    cleaned = _without_underscores(token, start)
    sign = 1 if cleaned[:1] in ("+", "-") else 0
    if len(cleaned) > sign + 1 and cleaned[sign] == "0":
        raise ScalarError(start, "leading zeros are not allowed in a decimal integer", "value")
    if not _DEC_INT.fullmatch(cleaned):
        raise ScalarError(start, f"`{token}` is not a valid integer")
    if len(cleaned) - sign > _MAX_DIGITS[10]:
        raise ScalarError(start, OUT_OF_RANGE, "value")
    value = int(cleaned)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ScalarError(start, OUT_OF_RANGE, "value")
    return value


def _without_underscores(token: str, start: int) -> str:
    """Remove digit-separating underscores, refusing leading, trailing and doubled ones."""
    if "_" not in token:
        return token
    first = 1 if token[:1] in ("+", "-") else 0
    if len(token) == first:
        return token
    if token[first] == "_":
        raise ScalarError(start + first, "a number cannot start with an underscore", "value")
    if token[-1] == "_":
        raise ScalarError(start + len(token) - 1, "a number cannot end with an underscore", "value")
    if "__" in token:
        raise ScalarError(start + token.index("__"), "each underscore in a number must be between digits", "value")
    return token.replace("_", "")


def floating(text: str, start: int, end: int) -> float:
    token = text[start:end]
    if token in ("+nan", "-nan"):
        return math.nan
    cleaned = _float_without_underscores(token, start)
    if cleaned[0] == ".":
        raise ScalarError(start, "a float cannot start with a dot", "value")
    if cleaned[-1] == ".":
        raise ScalarError(start, "a float cannot end with a dot", "value")
    seen_dot = False
    for i, c in enumerate(cleaned):
        if c != ".":
            continue
        if seen_dot:
            raise ScalarError(start, "a float can have only one decimal point")
        if not cleaned[i - 1].isdigit() or not cleaned[i + 1].isdigit():
            raise ScalarError(start, "a decimal point must have digits on both sides")
        seen_dot = True
    digits = 1 if cleaned[0] in "+-" else 0
    if cleaned[digits] == "0" and len(cleaned) > digits + 1 and cleaned[digits + 1].isdigit():
        raise ScalarError(start, "leading zeros are not allowed in a float", "value")
    try:
        value = float(cleaned)
    except ValueError:
        raise ScalarError(start, f"`{token}` is not a valid float") from None
    if math.isinf(value) and "inf" not in cleaned:
        raise ScalarError(start, f"`{token}` is out of the range of a 64-bit float")
    return value


def _float_without_underscores(token: str, start: int) -> str:
    if "_" not in token:
        return token
    if token[0] == "_":
        raise ScalarError(start, "a number cannot start with an underscore", "value")
    if token[-1] == "_":
        raise ScalarError(start + len(token) - 1, "a number cannot end with an underscore", "value")
    out: list[str] = []
    digit_before = False
    for i, c in enumerate(token):
        nxt = token[i + 1] if i + 1 < len(token) else ""
        if c == "_":
            if not digit_before:
                raise ScalarError(start + i, "each underscore in a number must be between digits", "value")
            if nxt in ("e", "E"):
                raise ScalarError(start + i + 1, "an underscore cannot come before the exponent", "value")
            digit_before = False
            continue
        if c in "+-":
            digit_before = False
        elif c in "eE":
            if nxt == "_":
                raise ScalarError(start + i + 1, "an underscore cannot come after the exponent mark", "value")
        elif c == ".":
            if nxt == "_":
                raise ScalarError(start + i + 1, "an underscore cannot come after a decimal point", "value")
            if i > 0 and token[i - 1] == "_":
                raise ScalarError(start + i - 1, "an underscore cannot come before a decimal point", "value")
        else:
            digit_before = True
        out.append(c)
    return "".join(out)


# -- dates and times ----------------------------------------------------------------------
def datetime_end(text: str, pos: int, end: int) -> tuple[int, str]:
    """Where a date/time token ends and which kind go-toml takes it for.

    Kinds: "datetime" (with offset), "local-datetime", "local-date", "local-time". The
    scan takes digits and ``-T:.+Zz`` and one space followed by a digit (``1979-05-27 07:32:00``).
    """
    has_date = has_time = has_tz = seen_space = False
    i = pos
    while i < end:
        c = text[i]
        if "0" <= c <= "9":
            pass
        elif c == "-":
            has_date = True
            if i - pos >= 8:
                has_tz = True
        elif c in "Tt:.":
            has_time = True
        elif c in "+Zz":
            has_tz = True
        elif c == " " and not seen_space and i + 1 < end and "0" <= text[i + 1] <= "9":
            # go-toml steps over the space and the digit after it, and then one more byte.
            i += 2
            if i >= end:
                i -= 1
            seen_space = has_time = True
        else:
            break
        i += 1
    if has_time:
        kind = ("datetime" if has_tz else "local-datetime") if has_date else "local-time"
    else:
        kind = "local-date"
    return i, kind


DATE_KINDS = ("datetime", "local-datetime", "local-date", "local-time")


def date_time(text: str, start: int, end: int, kind: str) -> _dt.date | _dt.time | _dt.datetime:
    import datetime as _dt  # TOML date-times are rare in a buildkitd.toml: imported on first use

    token = text[start:end]
    if kind == "local-date":
        year, month, day = _date(token, start)
        return _date_value(year, month, day)
    if kind == "local-time":
        t, rest = _time(token, 0, start)
        if rest < len(token):
            raise ScalarError(start + rest, "unexpected characters after the time")
        return t
    if len(token) < 11:
        raise ScalarError(start, "a date-time must look like 1979-05-27T07:32:00")
    year, month, day = _date(token[:10], start)
    if token[10] not in "Tt ":
        raise ScalarError(start + 10, "the date and time must be separated by T or a space")
    t, rest = _time(token, 11, start)
    d = _date_value(year, month, day)
    if kind == "local-datetime":
        if rest < len(token):
            raise ScalarError(start + rest, "unexpected characters after the date-time")
        return _dt.datetime.combine(d, t)
    zone = token[rest:]
    tz = _dt.timezone.utc if zone in ("Z", "z") else _offset(zone, start + rest)
    return _dt.datetime.combine(d, t.replace(tzinfo=tz))


def _digits(token: str, i: int, n: int, start: int) -> int:
    for k in range(i, i + n):
        if not "0" <= token[k] <= "9":
            raise ScalarError(start + k, f"expected a digit, not {describe(token[k])}")
    return int(token[i : i + n])


def _date(token: str, start: int) -> tuple[int, int, int]:
    if len(token) != 10 or token[4] != "-" or token[7] != "-":
        raise ScalarError(start, "a date must look like YYYY-MM-DD")
    year = _digits(token, 0, 4, start)
    month = _digits(token, 5, 2, start)
    day = _digits(token, 8, 2, start)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if not 1 <= month <= 12 or not 1 <= day <= days[month - 1]:
        raise ScalarError(start, f"{token} is not a date that exists", "value")
    return year, month, day


def _date_value(year: int, month: int, day: int) -> _dt.date:
    import datetime as _dt

    # go-toml accepts year 0, which Python's date cannot hold; 2000 is a leap year like 0,
    # and no rule reads the year of a date.
    return _dt.date(year or 2000, month, day)


def _time(token: str, i: int, start: int) -> tuple[_dt.time, int]:
    """Parse HH:MM:SS[.fraction] at ``token[i:]``; return it and the index after it."""
    import datetime as _dt

    if len(token) - i < 8:
        raise ScalarError(start + i, "a time must look like HH:MM:SS")
    hour = _digits(token, i, 2, start)
    if hour > 23:
        raise ScalarError(start + i, "the hour cannot be above 23")
    if token[i + 2] != ":":
        raise ScalarError(start + i + 2, "expected `:` between hours and minutes")
    minute = _digits(token, i + 3, 2, start)
    if minute > 59:
        raise ScalarError(start + i + 3, "the minutes cannot be above 59")
    if token[i + 5] != ":":
        raise ScalarError(start + i + 5, "expected `:` between minutes and seconds")
    second = _digits(token, i + 6, 2, start)
    if second > 59:
        raise ScalarError(start + i + 6, "the seconds cannot be above 59")
    j = i + 8
    micro = 0
    if j < len(token) and token[j] == ".":
        k = j + 1
        while k < len(token) and "0" <= token[k] <= "9":
            k += 1
        if k == j + 1:
            raise ScalarError(start + j, "a fraction of a second needs at least one digit")
        micro = int(token[j + 1 : min(k, j + 7)].ljust(6, "0"))
        j = k
    return _dt.time(hour, minute, second, micro), j


def _offset(zone: str, start: int) -> _dt.tzinfo:
    import datetime as _dt

    if len(zone) != 6:
        raise ScalarError(start, "a time zone offset must be Z or look like +07:00")
    if zone[0] not in "+-":
        raise ScalarError(start, "a time zone offset must start with + or -")
    if zone[3] != ":":
        raise ScalarError(start + 3, "expected `:` in the time zone offset")
    hours = _digits(zone, 1, 2, start)
    if hours > 23:
        raise ScalarError(start, "the time zone hours cannot be above 23")
    minutes = _digits(zone, 4, 2, start)
    if minutes > 59:
        raise ScalarError(start, "the time zone minutes cannot be above 59")
    delta = _dt.timedelta(hours=hours, minutes=minutes)
    if not delta:
        return _dt.timezone.utc
    return _dt.timezone(-delta if zone[0] == "-" else delta)
