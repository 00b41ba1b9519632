"""The key tree of buildkitd.toml at BuildKit v0.32 (HEAD of moby/buildkit, 2026-08).

Mirrors ``cmd/buildkitd/config.Config`` and the structs it embeds; types are Go types as
in ``keys-by-version.json``. Docs feed hover, completion, ``bklint schema`` and messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bklint.rules.schema.nodes import ArrayOf, Leaf, MapOf, Node, Struct


def _gcpolicy(worker: str) -> ArrayOf:
    """`[[worker.<worker>.gcpolicy]]`: both workers embed the same GCPolicy struct."""
    return ArrayOf(
        "gcpolicy",
        doc="GC rules applied in order; one or more replace the default policy and the worker-level sizes.",
        item=Struct(
            "gcpolicy",
            doc="One GC rule: which cache records it covers and how far it prunes them.",
            fields={
                "all": Leaf(
                    "all",
                    "bool",
                    doc="Also cover internal, frontend and image-store-shared records.",
                    default="false",
                ),
                "filters": Leaf(
                    "filters",
                    "[]string",
                    doc="containerd filters selecting records: separate strings are OR, commas in one string AND.",
                    default="[] (every record)",
                ),
                "keepBytes": Leaf(
                    "keepBytes",
                    "DiskSpace",
                    doc="Deprecated size this rule never prunes below; use reservedSpace.",
                    default="unset",
                    deprecated=f"worker.{worker}.gcpolicy[].reservedSpace",
                    deprecated_since="v0.17.0",
                ),
                "keepDuration": Leaf(
                    "keepDuration",
                    "Duration",
                    doc="Records used within this window are kept (seconds or Go duration).",
                    default="0 (no age protection)",
                ),
                "maxUsedSpace": Leaf(
                    "maxUsedSpace",
                    "DiskSpace",
                    doc="Prune this rule's records down to this size.",
                    default="0 (no cap)",
                    since="v0.17.0",
                ),
                "minFreeSpace": Leaf(
                    "minFreeSpace",
                    "DiskSpace",
                    doc="Prune until the disk has this much free space.",
                    default="0 (no target)",
                    since="v0.17.0",
                ),
                "reservedSpace": Leaf(
                    "reservedSpace",
                    "DiskSpace",
                    doc="Size this rule never prunes below.",
                    default="0",
                    since="v0.17.0",
                ),
            },
        ),
    )


# The two workers, in the order buildkitd sets them up (OCI first; it is the default).
WORKERS = ("oci", "containerd")


def _worker(name: str) -> Struct:
    """`[worker.<name>]`: the OCI and containerd workers share most keys (cmd/buildkitd/config
    ``OCIConfig`` and ``ContainerdConfig`` embed the same GC, network and platform structs);
    their flags differ only by prefix, and each has a few keys of its own."""
    oci = name == "oci"
    wflag = f"--{name}-worker"  # --oci-worker-net; the CNI and parallelism flags drop "-worker"
    fields: dict[str, Node] = {
        "apparmor-profile": Leaf(
            "apparmor-profile",
            "string",
            doc="Already-loaded AppArmor profile applied to build containers.",
            default='"" (none)',
            flag=f"{wflag}-apparmor-profile",
        ),
        "bridgeName": Leaf(
            "bridgeName",
            "string",
            doc="Bridge interface used in bridge network mode (at most 15 bytes).",
            default="buildkit0",
            since="v0.13.0",
        ),
        "bridgeSubnet": Leaf(
            "bridgeSubnet",
            "string",
            doc="Subnet (CIDR) of the bridge network.",
            default="10.10.0.0/16",
            since="v0.13.0",
        ),
        "cniBinaryPath": Leaf(
            "cniBinaryPath",
            "string",
            doc="Directory with the CNI plugin binaries.",
            default="/opt/cni/bin",
            flag=f"--{name}-cni-binary-dir",
        ),
        "cniConfigPath": Leaf(
            "cniConfigPath",
            "string",
            doc="CNI config file (.conflist or single .conf) for cni/auto mode"
            + ("; set it here, as --oci-cni-config-path blanks it." if oci else "."),
            default="/etc/buildkit/cni.json (rootless: ~/.config/buildkit/cni.json)",
            flag=f"--{name}-cni-config-path",
        ),
        "cniPoolSize": Leaf(
            "cniPoolSize",
            "int",
            doc="Network namespaces created ahead and kept in a pool; 0 creates them on demand.",
            default="0",
            since="v0.11.0",
            flag=f"--{name}-cni-pool-size",
        ),
        "defaultCgroupParent": Leaf(
            "defaultCgroupParent",
            "string",
            doc="Parent cgroup of build containers.",
            default='"" (runtime default)',
            since=None if oci else "v0.15.0",
        ),
        "enabled": Leaf(
            "enabled",
            "*bool",
            doc=(
                "Run the OCI worker; unset runs it when runc or buildkit-runc is on PATH."
                if oci
                else "Run the containerd worker; unset runs it when the containerd socket answers."
            ),
            default="auto (runc on PATH)" if oci else "auto (containerd reachable)",
            flag=wflag,
        ),
        "gc": Leaf(
            "gc",
            "*bool",
            doc="Garbage-collect the build cache automatically.",
            default="unset (enabled)",
            flag=f"{wflag}-gc",
        ),
        "gckeepstorage": Leaf(
            "gckeepstorage",
            "DiskSpace",
            doc="Deprecated cache size for the default GC policy; use reservedSpace.",
            default="unset",
            deprecated=f"worker.{name}.reservedSpace (consider maxUsedSpace/minFreeSpace)",
            deprecated_since="v0.17.0",
            flag=f"{wflag}-gc-keepstorage",
        ),
        "gcpolicy": _gcpolicy(name),
        "labels": Leaf(
            "labels",
            "map[string]string",
            doc="Extra labels attached to the worker.",
            default="{}",
            flag=f"{wflag}-labels",
        ),
        "max-parallelism": Leaf(
            "max-parallelism",
            "int",
            doc="Build steps run at once on this worker; 0 or less is unlimited.",
            default="0 (unlimited)",
            flag=f"--{name}-max-parallelism",
        ),
        "maxUsedSpace": Leaf(
            "maxUsedSpace",
            "DiskSpace",
            doc="Cache size cap of the default GC policy (ignored when gcpolicy is set).",
            default="min(80%, 100GB)",
            since="v0.17.0",
        ),
        "minFreeSpace": Leaf(
            "minFreeSpace",
            "DiskSpace",
            doc="Free disk space the default GC policy keeps (ignored when gcpolicy is set).",
            default="20%",
            since="v0.17.0",
        ),
        "networkMode": Leaf(
            "networkMode",
            "string",
            doc="Network of build containers: auto, host, bridge or cni.",
            default="auto",
            allowed=("", "auto", "host", "bridge", "cni"),
            flag=f"{wflag}-net",
        ),
        "platforms": Leaf(
            "platforms",
            "[]string",
            doc="Platforms the worker builds for (os/arch[/variant]).",
            default="detected at start (includes binfmt emulators)",
            flag=f"{wflag}-platform",
        ),
        "reservedSpace": Leaf(
            "reservedSpace",
            "DiskSpace",
            doc="Cache size the default GC policy never prunes below (ignored when gcpolicy is set).",
            default="min(10%, 10GB)",
            since="v0.17.0",
        ),
        "rootless": Leaf(
            "rootless",
            "bool",
            doc="Run the worker rootless.",
            default="false (true inside a user namespace)",
            flag=f"{wflag}-rootless",
        ),
        "selinux": Leaf(
            "selinux",
            "bool",
            doc="Apply SELinux labels to build containers.",
            default="false",
            since="v0.10.6",
            flag=f"{wflag}-selinux",
        ),
    }
    fields.update(_oci_only() if oci else _containerd_only())
    return Struct(
        name,
        doc=(
            "Worker that runs build steps with runc (or another OCI runtime) directly; Linux only."
            if oci
            else "Worker that runs build steps through a containerd daemon."
        ),
        fields=dict(sorted(fields.items(), key=lambda kv: kv[0].lower())),
    )



def _oci_only() -> dict[str, Node]:
    flag = "--oci-worker"
    return {
        "binary": Leaf(
            "binary",
            "string",
            doc="OCI runtime binary (name or path), e.g. crun.",
            default="buildkit-runc, else runc",
            flag=f"{flag}-binary",
        ),
        "noProcessSandbox": Leaf(
            "noProcessSandbox",
            "bool",
            doc="Run build processes in buildkitd's own PID namespace; requires rootless, weakens isolation.",
            default="false",
            flag=f"{flag}-no-process-sandbox",
        ),
        "proxySnapshotterPath": Leaf(
            "proxySnapshotterPath",
            "string",
            doc="Socket path (without unix://) of an external snapshotter; any snapshotter name is then accepted.",
            default='"" (built-in snapshotters)',
            flag=f"{flag}-proxy-snapshotter-path",
        ),
        "snapshotter": Leaf(
            "snapshotter",
            "string",
            doc="Snapshotter that stores layers and mounts.",
            default="auto",
            allowed=("", "auto", "overlayfs", "native", "fuse-overlayfs", "stargz"),
            flag=f"{flag}-snapshotter",
        ),
        "stargzSnapshotter": Leaf(
            "stargzSnapshotter",
            "map[string]any",
            doc='Settings of the stargz snapshotter, read with snapshotter = "stargz".',
            default="unset",
        ),
        "userRemapUnsupported": Leaf(
            "userRemapUnsupported",
            "string",
            doc="Testing only: user whose subuid/subgid ranges remap build containers.",
            default='"" (no remapping)',
        ),
    }


def _containerd_only() -> dict[str, Node]:
    flag = "--containerd-worker"
    return {
        "address": Leaf(
            "address",
            "string",
            doc="Address of containerd's socket.",
            default="/run/containerd/containerd.sock",
            flag=f"{flag}-addr",
        ),
        "namespace": Leaf(
            "namespace",
            "string",
            doc="containerd namespace holding BuildKit's images and containers.",
            default="buildkit",
            flag=f"{flag}-namespace",
        ),
        "runtime": Struct(
            "runtime",
            doc="containerd runtime (shim) of build containers; without name the whole table is replaced by the default.",
            fields={
                "name": Leaf(
                    "name",
                    "string",
                    doc="Runtime type name.",
                    default="io.containerd.runc.v2",
                    since="v0.13.0",
                    flag=f"{flag}-runtime",
                ),
                "options": Leaf(
                    "options",
                    "map[string]any",
                    doc="Options of the runtime, e.g. BinaryName for runc.",
                    default="unset",
                    since="v0.13.0",
                ),
                "path": Leaf(
                    "path",
                    "string",
                    doc="Path of the shim binary.",
                    default='"" (found by containerd)',
                    since="v0.13.0",
                ),
            },
        ),
        "snapshotter": Leaf(
            "snapshotter",
            "string",
            doc="containerd snapshotter that stores layers.",
            default="containerd's default (overlayfs)",
            flag=f"{flag}-snapshotter",
        ),
    }


CONFIG = Struct(
    "",
    doc="buildkitd's daemon configuration (buildkitd.toml).",
    fields={
        "cache": Struct(
            "cache",
            doc="Remote-cache backend settings; only the GitHub Actions backend has any (v0.27+).",
            fields={
                "gha": Struct(
                    "gha",
                    doc="Signing and verification of the GitHub Actions (type=gha) cache index.",
                    fields={
                        "sign": Struct(
                            "sign",
                            doc="How buildkitd signs the GHA cache it exports.",
                            fields={
                                "command": Leaf(
                                    "command",
                                    "[]string",
                                    doc="Command (argv list) run inside buildkitd that reads the cache index on stdin and prints a Sigstore bundle; needs verify.required = true.",
                                    default="[] (no signing)",
                                    since="v0.27.0",
                                ),
                            },
                        ),
                        "verify": Struct(
                            "verify",
                            doc="Signature checks on imported GHA cache.",
                            fields={
                                "policy": Struct(
                                    "policy",
                                    doc="Sigstore certificate fields a cache signature must match; empty fields are not checked, `*` wildcards allowed.",
                                    fields={
                                        "buildConfigDigest": Leaf(
                                            "buildConfigDigest",
                                            "string",
                                            doc="Required commit digest of the top-level build configuration (workflow file).",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="BuildConfigDigest",
                                        ),
                                        "buildConfigURI": Leaf(
                                            "buildConfigURI",
                                            "string",
                                            doc="Required reference of the top-level build configuration, e.g. the workflow file at a ref.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="BuildConfigURI",
                                        ),
                                        "buildSignerDigest": Leaf(
                                            "buildSignerDigest",
                                            "string",
                                            doc="Required commit digest of the workflow that did the signing.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="BuildSignerDigest",
                                        ),
                                        "buildSignerURI": Leaf(
                                            "buildSignerURI",
                                            "string",
                                            doc="Required reference of the workflow that did the signing.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="BuildSignerURI",
                                        ),
                                        "buildTrigger": Leaf(
                                            "buildTrigger",
                                            "string",
                                            doc="Required event that triggered the build, e.g. push.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="BuildTrigger",
                                        ),
                                        "certificateIssuer": Leaf(
                                            "certificateIssuer",
                                            "string",
                                            doc="Required issuer (CA) of the signing certificate.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="CertificateIssuer",
                                        ),
                                        "githubWorkflowName": Leaf(
                                            "githubWorkflowName",
                                            "string",
                                            doc="Required GitHub workflow name (legacy Fulcio field, deprecated upstream).",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            deprecated="cache.gha.verify.policy.buildConfigURI / buildConfigDigest",
                                            deprecated_since="v0.27.0 (deprecated in sigstore-go)",
                                            go_name="GithubWorkflowName",
                                        ),
                                        "githubWorkflowRef": Leaf(
                                            "githubWorkflowRef",
                                            "string",
                                            doc="Required GitHub ref (legacy Fulcio field, deprecated upstream).",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            deprecated="cache.gha.verify.policy.sourceRepositoryRef",
                                            deprecated_since="v0.27.0 (deprecated in sigstore-go)",
                                            go_name="GithubWorkflowRef",
                                        ),
                                        "githubWorkflowRepository": Leaf(
                                            "githubWorkflowRepository",
                                            "string",
                                            doc="Required GitHub repository (legacy Fulcio field, deprecated upstream).",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            deprecated="cache.gha.verify.policy.sourceRepositoryURI",
                                            deprecated_since="v0.27.0 (deprecated in sigstore-go)",
                                            go_name="GithubWorkflowRepository",
                                        ),
                                        "githubWorkflowSHA": Leaf(
                                            "githubWorkflowSHA",
                                            "string",
                                            doc="Required commit SHA (legacy Fulcio field, deprecated upstream).",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            deprecated="cache.gha.verify.policy.sourceRepositoryDigest",
                                            deprecated_since="v0.27.0 (deprecated in sigstore-go)",
                                            go_name="GithubWorkflowSHA",
                                        ),
                                        "githubWorkflowTrigger": Leaf(
                                            "githubWorkflowTrigger",
                                            "string",
                                            doc="Required triggering event (legacy Fulcio field, deprecated upstream).",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            deprecated="cache.gha.verify.policy.buildTrigger",
                                            deprecated_since="v0.27.0 (deprecated in sigstore-go)",
                                            go_name="GithubWorkflowTrigger",
                                        ),
                                        "issuer": Leaf(
                                            "issuer",
                                            "string",
                                            doc="Required OIDC issuer of the signer's identity token, e.g. https://token.actions.githubusercontent.com.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="Issuer",
                                        ),
                                        "runInvocationURI": Leaf(
                                            "runInvocationURI",
                                            "string",
                                            doc="Required URL of the CI run that signed.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="RunInvocationURI",
                                        ),
                                        "runnerEnvironment": Leaf(
                                            "runnerEnvironment",
                                            "string",
                                            doc="Required runner kind, e.g. github-hosted or self-hosted.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="RunnerEnvironment",
                                        ),
                                        "sourceRepositoryDigest": Leaf(
                                            "sourceRepositoryDigest",
                                            "string",
                                            doc="Required commit digest of the source repository.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SourceRepositoryDigest",
                                        ),
                                        "sourceRepositoryIdentifier": Leaf(
                                            "sourceRepositoryIdentifier",
                                            "string",
                                            doc="Required immutable ID of the source repository.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SourceRepositoryIdentifier",
                                        ),
                                        "sourceRepositoryOwnerIdentifier": Leaf(
                                            "sourceRepositoryOwnerIdentifier",
                                            "string",
                                            doc="Required immutable ID of the source repository's owner.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SourceRepositoryOwnerIdentifier",
                                        ),
                                        "sourceRepositoryOwnerURI": Leaf(
                                            "sourceRepositoryOwnerURI",
                                            "string",
                                            doc="Required URL of the source repository's owner.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SourceRepositoryOwnerURI",
                                        ),
                                        "sourceRepositoryRef": Leaf(
                                            "sourceRepositoryRef",
                                            "string",
                                            doc="Required git ref the build ran on, e.g. refs/heads/main.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SourceRepositoryRef",
                                        ),
                                        "sourceRepositoryURI": Leaf(
                                            "sourceRepositoryURI",
                                            "string",
                                            doc="Required URL of the source repository.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SourceRepositoryURI",
                                        ),
                                        "sourceRepositoryVisibilityAtSigning": Leaf(
                                            "sourceRepositoryVisibilityAtSigning",
                                            "string",
                                            doc="Required repository visibility when signing, e.g. public or private.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SourceRepositoryVisibilityAtSigning",
                                        ),
                                        "subjectAlternativeName": Leaf(
                                            "subjectAlternativeName",
                                            "string",
                                            doc="Required identity (SAN) of the signing certificate, e.g. the workflow URL.",
                                            default='"" (not checked)',
                                            since="v0.27.0",
                                            go_name="SubjectAlternativeName",
                                        ),
                                        "timestampThreshold": Leaf(
                                            "timestampThreshold",
                                            "int",
                                            doc="Minimum number of signed timestamps the bundle must carry.",
                                            default="0",
                                            since="v0.27.0",
                                        ),
                                        "tlogThreshold": Leaf(
                                            "tlogThreshold",
                                            "int",
                                            doc="Minimum number of transparency-log entries the bundle must carry.",
                                            default="0",
                                            since="v0.27.0",
                                        ),
                                    },
                                ),
                                "required": Leaf(
                                    "required",
                                    "bool",
                                    doc="Reject imported GHA cache without a valid signature; also the only switch that creates the verifier signing relies on.",
                                    default="false",
                                    since="v0.27.0",
                                ),
                            },
                        ),
                    },
                ),
            },
        ),
        "cdi": Struct(
            "cdi",
            doc="Container Device Interface (CDI) support for build containers (v0.20+).",
            fields={
                "autoAllowed": Leaf(
                    "autoAllowed",
                    "[]string",
                    doc="CDI devices (vendor.com/class=name) or kinds (vendor.com/class) usable without the client granting the device entitlement.",
                    default="[]",
                    since="v0.20.0",
                ),
                "disabled": Leaf(
                    "disabled",
                    "*bool",
                    doc="Turn CDI off; also stops granting the device entitlement automatically.",
                    default="unset (CDI enabled)",
                    since="v0.20.0",
                    flag="--cdi-disabled",
                ),
                "specDirs": Leaf(
                    "specDirs",
                    "[]string",
                    doc="Directories scanned for CDI spec files; an empty list means the default.",
                    default='["/etc/cdi", "/var/run/cdi", "/etc/buildkit/cdi"]',
                    since="v0.20.0",
                    flag="--cdi-spec-dir",
                ),
            },
        ),
        "debug": Leaf(
            "debug",
            "bool",
            doc='Deprecated debug-logging switch; use log.level = "debug", which overrides it.',
            default="false",
            deprecated='log.level = "debug"',
            deprecated_since="v0.30.0",
            flag="--debug",
        ),
        "dns": Struct(
            "dns",
            doc="Resolver settings that replace the host's resolv.conf entries in build containers.",
            fields={
                "nameservers": Leaf(
                    "nameservers",
                    "[]string",
                    doc="Nameserver IP addresses for build containers (bare IPs: no port, no host name).",
                    default="the host's resolv.conf",
                ),
                "options": Leaf(
                    "options",
                    "[]string",
                    doc="resolv.conf options for build containers, e.g. edns0.",
                    default="the host's resolv.conf",
                ),
                "searchDomains": Leaf(
                    "searchDomains",
                    "[]string",
                    doc="DNS search domains for build containers.",
                    default="the host's resolv.conf",
                ),
            },
        ),
        "frontend": Struct(
            "frontend",
            doc="Built-in frontends that can be switched off (v0.14+).",
            fields={
                "dockerfile.v0": Struct(
                    "dockerfile.v0",
                    doc="The built-in Dockerfile frontend.",
                    fields={
                        "enabled": Leaf(
                            "enabled",
                            "*bool",
                            doc="Offer the built-in Dockerfile frontend.",
                            default="unset (enabled)",
                            since="v0.14.0",
                        ),
                    },
                ),
                "gateway.v0": Struct(
                    "gateway.v0",
                    doc="The gateway frontend that runs frontend images (`# syntax=`, BUILDKIT_SYNTAX).",
                    fields={
                        "allowedRepositories": Leaf(
                            "allowedRepositories",
                            "[]string",
                            doc="Image repositories allowed as gateway frontends, compared without tag or digest; empty allows any.",
                            default="[] (any repository)",
                            since="v0.14.0",
                        ),
                        "enabled": Leaf(
                            "enabled",
                            "*bool",
                            doc="Allow frontends from images; turning it off also breaks Dockerfile `# syntax=` lines.",
                            default="unset (enabled)",
                            since="v0.14.0",
                        ),
                    },
                ),
            },
        ),
        "grpc": Struct(
            "grpc",
            doc="Listeners of the daemon's gRPC API.",
            fields={
                "address": Leaf(
                    "address",
                    "[]string",
                    doc="Addresses buildkitd listens on: unix://PATH, tcp://HOST:PORT, fd:// (systemd) or npipe://.",
                    default="unix:///run/buildkit/buildkitd.sock (rootless: unix://$XDG_RUNTIME_DIR/buildkit/buildkitd.sock)",
                    flag="--addr",
                ),
                "debugAddress": Leaf(
                    "debugAddress",
                    "string",
                    doc="host:port of the unauthenticated pprof/trace debug server.",
                    default='"" (off)',
                    flag="--debugaddr",
                ),
                "gid": Leaf(
                    "gid",
                    "*int",
                    doc="Group ID that owns the unix sockets.",
                    default="the process's gid",
                    flag="--group",
                ),
                "securityDescriptor": Leaf(
                    "securityDescriptor",
                    "string",
                    doc="SDDL security descriptor of the Windows named pipe; ignored on other systems.",
                    default="D:P(A;;GRGW;;;AU)(A;;GRGW;;;SY)",
                    since="v0.13.2",
                ),
                "tls": Struct(
                    "tls",
                    doc="TLS for tcp:// and fd:// listeners (unix sockets and named pipes never use it).",
                    fields={
                        "ca": Leaf(
                            "ca",
                            "string",
                            doc="CA bundle that client certificates must chain to; turns on mutual TLS (ignored without cert and key).",
                            default='"" (no client certificates)',
                            flag="--tlscacert",
                            names="file",
                        ),
                        "cert": Leaf(
                            "cert",
                            "string",
                            doc="Server certificate file; must be set together with key.",
                            default='"" (no TLS)',
                            flag="--tlscert",
                            names="file",
                        ),
                        "key": Leaf(
                            "key",
                            "string",
                            doc="Server private-key file; must be set together with cert.",
                            default='"" (no TLS)',
                            flag="--tlskey",
                            names="file",
                        ),
                    },
                ),
                "uid": Leaf(
                    "uid", "*int", doc="User ID that owns the unix sockets.", default="the process's uid"
                ),
            },
        ),
        "history": Struct(
            "history",
            doc="Retention of build-history records (v0.11+); the table replaces both defaults.",
            fields={
                "maxAge": Leaf(
                    "maxAge",
                    "Duration",
                    doc="Records older than this are deleted once beyond maxEntries (seconds or Go duration).",
                    default="48h (only when [history] is absent; 0 otherwise)",
                    since="v0.11.0",
                ),
                "maxEntries": Leaf(
                    "maxEntries",
                    "int64",
                    doc="Newest records always kept; older ones beyond it are deleted once past maxAge.",
                    default="50 (only when [history] is absent; 0 otherwise)",
                    since="v0.11.0",
                ),
            },
        ),
        "insecure-entitlements": Leaf(
            "insecure-entitlements",
            "[]string",
            doc="Insecure entitlements builds may request; other names are dropped silently.",
            default="[] (device is added while CDI is enabled)",
            allowed=("network.host", "security.insecure", "device"),
            flag="--allow-insecure-entitlement",
        ),
        "log": Struct(
            "log",
            doc="Daemon log output (v0.13+).",
            fields={
                "format": Leaf(
                    "format",
                    "string",
                    doc="Log output format.",
                    default='"" (text)',
                    allowed=("", "text", "json"),
                    since="v0.13.0",
                    flag="--log-format",
                ),
                "level": Leaf(
                    "level",
                    "string",
                    doc="Log verbosity; overrides debug and trace.",
                    default='"" (info)',
                    allowed=("", "panic", "fatal", "error", "warn", "warning", "info", "debug", "trace"),
                    allowed_case_sensitive=False,
                    since="v0.30.0",
                    flag="--log-level",
                ),
            },
        ),
        "otel": Struct(
            "otel",
            doc="OpenTelemetry trace forwarding (v0.13+).",
            fields={
                "socketPath": Leaf(
                    "socketPath",
                    "string",
                    doc="Socket handed to build containers for sending traces to buildkitd.",
                    default="/run/buildkit/otel-grpc.sock (rootless: $XDG_RUNTIME_DIR/buildkit/otel-grpc.sock)",
                    since="v0.13.0",
                    flag="--otel-socket-path",
                ),
            },
        ),
        "provenanceEnvDir": Leaf(
            "provenanceEnvDir",
            "string",
            doc="Directory whose *.json files are merged into the environment recorded in build provenance.",
            default="/etc/buildkit/provenance.d",
            since="v0.25.0",
        ),
        "proxyNetwork": Leaf(
            "proxyNetwork",
            "bool",
            doc="Force the proxy network provider for every build (Linux only).",
            default="false",
            since="v0.31.0",
            flag="--proxy-network",
        ),
        "registry": MapOf(
            "registry",
            doc='Per-registry transport settings, keyed by the exact registry host of image references (with port; "docker.io" for Docker Hub).',
            item=Struct(
                "*",
                doc="Transport settings for one registry host (also consulted when that host is a mirror).",
                fields={
                    "ca": Leaf(
                        "ca",
                        "[]string",
                        doc="PEM CA files added to the system pool for this host.",
                        default="[]",
                        names="file",
                    ),
                    "http": Leaf(
                        "http",
                        "*bool",
                        doc="Talk plain HTTP to this host.",
                        default="unset (HTTP only for loopback hosts)",
                    ),
                    "insecure": Leaf(
                        "insecure",
                        "*bool",
                        doc="HTTPS without certificate verification for this host; with http also true, falls back to HTTP.",
                        default="unset (verify certificates)",
                    ),
                    "keypair": ArrayOf(
                        "keypair",
                        doc="Client certificate/key pairs presented to this host.",
                        item=Struct(
                            "keypair",
                            doc="One client certificate and its private key.",
                            fields={
                                "cert": Leaf(
                                    "cert",
                                    "string",
                                    doc="Client certificate file (PEM).",
                                    default='""',
                                    names="file",
                                ),
                                "key": Leaf(
                                    "key",
                                    "string",
                                    doc="Private-key file of the client certificate (PEM).",
                                    default='""',
                                    names="file",
                                ),
                            },
                        ),
                    ),
                    "mirrors": Leaf(
                        "mirrors",
                        "[]string",
                        doc="Pull-only mirrors (host[:port][/path]) tried in order before this registry.",
                        default="[]",
                    ),
                    "tlsconfigdir": Leaf(
                        "tlsconfigdir",
                        "[]string",
                        doc="Directories read like Docker's certs.d: *.crt are CAs, *.cert/*.key client pairs.",
                        default="[]",
                        names="dir",
                    ),
                },
            ),
        ),
        "root": Leaf(
            "root",
            "string",
            doc="Directory that holds all BuildKit state; one daemon locks it.",
            default="/var/lib/buildkit (rootless: $XDG_DATA_HOME/buildkit or ~/.local/share/buildkit)",
            flag="--root",
        ),
        "system": Struct(
            "system",
            doc="Daemon-wide tuning (v0.14+).",
            fields={
                "maxRegistryConcurrency": Leaf(
                    "maxRegistryConcurrency",
                    "*int",
                    doc="Concurrent requests per registry host; must be greater than 0.",
                    default="4",
                    since="v0.31.0",
                ),
                "platformsCacheMaxAge": Leaf(
                    "platformsCacheMaxAge",
                    "*Duration",
                    doc="How long the detected (emulated) platform list is cached; negative never rescans.",
                    default="20s",
                    since="v0.14.0",
                ),
            },
        ),
        "trace": Leaf(
            "trace",
            "bool",
            doc='Deprecated trace-logging switch; use log.level = "trace", which overrides it.',
            default="false",
            since="v0.12.0",
            deprecated='log.level = "trace"',
            deprecated_since="v0.30.0",
            flag="--trace",
        ),
        "worker": Struct(
            "worker",
            doc="Build workers; builds run on the default one (the OCI worker when both are enabled).",
            fields={name: _worker(name) for name in sorted(WORKERS)},
        ),
    },
)


def _walk(node: Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Leaf]]:
    if isinstance(node, Leaf):
        yield path, node
    elif isinstance(node, Struct):
        for name, child in node.fields.items():
            yield from _walk(child, (*path, name))
    else:  # MapOf / ArrayOf: map keys are written "*", array indices are skipped
        yield from _walk(node.item, (*path, "*") if isinstance(node, MapOf) else path)


def leaves() -> Iterator[tuple[tuple[str, ...], Leaf]]:
    """Every key of the tree with its canonical path (``"*"`` for a registry or frontend name)."""
    return _walk(CONFIG, ())


def leaf(*path: str) -> Leaf:
    """The key at a canonical path, e.g. ``leaf("log", "level")``."""
    node: Node = CONFIG
    for name in path:
        if isinstance(node, Struct):
            node = node.fields[name]
        elif isinstance(node, (MapOf, ArrayOf)):
            node = node.item.fields[name]
    assert isinstance(node, Leaf), path
    return node


def resolve(path: Sequence[str | int]) -> tuple[Node | None, tuple[str, ...]]:
    """The tree node at a written or canonical path (map keys and array indices pass
    through; an array of tables may be named without an index, as its headers do).

    Also returns the canonical path with ``*`` for map keys, for messages and lookups.
    """
    node: Node = CONFIG
    canonical: list[str] = []
    for part in path:
        if isinstance(node, ArrayOf):
            node = node.item
            if isinstance(part, int):
                continue
        if isinstance(part, int):
            return None, tuple(canonical)
        if isinstance(node, MapOf):
            node = node.item
            canonical.append("*")
            continue
        if not isinstance(node, Struct):
            return None, tuple(canonical)
        child = node.field_for(part)
        if child is None:
            return None, tuple(canonical)
        canonical.append(child.name)
        node = child
    return node, tuple(canonical)


def path_keys(kind: str) -> frozenset[tuple[str, ...]]:
    """The canonical paths of the keys whose values name certificate files ("file") or
    folders of them ("dir")."""
    return frozenset(p for p, node in leaves() if node.names == kind)


def allowed(*path: str) -> tuple[str, ...]:
    """The values buildkitd accepts for a key (the empty string, "unset", left out)."""
    return tuple(v for v in leaf(*path).allowed if v)


LOG_LEVELS = allowed("log", "level")
ENTITLEMENTS = allowed("insecure-entitlements")
NETWORK_MODES = allowed("worker", "oci", "networkMode")
OCI_SNAPSHOTTERS = allowed("worker", "oci", "snapshotter")
