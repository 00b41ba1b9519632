"""`bklint version`."""

from __future__ import annotations

import argparse

from bklint.linter import __version__


def add_arguments(p: argparse.ArgumentParser) -> None:
    del p


def run(args: argparse.Namespace) -> int:
    print(f"bklint {__version__}")
    return 0
