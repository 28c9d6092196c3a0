# shellcheck shell=bash
# scripts/bench acme (issue 10): the time to get N certificates (default 10, ACME_RUNS; 3 with
# --quick) from one local pebble, `mailtls acme issue` against certbot (Debian's package), in
# the same run, interleaved (mailtls, certbot, mailtls, ...) so the machine's load hits both alike.
#
# Both sides do the same work each time: a fresh order for a name of its own (m1.bench.example.test,
# c1.bench.example.test, ...), a real http-01 validation answered by the client's own standalone
# responder on pebble's httpPort, a fresh ECDSA P-256 key (certbot always makes one; mailtls is
# given --rekey --algorithm ecdsa-p256), finalize and download. mailtls also deploys like promote
# (backups, chain files) and runs its check; certbot writes its live/ and archive/ trees.
# Pebble runs with PEBBLE_VA_NOSLEEP=1 (no random validation delay), PEBBLE_WFE_NONCEREJECT=0 (no
# forced badNonce retries) and PEBBLE_AUTHZREUSE=0 (every order is validated); its DNS is
# pebble-challtestsrv answering 127.0.0.1 for every name. Pebble's HTTPS certificate is made with
# mailtls (ca init, csr, ca sign), as Tests/MailTLSTests/ACME/PebbleHarness.swift does; certbot
# trusts it through REQUESTS_CA_BUNDLE, mailtls through --ca-bundle. Each client registers its
# account once before the timed runs. Every issuance is checked afterwards (not timed): exit
# status 0, a serial never seen before, the name in subjectAltName, and a chain that verifies to
# pebble's root; any failure stops the benchmark.
#
# Prints, per tool: issuances, total wall seconds, median wall seconds per issuance, median peak
# RSS of one issuance (/usr/bin/time %M), and the ratios mailtls/certbot.
# Environment: ACME_RUNS (issuances per tool), ACME_KEEP=1 (keep the scratch directory and its
# logs), BENCH_DIR (scratch; default and fallback /var/lib/mailtls-bench: `mailtls acme issue`
# runs Sendmail's file checks, which refuse a certs directory under a group- or world-writable
# directory such as /tmp, so such a BENCH_DIR is not used here).

# Installs what is missing (Debian): pebble (+ pebble-challtestsrv), certbot, curl, time.
bench_acme_need() {
    local missing=()
    [[ -x /usr/bin/pebble && -x /usr/bin/pebble-challtestsrv ]] || missing+=(pebble)
    command -v certbot >/dev/null 2>&1 || missing+=(certbot)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    [[ -x /usr/bin/time ]] || missing+=(time)
    ((${#missing[@]})) || return 0
    echo "installing ${missing[*]}..." >&2
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
        { $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
}

# bench_acme MAILTLS [--quick]. The body runs in a subshell so its EXIT trap (stop pebble and
# pebble-challtestsrv by PID, remove the scratch directory) fires when it ends, however it ends.
bench_acme() (
    set -euo pipefail
    local mailtls=$1 quick=${2:-}
    local runs=${ACME_RUNS:-10}
    [[ $quick == --quick ]] && runs=3
    bench_acme_need

    # A scratch directory no one but its owner can write into, all the way up.
    local base=${BENCH_DIR:-/var/lib/mailtls-bench} p made_base=""
    p=$base
    while [[ ! -e $p ]]; do p=$(dirname "$p"); done
    p=$(cd "$p" && pwd -P)
    while :; do
        if [[ $(stat -c %A "$p") == ?????w* || $(stat -c %A "$p") == ????????w* ]]; then
            echo "bench acme: not using BENCH_DIR=$base: $p is group- or world-writable, and mailtls acme issue's check refuses a certs directory under it; using /var/lib/mailtls-bench" >&2
            base=/var/lib/mailtls-bench
            break
        fi
        [[ $p == / ]] && break
        p=$(dirname "$p")
    done
    [[ -d $base ]] || made_base=1
    install -d -m 0755 "$base"
    local w
    w=$(mktemp -d "$base/acme.XXXXXX")
    chmod 0755 "$w"
    local pebble_pid="" chall_pid=""
    # shellcheck disable=SC2317
    bench_acme_cleanup() {
        local pid
        for pid in $pebble_pid $chall_pid; do
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        done
        if [[ -n ${ACME_KEEP:-} ]]; then
            echo "bench acme: kept $w (logs, pebble.log, certificates)" >&2
        else
            rm -rf "$w"
            if [[ -n $made_base ]]; then rmdir "$base" 2>/dev/null || true; fi
        fi
        return 0
    }
    trap bench_acme_cleanup EXIT
    trap 'exit 130' INT TERM

    # Six free loopback ports, held together while they are picked so none comes twice.
    local acme_port mgmt_port http_port tls_port dns_port chall_port
    read -r acme_port mgmt_port http_port tls_port dns_port chall_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(6)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

    # Pebble's HTTPS certificate, for 127.0.0.1, from a CA made by mailtls.
    "$mailtls" ca init --dir "$w/pebble-tls-ca" --subject "/CN=mailtls bench ACME TLS CA" >"$w/setup.log" 2>&1 &&
        "$mailtls" csr --dir "$w/pebble-tls" --subject /CN=localhost --san IP:127.0.0.1 --batch >>"$w/setup.log" 2>&1 &&
        "$mailtls" ca sign --dir "$w/pebble-tls-ca" "$w/pebble-tls/host.csr" --yes >>"$w/setup.log" 2>&1 ||
        { cat "$w/setup.log" >&2; echo "bench acme: making pebble's TLS certificate with mailtls failed" >&2; exit 1; }
    local tls_ca=$w/pebble-tls-ca/ca.cert
    cat >"$w/pebble.json" <<EOF
{"pebble": {"listenAddress": "127.0.0.1:$acme_port", "managementListenAddress": "127.0.0.1:$mgmt_port",
  "certificate": "$w/pebble-tls/host.cert", "privateKey": "$w/pebble-tls/host.key",
  "httpPort": $http_port, "tlsPort": $tls_port, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
EOF

    /usr/bin/pebble-challtestsrv -dns01 "127.0.0.1:$dns_port" -http01 "" -https01 "" -tlsalpn01 "" \
        -management "127.0.0.1:$chall_port" -defaultIPv4 127.0.0.1 -defaultIPv6 "" >"$w/challtestsrv.log" 2>&1 &
    chall_pid=$!
    PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
        /usr/bin/pebble -config "$w/pebble.json" -dnsserver "127.0.0.1:$dns_port" >"$w/pebble.log" 2>&1 &
    pebble_pid=$!
    local server=https://127.0.0.1:$acme_port/dir i
    for ((i = 0; ; i++)); do
        if curl -sf --cacert "$tls_ca" "$server" >/dev/null 2>&1 &&
            curl -sf --cacert "$tls_ca" "https://127.0.0.1:$mgmt_port/roots/0" >/dev/null 2>&1 &&
            (exec 3<>"/dev/tcp/127.0.0.1/$chall_port") 2>/dev/null; then
            break
        fi
        if ((i >= 200)); then
            tail -20 "$w/pebble.log" "$w/challtestsrv.log" >&2
            echo "bench acme: pebble did not start within 20 s" >&2
            exit 1
        fi
        sleep 0.1
    done

    # One account each, not timed.
    local email=x@example.test
    local mdir=$w/mailtls cbdir=$w/certbot
    install -d -m 0755 "$mdir" "$cbdir"
    local -a certbot_common=(--server "$server" --config-dir "$cbdir/config" --work-dir "$cbdir/work" --logs-dir "$cbdir/logs"
        --non-interactive --agree-tos -m "$email" --no-eff-email)
    "$mailtls" acme account --dir "$mdir" --server "$server" --ca-bundle "$tls_ca" --email "$email" --agree-tos >"$w/account-mailtls.log" 2>&1 ||
        { cat "$w/account-mailtls.log" >&2; echo "bench acme: mailtls acme account failed" >&2; exit 1; }
    REQUESTS_CA_BUNDLE=$tls_ca certbot register "${certbot_common[@]}" >"$w/account-certbot.log" 2>&1 ||
        { cat "$w/account-certbot.log" >&2; echo "bench acme: certbot register failed" >&2; exit 1; }
    curl -sf --cacert "$tls_ca" "https://127.0.0.1:$mgmt_port/roots/0" >"$w/pebble-root.pem"

    # timed LOG CMD...: runs CMD under /usr/bin/time; sets T_WALL (seconds) and T_RSS (peak KiB);
    # on a failure, shows the log and stops the benchmark.
    local T_WALL T_RSS
    timed() {
        local log=$1 start end status=0
        shift
        start=$(date +%s.%N)
        /usr/bin/time -o "$log.time" -f '%M' "$@" >"$log" 2>&1 || status=$?
        end=$(date +%s.%N)
        if ((status != 0)); then
            cat "$log" >&2
            echo "bench acme: '$*' exited $status (log above)" >&2
            exit 1
        fi
        T_WALL=$(echo "$end - $start" | bc -l)
        T_RSS=$(tail -1 "$log.time")
    }
    # issued TOOL NAME CERT CHAIN: the certificate is new, for NAME, and verifies to pebble's root.
    local seen=" "
    issued() {
        local tool=$1 name=$2 cert=$3 chain=$4 serial
        serial=$(openssl x509 -noout -serial -in "$cert" 2>/dev/null) || { echo "bench acme: $tool: no certificate at $cert" >&2; exit 1; }
        if [[ $seen == *" $serial "* ]]; then
            echo "bench acme: $tool: $cert has $serial, already seen: nothing was issued for $name" >&2
            exit 1
        fi
        seen+="$serial "
        openssl x509 -noout -ext subjectAltName -in "$cert" 2>/dev/null | grep -qw "DNS:$name" ||
            { echo "bench acme: $tool: $cert is not for $name" >&2; exit 1; }
        openssl verify -CAfile "$w/pebble-root.pem" -untrusted "$chain" "$cert" >/dev/null 2>&1 ||
            { echo "bench acme: $tool: $cert does not verify to pebble's root" >&2; exit 1; }
    }

    local -a m_wall=() m_rss=() c_wall=() c_rss=()
    local load_before r name
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    for ((r = 1; r <= runs; r++)); do
        name=m$r.bench.example.test
        timed "$w/issue-mailtls-$r.log" "$mailtls" acme issue --dir "$mdir" --host "$name" \
            --http-port "$http_port" --server "$server" --ca-bundle "$tls_ca" --rekey --algorithm ecdsa-p256
        issued mailtls "$name" "$mdir/host.cert" "$mdir/chain.pem"
        m_wall+=("$T_WALL") m_rss+=("$T_RSS")

        name=c$r.bench.example.test
        timed "$w/issue-certbot-$r.log" env REQUESTS_CA_BUNDLE="$tls_ca" certbot certonly --standalone \
            --http-01-port "$http_port" --http-01-address 127.0.0.1 -d "$name" --key-type ecdsa --elliptic-curve secp256r1 \
            "${certbot_common[@]}"
        issued certbot "$name" "$cbdir/config/live/$name/cert.pem" "$cbdir/config/live/$name/chain.pem"
        c_wall+=("$T_WALL") c_rss+=("$T_RSS")
    done
    local load_after
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)

    local mt ct mm cm mr cr
    mt=$(printf '%s\n' "${m_wall[@]}" | awk '{ s += $1 } END { print s }')
    ct=$(printf '%s\n' "${c_wall[@]}" | awk '{ s += $1 } END { print s }')
    mm=$(bl_median "${m_wall[@]}"); cm=$(bl_median "${c_wall[@]}")
    mr=$(bl_median "${m_rss[@]}"); cr=$(bl_median "${c_rss[@]}")
    echo "# acme benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $load_before -> $load_after, pebble $(dpkg-query -W -f '${Version}' pebble 2>/dev/null || echo '?'), $(certbot --version 2>&1 | tail -1)"
    echo "# $runs issuances each, interleaved; http-01 standalone on one port, fresh ECDSA P-256 key, wall seconds; RSS: median peak of one issuance"
    printf '%-24s %6s %10s %10s %14s\n' "tool" "issued" "total s" "median s" "peak RSS KiB"
    printf '%-24s %6s %10.3f %10.3f %14s\n' "mailtls acme issue" "$runs" "$mt" "$mm" "$mr"
    printf '%-24s %6s %10.3f %10.3f %14s\n' "certbot certonly" "$runs" "$ct" "$cm" "$cr"
    printf '%-24s %6s %10.3f %10.3f %14.3f\n' "ratio mailtls/certbot" "" "$(echo "$mt / $ct" | bc -l)" "$(echo "$mm / $cm" | bc -l)" "$(echo "$mr / $cr" | bc -l)"
)
