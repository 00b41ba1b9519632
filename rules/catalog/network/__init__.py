"""BK260–BK279: build-container networking (network mode, CNI, bridge) of both workers.

The rules read the effective config (``bklint.rules.daemon_flags.overlay.effective``): a value a daemon
flag sets (``--oci-worker-net=cni``) is judged like one written in the file, reported at
the file start and marked "(from --buildkitd-flags)".
"""
