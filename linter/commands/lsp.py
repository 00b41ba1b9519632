"""`bklint lsp`: run the language server on stdio (pygls is imported only here)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse




def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default and only transport)")


def run(args: argparse.Namespace) -> int:
    from bklint.lsp.server import main

    return main()
