"""BuildKit's size and duration parsers (reference §2.2, §2.3)."""

from __future__ import annotations

import pytest

from bklint.rules.schema.values import DiskSpace, ValueError_, parse_disk_space, parse_duration

GIB = 1 << 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1024000000", DiskSpace(bytes=1024000000)),
        ("512MB", DiskSpace(bytes=512 << 20)),
        ("512 MB", DiskSpace(bytes=512 << 20)),
        ("512MiB", DiskSpace(bytes=512 << 20)),
        ("20GB", DiskSpace(bytes=20 * GIB)),
        ("1.5GB", DiskSpace(bytes=int(1.5 * GIB))),
        ("1e3", DiskSpace(bytes=1000)),
        ("100 ", DiskSpace(bytes=100)),
        ("10%", DiskSpace(percentage=10)),
        ("-5%", DiskSpace(percentage=-5)),
        ("", DiskSpace()),
        ("1_024", DiskSpace(bytes=1024)),
    ],
)
def test_sizes_buildkit_accepts(text: str, expected: DiskSpace) -> None:
    assert parse_disk_space(text) == expected


@pytest.mark.parametrize("text", ["1EB", "-100", "0x400", "true", "inf", " 100", "10.5%", "10 %", "%", "abc"])
def test_sizes_buildkit_refuses(text: str) -> None:
    with pytest.raises(ValueError_):
        parse_disk_space(text)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("172800", 172800), ("48h", 172800), ("1h30m", 5400), ("1.5h", 5400), ("-5", -5), ("0", 0), ("", 0)],
)
def test_durations_buildkit_accepts(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds * 1_000_000_000


def test_duration_units_below_a_second() -> None:
    assert parse_duration("300ms") == 300_000_000
    assert parse_duration("1µs") == 1_000


@pytest.mark.parametrize("text", ["2d", "1w", "10 s", "1.5", "1e3", "0x10", "172_800", "true"])
def test_durations_buildkit_refuses(text: str) -> None:
    with pytest.raises(ValueError_):
        parse_duration(text)
