"""Run bklint from the libraries bundled in the VS Code extension.

The extension starts ``python -S lsp_server.py`` (``lsp`` is the default sub-command; any
other arguments are a bklint command line, e.g. ``rule BK101``). ``-S`` keeps the Python's own
site-packages out, so the server is the same whichever Python runs it; the bundled folder
``../libs`` is put first on the module path either way. Written for old Pythons too, so that
they get a clear message instead of a syntax error.
"""
import os
import sys

MINIMUM = (3, 10)

if sys.version_info < MINIMUM:
    # %-formatting and no f-strings: this part must run (and say why it stops) on any Python.
    sys.stderr.write(
        "bklint needs Python %d.%d or newer; %s is Python %d.%d. Set bklint.interpreter to a newer one.\n"  # noqa: UP031
        % (MINIMUM + (sys.executable,) + tuple(sys.version_info[:2]))  # noqa: RUF005
    )
    sys.exit(3)

LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")
sys.path.insert(0, LIBS)

from bklint.linter.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:] or ["lsp"]))
