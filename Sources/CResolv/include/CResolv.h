// CResolv: the few pieces of glibc's resolver (libresolv) that Swift cannot reach by itself.
//
// resolv.h names its functions through macros (`#define res_nsend __res_nsend`), which Swift
// does not import, and a name server given as an IPv6 address lives in a private part of
// `struct __res_state` (`_u._ext.nsaddrs`). These inline wrappers are all the C there is;
// the logic (options, parsing, errors) is in Sources/MailTLS/DNS.
//
// Thread safety: every lookup owns one state from cresolv_open() to cresolv_close(); nothing
// here touches the global `_res`.
#ifndef CRESOLV_H
#define CRESOLV_H

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <resolv.h>

/// A fresh resolver state, initialised from /etc/resolv.conf (res_ninit); NULL when out of
/// memory or when res_ninit fails. Free it with cresolv_close().
static inline res_state cresolv_open(void) {
    res_state state = calloc(1, sizeof(struct __res_state));
    if (state == NULL) return NULL;
    if (res_ninit(state) != 0) {
        res_nclose(state);
        free(state);
        return NULL;
    }
    return state;
}

/// Closes the state's sockets, frees what res_ninit and cresolv_set_nameserver allocated, and
/// the state itself.
static inline void cresolv_close(res_state state) {
    if (state == NULL) return;
    res_nclose(state);
    free(state);
}

/// Makes `address` (IPv4 or IPv6 text) at `port` the state's only name server, in place of
/// those of /etc/resolv.conf. Returns 0, or -1 when the text is no address or memory runs out.
///
/// glibc keeps IPv4 servers in `nsaddr_list` and IPv6 servers in `_u._ext.nsaddrs` (with the
/// `nsaddr_list` entry's family set to 0); res_nsend copies the former into the latter on its
/// first use and res_nclose frees the latter.
static inline int cresolv_set_nameserver(res_state state, const char *address, unsigned short port) {
    struct in_addr v4;
    struct in6_addr v6;
    int isV4 = inet_pton(AF_INET, address, &v4) == 1;
    if (!isV4 && inet_pton(AF_INET6, address, &v6) != 1) return -1;
    for (int i = 0; i < MAXNS; i++) {
        free(state->_u._ext.nsaddrs[i]);
        state->_u._ext.nsaddrs[i] = NULL;
    }
    state->_u._ext.nscount = 0;
    memset(&state->nsaddr_list[0], 0, sizeof(state->nsaddr_list[0]));
    if (isV4) {
        state->nsaddr_list[0].sin_family = AF_INET;
        state->nsaddr_list[0].sin_addr = v4;
        state->nsaddr_list[0].sin_port = htons(port);
    } else {
        struct sockaddr_in6 *server = calloc(1, sizeof(struct sockaddr_in6));
        if (server == NULL) return -1;
        server->sin6_family = AF_INET6;
        server->sin6_addr = v6;
        server->sin6_port = htons(port);
        state->_u._ext.nsaddrs[0] = server;
    }
    state->nscount = 1;
    return 0;
}

/// res_nmkquery for a standard query (QUERY opcode, class IN); returns the length or -1.
static inline int cresolv_mkquery(res_state state, const char *name, int type,
                                  unsigned char *buffer, int size) {
    return res_nmkquery(state, ns_o_query, name, ns_c_in, type, NULL, 0, NULL, buffer, size);
}

/// res_nsend: sends the query to the state's name servers (UDP, then TCP for a truncated
/// reply) and returns the reply's length, or -1 with errno set.
///
/// glibc 2.36 drops SERVFAIL, NOTIMP and REFUSED replies, and NOERROR replies with no
/// records and neither AA nor RA, and tries the next server, returning -1 after the last;
/// the dropped reply is still in `answer` (DNSResolver reads it from there). Setting
/// `pfcode` (as dig does) would hand them back, but then an empty NOERROR reply sends
/// res_nsend into an endless loop (`goto next_ns` back into the same test): never set it.
static inline int cresolv_send(res_state state, const unsigned char *query, int length,
                               unsigned char *answer, int size) {
    return res_nsend(state, query, length, answer, size);
}

#endif
