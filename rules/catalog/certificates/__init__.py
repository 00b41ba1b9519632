"""BK301–BK319: certificate, key and TLS-directory files a config names.

Covers registry ``ca``, ``keypair[].key``/``cert`` and ``tlsconfigdir`` and ``grpc.tls``
paths: whether they exist and are readable here, what `docker buildx create --config` does
with them (copies the registry files to ``/etc/buildkit/certs/<registry>/<basename>``, at most
1 MiB each, and nothing else), and whether their PEM content is what buildkitd expects.
Relative paths resolve against ``settings.base_dir`` as buildx resolves them against its
working directory. Messages name paths, never file contents.
"""
