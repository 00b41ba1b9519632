"""BK201–BK219: registry tables and mirrors, judged as BuildKit's resolver reads them.

The resolver (``util/resolver/resolver.go`` ``NewRegistryConfig``) looks a registry up by
the exact domain of the image reference, tries each mirror of that table before the
registry itself, and takes a mirror's transport settings only from the table named after
the mirror's host. Most mistakes here cost no error at all: the setting silently does
not apply, or every pull first waits for a mirror that cannot work.
"""
