#!/usr/bin/env python3
"""Certificates for the probe/serve tests, one certs directory per case (python3 cryptography).

usage: make_certs.py OUTDIR
  OUTDIR/root.pem            "Test Root CA" (trust for most cases)
  OUTDIR/other-root.pem      an unrelated CA ("wrong CA")
  OUTDIR/good/               leaf mail.example.org (+ 127.0.0.1, ::1) from the root; cacert.pem = root
  OUTDIR/chain/              leaf from an intermediate, fullchain.pem = leaf + intermediate
  OUTDIR/truncated/          the same kind of leaf, served without its intermediate
  OUTDIR/expired/            leaf from the root that expired yesterday
  OUTDIR/selfsigned/         self-signed leaf mail.example.org, CA:FALSE
  OUTDIR/client/             client.cert/client.key from the root
  OUTDIR/foreign-client/     client.cert/client.key from the other CA
"""
import datetime, ipaddress, os, sys
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

out = sys.argv[1]
now = datetime.datetime.utcnow()
day = datetime.timedelta(days=1)


def key():
    return ec.generate_private_key(ec.SECP256R1())


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject_cn, subject_key, issuer_cn, issuer_key, ca, not_before=None, not_after=None, sans=None, client=False):
    builder = (x509.CertificateBuilder()
               .subject_name(name(subject_cn)).issuer_name(name(issuer_cn))
               .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before or now - day).not_valid_after(not_after or now + 30 * day)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH] if client else [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(c):
    return c.public_bytes(serialization.Encoding.PEM).decode()


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def keypem(k):
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


SANS = [x509.DNSName("mail.example.org"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))]

root_key, other_key, inter_key = key(), key(), key()
root = cert("Test Root CA", root_key, "Test Root CA", root_key, True, not_after=now + 3650 * day)
other = cert("Other Root CA", other_key, "Other Root CA", other_key, True, not_after=now + 3650 * day)
inter = cert("Test Intermediate CA", inter_key, "Test Root CA", root_key, True, not_after=now + 1000 * day)
write(f"{out}/root.pem", pem(root))
write(f"{out}/other-root.pem", pem(other))


def certs_dir(case, leaf, leaf_key, fullchain=None):
    write(f"{out}/{case}/host.key", keypem(leaf_key), 0o600)
    write(f"{out}/{case}/host.cert", pem(leaf))
    write(f"{out}/{case}/cacert.pem", pem(root))
    if fullchain:
        write(f"{out}/{case}/fullchain.pem", "".join(pem(c) for c in fullchain))


k = key()
certs_dir("good", cert("mail.example.org", k, "Test Root CA", root_key, False, sans=SANS), k)
k = key()
leaf = cert("mail.example.org", k, "Test Intermediate CA", inter_key, False, sans=SANS)
certs_dir("chain", leaf, k, fullchain=[leaf, inter])
certs_dir("truncated", leaf, k)
k = key()
certs_dir("expired", cert("mail.example.org", k, "Test Root CA", root_key, False, sans=SANS,
                          not_before=now - 400 * day, not_after=now - day), k)
k = key()
certs_dir("selfsigned", cert("mail.example.org", k, "mail.example.org", k, False, sans=SANS), k)
for case, issuer_cn, issuer_key in [("client", "Test Root CA", root_key), ("foreign-client", "Other Root CA", other_key)]:
    k = key()
    c = cert("client.example.org", k, issuer_cn, issuer_key, False, sans=[x509.DNSName("client.example.org")], client=True)
    write(f"{out}/{case}/client.key", keypem(k), 0o600)
    write(f"{out}/{case}/client.cert", pem(c))
