# Sourced by scripts/bench: the start-up and keygen benchmarks, and the table they share with
# `scripts/bench all`.
#
# startup: whole-process CPU and wall time of short commands, mailtls (the release binary that
#   scripts/install ships: --static-swift-stdlib) against the tools an admin would type instead:
#     fingerprint  mailtls fingerprint host.cert  vs openssl x509 -noout -fingerprint -sha256, certtool -i
#     hash         mailtls hash host.cert         vs openssl x509 -hash -noout
#     self         mailtls self (existing key)    vs openssl req -x509, certtool --generate-self-signed
#     csr          mailtls csr (existing key)     vs openssl req -new, certtool --generate-request
#   RUNS rounds (default 21), each running every command once, in rotating order.
# keygen: mailtls rsa (RSA-2048) vs openssl genrsa 2048, openssl genpkey, certtool -p --bits 2048;
#   KEYGEN_RUNS rounds (default 101): random primes spread the time of one run ten-fold.
# Environment: MAILTLS (a mailtls binary to measure instead of building one), BENCH_DIR.

BENCH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The release binary scripts/install ships, copied into the scratch directory (the rehash
# benchmark relinks .build-release/release/mailtls without --static-swift-stdlib). Sets MAILTLS_BIN.
bench_mailtls_binary() {
    if [[ -n ${MAILTLS:-} ]]; then MAILTLS_BIN=$MAILTLS; return; fi
    echo "building release (swift build -c release --static-swift-stdlib --scratch-path .build-release)..." >&2
    swift build -c release --static-swift-stdlib --scratch-path .build-release --product mailtls >&2
    MAILTLS_BIN=$BENCH_WORK/mailtls
    cp "$ROOT/.build-release/release/mailtls" "$MAILTLS_BIN"
}

# GnuTLS certtool is the fastest peer for these jobs: install it when it is missing (Debian).
bench_need_certtool() {
    command -v certtool >/dev/null 2>&1 && return
    echo "installing gnutls-bin (certtool)..." >&2
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gnutls-bin >&2 ||
        { $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gnutls-bin >&2; }
}

# The table's header and one row: operation, anchor, N, CPU ms (mailtls, anchor, ratio), wall ms
# (mailtls, anchor, ratio). "-" where a figure was not measured.
bench_table_header() {
    printf "%-12s %-38s %5s %9s %9s %6s %9s %9s %6s\n" operation anchor N "cpu-mt" "cpu-anc" ratio "wall-mt" "wall-anc" ratio
}
bench_table_row() { # operation anchor n cpu_m cpu_a wall_m wall_a
    awk -v op="$1" -v anc="$2" -v n="$3" -v cm="$4" -v ca="$5" -v wm="$6" -v wa="$7" 'BEGIN {
        rc = (cm == "-" || ca == "-" || ca == 0) ? "-" : sprintf("%.2f", cm / ca)
        rw = (wm == "-" || wa == "-" || wa == 0) ? "-" : sprintf("%.2f", wm / wa)
        printf "%-12s %-38s %5s %9s %9s %6s %9s %9s %6s\n", op, anc, n, cm, ca, rc, wm, wa, rw
    }'
}

# Turns measure.py's lines into table rows: the first command of each group is mailtls.
bench_rows_from_measure() {
    local group label n cpu wall q1 q3 cur="" m_cpu="" m_wall=""
    while IFS=$'\t' read -r group label n cpu wall q1 q3; do
        if [[ $group != "$cur" ]]; then
            cur=$group m_cpu=$cpu m_wall=$wall
            continue
        fi
        bench_table_row "$group" "$label" "$n" "$m_cpu" "$cpu" "$m_wall" "$wall"
    done
}

# A scratch directory with an RSA-2048 key, a certificate and a certtool template.
bench_startup_fixture() {
    local dir=$1
    mkdir -p "$dir"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/host.key" 2>/dev/null
    openssl req -new -x509 -key "$dir/host.key" -subj /CN=mail.example.org -days 365 \
        -addext subjectAltName=DNS:mail.example.org -out "$dir/host.cert" 2>/dev/null
    cat >"$dir/template.cfg" <<'EOF'
cn = "mail.example.org"
dns_name = "mail.example.org"
expiration_days = 365
tls_www_server
tls_www_client
signing_key
encryption_key
EOF
    local d
    for d in m-self m-csr m-rsa o c; do
        mkdir -p "$dir/$d"
        cp "$dir/host.key" "$dir/host.cert" "$dir/template.cfg" "$dir/$d/"
    done
    rm -f "$dir/m-self/host.cert" "$dir/m-csr/host.cert"
}

bench_scratch() {
    BENCH_WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/mailtls-bench-startup.XXXXXX")
    trap 'rm -rf "$BENCH_WORK"' EXIT
}

bench_environment_line() {
    echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(openssl version | cut -d' ' -f1-2), $(certtool --version | head -1); median ms, whole process (cpu = user+sys)"
}

# Prints table rows (no header) for the start-up benchmark.
bench_startup_rows() {
    local runs=${RUNS:-21} w=$BENCH_WORK/startup
    [[ ${1:-} == --quick ]] && runs=5
    bench_startup_fixture "$w"
    local subj=/CN=mail.example.org
    python3 "$BENCH_LIB/measure.py" "$runs" <<EOF | bench_rows_from_measure
fingerprint	mailtls fingerprint	$w	-	$MAILTLS_BIN fingerprint host.cert
fingerprint	openssl x509 -noout -fingerprint -sha256	$w	-	openssl x509 -noout -fingerprint -sha256 -in host.cert
fingerprint	certtool -i	$w	-	certtool -i --infile host.cert
hash	mailtls hash	$w	-	$MAILTLS_BIN hash host.cert
hash	openssl x509 -hash -noout	$w	-	openssl x509 -hash -noout -in host.cert
self	mailtls self	$w/m-self	rm -f host.cert host.cert.*	$MAILTLS_BIN self --batch --subject $subj --days 365
self	openssl req -x509 (existing key)	$w/o	rm -f o.cert	openssl req -new -x509 -key host.key -subj $subj -days 365 -addext subjectAltName=DNS:mail.example.org -out o.cert
self	certtool --generate-self-signed	$w/c	rm -f c.cert	certtool --generate-self-signed --load-privkey host.key --template template.cfg --outfile c.cert
csr	mailtls csr	$w/m-csr	rm -f host.csr host.csr.*	$MAILTLS_BIN csr --batch --subject $subj
csr	openssl req -new (existing key)	$w/o	rm -f o.csr	openssl req -new -key host.key -subj $subj -addext subjectAltName=DNS:mail.example.org -out o.csr
csr	certtool --generate-request	$w/c	rm -f c.csr	certtool --generate-request --load-privkey host.key --template template.cfg --outfile c.csr
EOF
}

# Prints table rows (no header) for the keygen benchmark.
bench_keygen_rows() {
    local runs=${KEYGEN_RUNS:-101} w=$BENCH_WORK/keygen
    [[ ${1:-} == --quick ]] && runs=10
    mkdir -p "$w/m" "$w/o" "$w/c"
    python3 "$BENCH_LIB/measure.py" "$runs" <<EOF | bench_rows_from_measure
rsa-2048	mailtls rsa	$w/m	rm -f host.key host.key.*	$MAILTLS_BIN rsa
rsa-2048	openssl genrsa 2048	$w/o	rm -f g.key	openssl genrsa -out g.key 2048
rsa-2048	openssl genpkey RSA 2048	$w/o	rm -f p.key	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out p.key
rsa-2048	certtool -p --bits 2048	$w/c	rm -f c.key	certtool -p --bits 2048 --outfile c.key
EOF
}

bench_startup() {
    bench_need_certtool
    bench_scratch
    bench_mailtls_binary
    bench_environment_line
    bench_table_header
    bench_startup_rows "$@"
}

bench_keygen() {
    bench_need_certtool
    bench_scratch
    bench_mailtls_binary
    bench_environment_line
    bench_table_header
    bench_keygen_rows "$@"
}

# Every benchmark in one table. The rehash benchmark prints its own table (median wall seconds);
# its rows are carried over (wall only, in ms).
bench_all() {
    bench_need_certtool
    local rehash_out
    rehash_out=$(bench_rehash "$@") || return
    bench_scratch
    bench_mailtls_binary
    bench_environment_line
    bench_table_header
    bench_startup_rows "$@"
    bench_keygen_rows "$@"
    local runs=${RUNS:-5}
    [[ ${1:-} == --quick ]] && runs=3
    echo "$rehash_out" | awk 'NF == 5 && $1 ~ /^[0-9]+$/' | while read -r certs case m o ratio; do
        bench_table_row "rehash" "openssl rehash ($certs certs, $case)" "$runs" - - \
            "$(awk -v s="$m" 'BEGIN { printf "%.1f", s * 1000 }')" "$(awk -v s="$o" 'BEGIN { printf "%.1f", s * 1000 }')"
    done
    # Benchmarks with their own line format (scripts/bench-lib/sign.sh, probe.sh), when
    # scripts/bench has loaded them.
    local other
    for other in bench_sign bench_probe; do
        if declare -F "$other" >/dev/null; then
            echo "# ${other#bench_}:"
            ( "$other" "$MAILTLS_BIN" ) || echo "# ${other#bench_} failed"
        fi
    done
}
