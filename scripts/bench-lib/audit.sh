# shellcheck shell=bash
# scripts/bench audit (issue 15): `mailtls audit --domains` over N domains (default 1000;
# AUDIT_DOMAINS, 100 with --quick) of a private DNSSEC world, against a loop of posttls-finger
# (Postfix's DANE client, one process per domain, as an admin scripts it) on a sample
# (AUDIT_FINGER, default 50) and against `testssl --mx` on a smaller one (AUDIT_TESTSSL,
# default 3), in one run, per domain.
#
# The world is the audit tests' own: Tests/MailTLSTests/Fixtures/dns/make-world --bulk N
# (d1..dN.bulk.test, each MX 10 mx1.bulk.test and MX 20 mx2.bulk.test, signed with
# ldns-signzone), served by nsd on a free 127.0.0.1 port and a validating unbound on
# 127.0.86.53:53, as the tests start them (foreground, stopped by PID). posttls-finger and
# testssl have no resolver-port option, so they run in a mount namespace (`unshare -m`) whose
# /etc/resolv.conf is a bind-mounted file naming 127.0.86.53 (`options trust-ad`), as
# Tests/MailTLSTests/Audit/AuditOracleTests.swift runs posttls-finger. Both MX names resolve to
# 127.0.86.25, where one `mailtls serve` listens on port 25 with a self-signed ECDSA P-256
# certificate for mx1 and mx2.bulk.test, whose `3 1 1` record is the TLSA record of both:
# every domain is dane-secure, and every tool is checked to say so. mailtls audit reaches the
# same server through DNS (no --connect-to needed: the address is real on this host).
#
# mailtls audit: `--domains FILE --json --concurrency 32 --nameserver 127.0.86.53:53`, a
# warm-up run over all N (not timed: unbound's cache is then warm for every tool alike; the
# zone's TTL is 300 s), then timed runs over the first 100 and all N domains, wall seconds and
# peak RSS (/usr/bin/time %M): memory flat means the 1000-domain peak is near the 100-domain one.
# posttls-finger: `-c -l dane -t 10 -T 10 DOMAIN` (MX, TLSA, STARTTLS to the first MX that
# answers), one after another. testssl: `--mx DOMAIN -S -P` (server defaults and preference
# only: the certificate and the protocol, what the audit looks at; a default run of testssl
# takes minutes per MX host), one domain after another, every MX of each.
#
# Needs root (ports 25 and 53, mount namespaces); scratch under /var/lib/mailtls-bench
# (BENCH_DIR is not used: the world's keys need a root-only directory). AUDIT_KEEP=1 keeps it.
# The addresses are fixed, so two runs at once (or beside the audit oracle tests, which use
# 127.0.0.57/58 and 127.0.84.x) do not collide with those, but would with each other.

bench_audit() (
    set -euo pipefail
    local mailtls=$1 quick=${2:-}
    local n=${AUDIT_DOMAINS:-1000} finger_n=${AUDIT_FINGER:-50} testssl_n=${AUDIT_TESTSSL:-3}
    [[ $quick == --quick ]] && { n=100; finger_n=10; testssl_n=1; }
    local resolver=127.0.86.53 mx=127.0.86.25
    local postfix_root=${MAILTLS_POSTFIX_ROOT:-/var/lib/mailtls-tests/postfix-root}
    local finger=$postfix_root/usr/sbin/posttls-finger

    [[ $(id -u) -eq 0 ]] || { echo "bench audit: needs root (ports 25 and 53, unshare -m)" >&2; exit 1; }
    local tool
    for tool in /usr/sbin/nsd /usr/sbin/unbound /usr/bin/ldns-signzone /usr/bin/dig /usr/bin/testssl /usr/bin/unshare /usr/bin/time "$finger"; do
        [[ -x $tool ]] || { echo "bench audit: $tool is missing (scripts/test installs nsd, unbound, ldnsutils, bind9-dnsutils, testssl.sh, time and unpacks Postfix)" >&2; exit 1; }
    done

    install -d -m 0755 /var/lib/mailtls-bench
    local w
    w=$(mktemp -d /var/lib/mailtls-bench/audit.XXXXXX)
    chmod 0700 "$w"
    local nsd_pid="" unbound_pid="" serve_pid=""
    # shellcheck disable=SC2317
    bench_audit_cleanup() {
        local pid
        for pid in $serve_pid $unbound_pid $nsd_pid; do
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        done
        if [[ -n ${AUDIT_KEEP:-} ]]; then echo "bench audit: kept $w" >&2; else rm -rf "$w"; fi
        return 0
    }
    trap bench_audit_cleanup EXIT
    trap 'exit 130' INT TERM

    # The MX server's certificate and its TLSA record for both MX names.
    "$mailtls" self --dir "$w/mx" --subject /CN=mx1.bulk.test --san DNS:mx2.bulk.test --algorithm ecdsa-p256 --batch >"$w/setup.log" 2>&1 ||
        { cat "$w/setup.log" >&2; exit 1; }
    local record
    record=$("$mailtls" tlsa --dir "$w/mx" --host mx1.bulk.test | awk '{ print $4, $5, $6, $7 }')
    mkdir -p "$w/world/tlsa"
    echo "$record" >"$w/world/tlsa/_25._tcp.mx1.bulk.test"
    echo "$record" >"$w/world/tlsa/_25._tcp.mx2.bulk.test"

    # The world, nsd (free port, TCP and UDP), unbound on RESOLVER:53.
    local nsd_port
    nsd_port=$(python3 -c '
import socket
for _ in range(20):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try: u.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass')
    local started
    started=$(date +%s.%N)
    bash "$ROOT/Tests/MailTLSTests/Fixtures/dns/make-world" --out "$w/world" --nsd-port "$nsd_port" --unbound-port 53 \
        --resolver-address "$resolver" --mx-address "$mx" --bulk "$n" >"$w/make-world.log" 2>&1 ||
        { cat "$w/make-world.log" >&2; exit 1; }
    local made_s
    made_s=$(echo "$(date +%s.%N) - $started" | bc -l)
    /usr/sbin/nsd -d -c "$w/world/nsd.conf" >"$w/nsd.out" 2>&1 &
    nsd_pid=$!
    bench_audit_wait "nsd" "$w/nsd.out" dig @127.0.0.1 -p "$nsd_port" +norec . SOA
    /usr/sbin/unbound -d -c "$w/world/unbound.conf" >"$w/unbound.out" 2>&1 &
    unbound_pid=$!
    bench_audit_wait "unbound" "$w/unbound.out" bench_audit_validates "$resolver"

    "$mailtls" serve --dir "$w/mx" --listen "$mx" --port 25 --hostname mx1.bulk.test --idle-timeout 30 >"$w/serve.log" 2>&1 &
    serve_pid=$!
    local i
    for ((i = 0; i < 100; i++)); do (exec 3<>"/dev/tcp/$mx/25") 2>/dev/null && break; sleep 0.1; done

    local domains=$w/world/bulk-domains.txt
    head -100 "$domains" >"$w/domains-100.txt"
    head -"$finger_n" "$domains" >"$w/domains-finger.txt"
    head -"$testssl_n" "$domains" >"$w/domains-testssl.txt"
    printf 'nameserver %s\noptions trust-ad\n' "$resolver" >"$w/resolv.conf"
    mkdir -p "$w/finger"
    cat >"$w/finger/main.cf" <<EOF
compatibility_level = 3.6
daemon_directory = $postfix_root/usr/lib/postfix/sbin
command_directory = $postfix_root/usr/sbin
meta_directory = $postfix_root/etc/postfix
shlib_directory = $postfix_root/usr/lib/postfix
EOF

    local load_before
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    local audit=("$mailtls" audit --json --concurrency 32 --nameserver "$resolver:53" --timeout 10)

    # Warm-up (and the check that every domain is dane-secure), then the timed runs.
    "${audit[@]}" --domains "$domains" >"$w/audit-warm.json" 2>"$w/audit-warm.err" || true
    bench_audit_check_json "$w/audit-warm.json" "$n"
    local t100 rss100 t_all rss_all
    /usr/bin/time -o "$w/time-100" -f '%e %M' "${audit[@]}" --domains "$w/domains-100.txt" >"$w/audit-100.json" 2>/dev/null || true
    read -r t100 rss100 <"$w/time-100"
    bench_audit_check_json "$w/audit-100.json" 100
    /usr/bin/time -o "$w/time-all" -f '%e %M' "${audit[@]}" --domains "$domains" >"$w/audit-all.json" 2>/dev/null || true
    read -r t_all rss_all <"$w/time-all"
    bench_audit_check_json "$w/audit-all.json" "$n"

    # posttls-finger, one process per domain, in one namespace (its set-up not timed).
    local t_finger verified
    t_finger=$(MAIL_CONFIG=$w/finger LD_LIBRARY_PATH=$postfix_root/usr/lib/postfix unshare -m /bin/sh -c '
        mount --bind "$1" /etc/resolv.conf || exit 1
        start=$(date +%s.%N)
        while read -r d; do "$2" -c -l dane -t 10 -T 10 "$d" >>"$3" 2>&1; done <"$4"
        echo "$(date +%s.%N) - $start" | bc -l' _ "$w/resolv.conf" "$finger" "$w/finger.log" "$w/domains-finger.txt")
    verified=$(grep -c "Verified TLS connection established" "$w/finger.log" || true)
    ((verified >= finger_n)) || { tail -20 "$w/finger.log" >&2; echo "bench audit: posttls-finger verified $verified of $finger_n domains" >&2; exit 1; }

    # testssl --mx, one domain after another (every MX of each), narrowest useful checks.
    local t_testssl testssl_ok
    t_testssl=$(unshare -m /bin/sh -c '
        mount --bind "$1" /etc/resolv.conf || exit 1
        start=$(date +%s.%N)
        while read -r d; do testssl --quiet --color 0 --warnings off --jsonfile "$2/testssl-$d.json" -S -P --mx "$d" >>"$2/testssl.log" 2>&1 </dev/null || true; done <"$3"
        echo "$(date +%s.%N) - $start" | bc -l' _ "$w/resolv.conf" "$w" "$w/domains-testssl.txt")
    testssl_ok=$(cat "$w"/testssl-*.json 2>/dev/null | grep -c '"id".*"cert_fingerprintSHA256"' || true)
    ((testssl_ok >= testssl_n)) || { tail -30 "$w/testssl.log" >&2; echo "bench audit: testssl saw a certificate for $testssl_ok MX hosts of $testssl_n domains" >&2; exit 1; }
    local load_after
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)

    local per_audit per_finger per_testssl
    per_audit=$(echo "$t_all / $n" | bc -l)
    per_finger=$(echo "$t_finger / $finger_n" | bc -l)
    per_testssl=$(echo "$t_testssl / $testssl_n" | bc -l)
    echo "# audit benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $load_before -> $load_after, $(unbound -V | head -1), $(/usr/sbin/nsd -v 2>&1 | head -1), testssl $(dpkg-query -W -f '${Version}' testssl.sh 2>/dev/null || echo '?'), postfix $(apt-cache show postfix 2>/dev/null | awk '/^Version:/ { print $2; exit }')"
    echo "# world: $n domains x 2 MX (make-world + signing $(printf '%.1f' "$made_s") s), all dane-secure; mailtls audit --concurrency 32, warm resolver cache"
    printf '%-40s %8s %10s %14s %12s\n' "tool" "domains" "wall s" "ms per domain" "peak RSS KiB"
    printf '%-40s %8s %10.2f %14.1f %12s\n' "mailtls audit --domains (100)" 100 "$t100" "$(echo "$t100 * 1000 / 100" | bc -l)" "$rss100"
    printf '%-40s %8s %10.2f %14.1f %12s\n' "mailtls audit --domains ($n)" "$n" "$t_all" "$(echo "$per_audit * 1000" | bc -l)" "$rss_all"
    printf '%-40s %8s %10.2f %14.1f %12s\n' "posttls-finger -l dane loop" "$finger_n" "$t_finger" "$(echo "$per_finger * 1000" | bc -l)" "-"
    printf '%-40s %8s %10.2f %14.1f %12s\n' "testssl --mx -S -P loop" "$testssl_n" "$t_testssl" "$(echo "$per_testssl * 1000" | bc -l)" "-"
    printf 'ratio per domain: posttls-finger/mailtls %.1f, testssl/mailtls %.0f; memory %s vs 100 domains: %.2f\n' \
        "$(echo "$per_finger / $per_audit" | bc -l)" "$(echo "$per_testssl / $per_audit" | bc -l)" "$n" "$(echo "$rss_all / $rss100" | bc -l)"
)

# bench_audit_wait WHAT LOG COMMAND...: polls COMMAND (every 0.1 s, 20 s) until it succeeds.
bench_audit_wait() {
    local what=$1 log=$2 i
    shift 2
    for ((i = 0; i < 200; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$log" >&2
    echo "bench audit: $what did not answer within 20 s" >&2
    exit 1
}

# unbound answers the root's SOA with AD.
bench_audit_validates() {
    dig @"$1" -p 53 +dnssec +time=1 +tries=1 . SOA | grep -q 'flags:.* ad[ ;]'
}

# bench_audit_check_json FILE N: N JSON lines, every domain dane-secure.
bench_audit_check_json() {
    python3 - "$1" "$2" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = [(o["domain"], o["verdict"], o["reason"]) for o in lines if o["verdict"] != "dane-secure"]
if len(lines) != int(sys.argv[2]) or bad:
    sys.exit(f"bench audit: {len(lines)} domains of {sys.argv[2]} in {sys.argv[1]}, not dane-secure: {bad[:3]}")
PY
}
