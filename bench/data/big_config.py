"""A 1,600-line buildkitd.toml with 400 registries: the size the latency targets are set for.

Run it to write the file (``python bench/data/big_config.py out.toml``) or import
``big_config()``; the text is deterministic so runs compare.
"""

from __future__ import annotations

import sys

HEAD = """\
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

[[worker.oci.gcpolicy]]
  keepDuration = "48h"
  filters = ["type==source.local", "type==exec.cachemount"]

[[worker.oci.gcpolicy]]
  maxUsedSpace = "80%"

[worker.containerd]
  enabled = false

"""


def big_config(registries: int = 400) -> str:
    """The header above, then ``registries`` four-line tables: mirrored public registries
    alternating with plain-HTTP internal ones (a config bklint finds nothing wrong with)."""
    parts = [HEAD]
    for i in range(registries):
        if i % 2:
            parts.append(f'[registry."registry-{i:03d}.internal:5000"]\n  http = true\n  insecure = false\n\n')
        else:
            parts.append(
                f'[registry."registry-{i:03d}.example.com"]\n'
                f'  mirrors = ["mirror-{i:03d}.example.net",\n'
                f'             "mirror-{i:03d}b.example.net"]\n'
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
