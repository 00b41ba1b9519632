"""BK240–BK259: values buildkitd checks at start-up (and a few it silently drops).

Most of these stop the daemon before it listens — `docker buildx create` succeeds, then the
builder never boots — so they are errors. The rest are settings that load fine and do
something other than what they say.
"""
