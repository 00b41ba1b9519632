"""BK101–BK106: keys buildkitd silently ignores, or matches only loosely."""
