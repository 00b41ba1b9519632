"""A 1,600-line buildkitd.toml with 400 registries: the size the latency targets are set for.

Run it to write the file (``python bench/data/big_config.py out.toml``) or import
``big_config()``; the text is deterministic so runs compare.
"""

from __future__ import annotations

import sys

HEAD = """\
debug = false
root = "/var/lib/buildkit"
insecure-entitlements = ["network.host", "security.insecure"]

[log]
  format = "json"

[grpc]
  address = ["unix:///run/buildkit/buildkitd.sock"]

[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
  gc = true
  reservedSpace = "10%"

[[worker.oci.gcpolicy]]
  keepDuration = "48h"
  filters = ["type==source.local", "type==exec.cachemount"]

[worker.containerd]
  enabled = false

"""


def big_config(registries: int = 400) -> str:
    """The header above, then ``registries`` tables of three keys and a blank line each."""
    parts = [HEAD]
    for i in range(registries):
        parts.append(
            f'[registry."registry-{i:03d}.example.com"]\n'
            f'  mirrors = ["mirror-{i:03d}.example.net"]\n'
            f"  http = {'true' if i % 2 else 'false'}\n"
            "\n"
        )
    return "".join(parts)


if __name__ == "__main__":
    text = big_config()
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
