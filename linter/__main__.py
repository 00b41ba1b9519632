"""`python -m bklint.linter` runs the CLI (editors use it with a chosen interpreter)."""

from bklint.linter.cli import main

raise SystemExit(main())
