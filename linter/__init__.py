"""bklint's engine: reading files, running rules, fixing, reporting and the CLI."""

__version__ = "0.1.0"
