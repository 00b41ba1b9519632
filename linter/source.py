"""Bytes to text, the way buildkitd and buildx would see them.

go-toml v2 reads raw bytes: a UTF-8 BOM is an "invalid character at start of key", invalid
UTF-8 is an error at its byte, and UTF-16 is garbage. We report those as findings and, for
the BOM only, keep going on the rest of the file so the user sees everything at once.
"""

from __future__ import annotations

from bklint.rules.context import DecodeProblem, SourceText

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_bytes(data: bytes) -> SourceText:
    if data.startswith(UTF16_BOMS):
        return SourceText(
            "",
            (
                DecodeProblem(
                    "utf16",
                    "the file is UTF-16 encoded; buildkitd reads UTF-8 only and refuses it",
                    0,
                ),
            ),
        )
    problems: list[DecodeProblem] = []
    had_bom = data.startswith(UTF8_BOM)
    if had_bom:
        data = data[len(UTF8_BOM) :]
        problems.append(
            DecodeProblem(
                "bom",
                "the file starts with a UTF-8 byte order mark; buildkitd and `docker buildx create` "
                "refuse it (invalid character at start of key)",
                0,
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        kind = "binary" if b"\x00" in data[:8192] and _looks_binary(data) else "invalid-utf8"
        message = (
            "this is a binary file, not TOML"
            if kind == "binary"
            else f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); buildkitd refuses the file"
        )
        problems.append(DecodeProblem(kind, message, len(good)))
        # Keep the readable prefix so the finding can point at the right line.
        return SourceText(good, tuple(problems), had_bom)
    if "\x00" in text[:8192] and _looks_binary(data):
        problems.append(DecodeProblem("binary", "this is a binary file, not TOML", text.index("\x00")))
        return SourceText(text[: text.index("\x00")], tuple(problems), had_bom)
    return SourceText(text, tuple(problems), had_bom)


def _looks_binary(data: bytes) -> bool:
    """A few NUL bytes in an otherwise textual file are a TOML error, not a binary file."""
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls * 10 > len(sample) or sample.count(0) > 8
