"""bklint's language server (imported only by `bklint lsp`)."""
