"""bklint's rules, the schema of buildkitd.toml and the vocabulary they share."""
