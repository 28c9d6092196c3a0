# shellcheck shell=bash
# scripts/bench sign: signing N certificate requests with the private CA, in one run of
# `mailtls ca sign`, against a shell loop of `openssl x509 -req -CA` and one run of
# `openssl ca -batch -infiles` — the same CA key (ECDSA P-256) and the same requests.
# Prints medians of whole-run wall time over REPEAT runs and the ratios.

bench_sign() {
    local mailtls=$1 n=${2:-1000} repeat=${3:-3}
    local work
    work=$(mktemp -d /tmp/mailtls-bench-sign.XXXXXX)
    trap 'rm -rf "$work"' RETURN

    "$mailtls" ca init --dir "$work/ca" --subject "/O=Bench/CN=Bench CA" --algorithm ecdsa-p256 >/dev/null
    mkdir -p "$work/csr"
    python3 - "$work/csr" "$n" <<'PY'
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
out, n = sys.argv[1], int(sys.argv[2])
key = ec.generate_private_key(ec.SECP256R1())
for i in range(n):
    name = f"host{i:05d}.example.org"
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
           .sign(key, hashes.SHA256()))
    with open(f"{out}/r{i:05d}.csr", "wb") as f:
        f.write(csr.public_bytes(serialization.Encoding.PEM))
PY

    cat > "$work/openssl-ca.cnf" <<CNF
[ ca ]
default_ca = bench
[ bench ]
dir = $work/oca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $work/ca/ca.cert
private_key = $work/ca/ca.key
default_md = sha256
default_days = 397
policy = anything
copy_extensions = copy
unique_subject = no
x509_extensions = leaf
[ anything ]
commonName = supplied
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

    local -a ours=() loop=() oca=()
    for _ in $(seq 1 "$repeat"); do
        # mailtls: one process, one transaction, for all requests.
        rm -rf "$work/ca/issued" "$work/csr"/*.cert "$work/csr"/*chain.pem && mkdir -p "$work/ca/issued"
        printf '{"entries":[],"nextCRLNumber":1,"version":1}\n' > "$work/ca/index.json"
        ours+=("$(bl_elapsed "$mailtls" ca sign "$work"/csr/*.csr --dir "$work/ca" --yes)")

        # openssl x509 -req: one process per request, as admins script it.
        rm -f "$work"/csr/*.crt
        loop+=("$(bl_elapsed bash -c 'for f in "$1"/csr/*.csr; do openssl x509 -req -in "$f" -CA "$1/ca/ca.cert" -CAkey "$1/ca/ca.key" -CAcreateserial -days 397 -copy_extensions copy -out "$f.crt" 2>/dev/null; done' _ "$work")")

        # openssl ca -batch: one process for all requests.
        rm -rf "$work/oca" && mkdir -p "$work/oca/new" && : > "$work/oca/index.txt" && echo 01 > "$work/oca/serial"
        oca+=("$(bl_elapsed openssl ca -batch -notext -config "$work/openssl-ca.cnf" -out "$work/oca/all.pem" -infiles "$work"/csr/*.csr)")
    done
    local m l o
    m=$(bl_median "${ours[@]}"); l=$(bl_median "${loop[@]}"); o=$(bl_median "${oca[@]}")
    bl_row "sign (ca sign, one run)" "$n" "$m" "openssl x509 -req loop" "$l"
    bl_row "sign (ca sign, one run)" "$n" "$m" "openssl ca -batch -infiles" "$o"
}

# Wall seconds of one command (its output discarded).
bl_elapsed() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

bl_median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

bl_row() {
    printf '%-28s %6s  mailtls %8.3f s  %-28s %8.3f s  ratio %.3f\n' "$1" "$2" "$3" "$4" "$5" "$(echo "$3 / $5" | bc -l)"
}
