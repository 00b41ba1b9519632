"""buildkitd's command-line flags, in three steps a module each.

Flags reach buildkitd from ``docker buildx create --buildkitd-flags "…"``, from
setup-buildx-action's ``buildkitd-flags`` input, from ``bklint check --buildkitd-flags`` and
from the ``buildkitd-flags`` setting of a bklint config file. They override the keys they
map to, so a rule that judges the file alone can be wrong about what the daemon runs with.

- ``table``: the flag table (names, kinds, the keys each writes, since when);
- ``command_line``: a flags string split as buildx splits it and parsed as buildkitd parses it;
- ``flag_values``: one flag's value as buildkitd reads it, and why it refuses one;
- ``overlay``: the effective config, the file with the flags over it.
"""
