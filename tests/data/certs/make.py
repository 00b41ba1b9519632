"""Regenerate the throwaway test PKI in this folder (python tests/data/certs/make.py).

Nothing here protects anything: the keys are committed on purpose. Certificates far in the
future or past keep the tests independent of today's date; "expiring soon" certificates
are made at test time (see ``make_cert``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = Path(__file__).parent
UTC = dt.timezone.utc


def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(k: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> bytes:
    enc = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def make_cert(
    cn: str,
    k: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None = None,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else subject
    signer = issuer[1] if issuer else k
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(k.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signer, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def main() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    far = dt.datetime(2124, 1, 1, tzinfo=UTC)
    ca_key, client_key, other_key, leaf_key = key(), key(), key(), key()
    ca = make_cert("bklint test CA", ca_key, ca=True, not_before=start, not_after=far)
    client = make_cert(
        "bklint test client", client_key, ca=False, not_before=start, not_after=far, issuer=("bklint test CA", ca_key)
    )
    leaf = make_cert("registry.example", leaf_key, ca=False, not_before=start, not_after=far)
    expired = make_cert(
        "expired CA", key(), ca=True, not_before=dt.datetime(2020, 1, 1, tzinfo=UTC),
        not_after=dt.datetime(2021, 1, 1, tzinfo=UTC),
    )
    future = make_cert(
        "future CA", key(), ca=True, not_before=dt.datetime(2100, 1, 1, tzinfo=UTC), not_after=far
    )
    files = {
        "ca.pem": pem(ca),
        "client.pem": pem(client),
        "client-key.pem": key_pem(client_key),
        "client-key-encrypted.pem": key_pem(client_key, b"secret"),
        "other-key.pem": key_pem(other_key),
        "leaf.pem": pem(leaf),
        "expired-ca.pem": pem(expired),
        "future-ca.pem": pem(future),
        "ca.der": ca.public_bytes(serialization.Encoding.DER),
        "bundle-half-expired.pem": pem(ca) + pem(expired),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
