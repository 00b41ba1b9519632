; inherits: toml
; buildkitd.toml is TOML: reuse the toml queries shipped with Helix.
