"""`bklint version`."""

from __future__ import annotations

from bklint.linter import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse



def add_arguments(p: argparse.ArgumentParser) -> None:
    del p


def run(args: argparse.Namespace) -> int:
    print(f"bklint {__version__}")
    return 0
