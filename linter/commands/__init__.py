"""One module per `bklint` subcommand, each with ``add_arguments`` and ``run``."""
