"""The buildkitd.toml key tree, value parsers and the go-toml v2 style decoder."""
