"""BK230–BK239: garbage collection of the build cache, as ``getGCPolicy`` and the cache
manager's prune apply it.

A GC mistake never stops the daemon: the cache either grows until the disk is full or is
thrown away on every run. These rules point out the settings that can only do one of
those, or that are silently ignored.
"""
