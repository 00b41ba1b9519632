"""`python -m bklint`: the `bklint` command.

This folder holds nothing else: the code lives in linter/, rules/ and lsp/, installed as
bklint.linter, bklint.rules and bklint.lsp, and ``bklint`` stays a namespace package
(no ``__init__.py``) so the four folders share it.
"""

from bklint.linter.cli import main

raise SystemExit(main())
