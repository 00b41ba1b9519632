"""BK401–BK449: deprecated spellings, and keys or values a target BuildKit release reads differently.

BK401–BK405 report spellings buildkitd still honours (or, for `[ghacache]`, never read)
but that have a current replacement; their fixes are what ``bklint migrate`` applies.
BK410–BK413 only run with ``--target-version``: they judge the file as that release's
loader would (keys it does not know, older value types, go-toml v1 before v0.28).
"""
