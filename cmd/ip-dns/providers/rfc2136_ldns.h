/* rfc2136_ldns: the DNS side of the rfc2136 provider, with libldns.
 * Messages (QUERY, AXFR, UPDATE) are built and parsed by ldns and signed
 * with TSIG; the transport (UDP with a TCP retry on truncation, TCP for
 * AXFR and UPDATE) is ours, on non-blocking sockets bounded by a deadline.
 * Thread-safe and blocking: no jv, no logging, no global state; every
 * function returns NULL or a message the caller frees.  Membership of the
 * namespace is not decided here. */
#ifndef IP_RFC2136_LDNS_H
#define IP_RFC2136_LDNS_H
#include <stddef.h>
#include <sys/socket.h>

struct r2_server {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char where[80];		/* "127.0.0.1 port 53", for messages */
	char *zone;		/* absolute, lower case: "example.com." */
	char *key_name;		/* absolute: "update-key." */
	char *key_secret;	/* base64 */
	char *key_alg;		/* ldns's spelling: "hmac-sha256." */
	long timeout_ms;	/* per exchange */
};

/* One A or AAAA record; sub is relative to the zone, lower case ("" apex). */
struct r2_rr {
	char *sub, *rtype, *target;
	long ttl;
};

struct r2_rrs {
	struct r2_rr *v;
	size_t n;
};

/* The TSIG algorithms ldns 1.8 computes, as ldns spells them, or NULL. */
const char *r2_alg(const char *name);
/* 1 when s is valid base64 of at least one byte. */
int r2_base64_ok(const char *s);

/* A signed SOA query of the zone: the key, the server and the zone. */
char *r2_check(const struct r2_server *s);
/* Every A and AAAA record of the zone, by a signed AXFR. */
char *r2_axfr(const struct r2_server *s, struct r2_rrs *out);
/* The records of type rtype at sub (exactly), by a signed query. */
char *r2_query(const struct r2_server *s, const char *sub, const char *rtype,
    struct r2_rrs *out);
/* UPDATE: add sub rtype target, provided sub has neither an rtype nor a
 * CNAME RRset (RFC 2136 prerequisites), so nothing is replaced. */
char *r2_add(const struct r2_server *s, const char *sub, const char *rtype,
    const char *target, long ttl);
/* UPDATE: delete the RRset sub rtype (already gone is success). */
char *r2_delete(const struct r2_server *s, const char *sub, const char *rtype);

void r2_rrs_free(struct r2_rrs *rrs);

#endif
