"""BK501–BK549: buildkitd's daemon flags (``--buildkitd-flags``) and how they meet the file.

The flags come from ``bklint check --buildkitd-flags "…"`` or the ``buildkitd-flags``
setting; they are parsed as buildx splits and buildkitd parses them
(``bklint.rules.daemon_flags``). Findings about the flags themselves sit at the file start and say
"(from --buildkitd-flags)"; findings about a file key a flag overrides sit on that key.
"""
