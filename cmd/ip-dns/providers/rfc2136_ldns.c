/* rfc2136_ldns: signed QUERY, AXFR and UPDATE exchanges with ldns (see the
 * header).  ldns builds, signs, parses and verifies the messages; its own
 * resolver is not used: it does not verify the TSIG of AXFR answers, it
 * prints to stderr, sleeps between retries and keeps a nameserver marked
 * dead, and its timeouts are per read rather than per exchange. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "rfc2136_ldns.h"

#define FUDGE 300		/* seconds of clock skew TSIG allows (RFC 8945) */
#define UDP_TRIES 3		/* sends of a query within its timeout */

enum { TSIG_BADSIG = 16, TSIG_BADKEY = 17, TSIG_BADTIME = 18, TSIG_BADTRUNC = 22 };

static const struct {
	const char *name, *ldns;
} algs[] = {
	{ "hmac-sha256", "hmac-sha256." },
	{ "hmac-sha512", "hmac-sha512." },
	{ "hmac-sha1", "hmac-sha1." },
	{ "hmac-md5", "hmac-md5.sig-alg.reg.int." },
};

const char *
r2_alg(const char *name)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(name, algs[i].name) == 0 || strcasecmp(name, algs[i].ldns) == 0)
			return algs[i].ldns;
	return NULL;
}

int
r2_base64_ok(const char *s)
{
	size_t n = strlen(s);
	unsigned char *buf;
	int r;

	if (n == 0 || n % 4 != 0 || n > 4096 ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != n ||
	    strchr(s, '=') < s + n - 2)
		return 0;
	if ((buf = malloc(n)) == NULL)
		abort();
	r = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	explicit_bzero(buf, n);
	free(buf);
	return r > 0;
}

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		abort();
	return s;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ names */

static char *
fqdn(const struct r2_server *s, const char *sub)
{
	return *sub ? fmt("%s.%s", sub, s->zone) : fmt("%s", s->zone);
}

/* Owner name -> lower-case name relative to the zone, or NULL outside it. */
static char *
relative(const struct r2_server *s, const ldns_rdf *owner)
{
	char *o = ldns_rdf2str(owner), *out = NULL;
	size_t n, z = strlen(s->zone);

	if (o == NULL)
		return NULL;
	for (char *p = o; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	n = strlen(o);
	if (strcmp(o, s->zone) == 0)
		out = fmt("%s", "");
	else if (n > z + 1 && o[n - z - 1] == '.' && strcmp(o + n - z, s->zone) == 0)
		out = fmt("%.*s", (int)(n - z - 1), o);
	free(o);
	return out;
}

static void
rrs_add(const struct r2_server *s, struct r2_rrs *out, const ldns_rr *rr)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	char *sub, *target;

	if ((t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA) || ldns_rr_rd_count(rr) != 1 ||
	    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return;
	if ((sub = relative(s, ldns_rr_owner(rr))) == NULL)
		return;
	if ((target = ldns_rdf2str(ldns_rr_rdf(rr, 0))) == NULL) {
		free(sub);
		return;
	}
	struct r2_rr *v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (v == NULL)
		abort();
	out->v = v;
	v[out->n].sub = sub;
	v[out->n].rtype = fmt("%s", t == LDNS_RR_TYPE_A ? "A" : "AAAA");
	v[out->n].target = target;
	v[out->n].ttl = (long)ldns_rr_ttl(rr);
	out->n++;
}

void
r2_rrs_free(struct r2_rrs *rrs)
{
	for (size_t i = 0; i < rrs->n; i++) {
		free(rrs->v[i].sub);
		free(rrs->v[i].rtype);
		free(rrs->v[i].target);
	}
	free(rrs->v);
	rrs->v = NULL;
	rrs->n = 0;
}

/* ------------------------------------------------------------ transport */

static char *
sock_err(const struct r2_server *s, const char *what, int e)
{
	if (e == ECONNREFUSED)
		return fmt("%s: connection refused (is the DNS server running there?)", s->where);
	return fmt("%s: %s: %s", s->where, what, strerror(e));
}

static char *
timed_out(const struct r2_server *s)
{
	return fmt("%s: no answer within %ld s (dns.args.timeout)", s->where,
	    (s->timeout_ms + 999) / 1000);
}

/* Wait for events on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = events };
		if (left <= 0)
			return 0;
		int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int
sock_open(const struct r2_server *s, int type, char **err)
{
	int fd = socket(s->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		*err = sock_err(s, "socket", errno);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) == 0 ||
	    errno == EINPROGRESS)
		return fd;
	*err = sock_err(s, "connect", errno);
	close(fd);
	return -1;
}

/* One query over UDP: the answer with our id, sent again if none comes. */
static char *
udp_exchange(const struct r2_server *s, const uint8_t *q, size_t qlen,
    uint8_t **ans, size_t *alen)
{
	long long end = now_ms() + s->timeout_ms;
	char *err = NULL;
	int fd = sock_open(s, SOCK_DGRAM, &err);
	uint8_t *buf;

	if (fd < 0)
		return err;
	buf = malloc(65536);
	if (buf == NULL)
		abort();
	for (int try = 0; try < UDP_TRIES && err == NULL; try++) {
		long long t_end = try == UDP_TRIES - 1 ? end :
		    now_ms() + s->timeout_ms / UDP_TRIES;
		if (send(fd, q, qlen, 0) < 0) {
			err = sock_err(s, "send", errno);
			break;
		}
		for (;;) {
			int w = wait_fd(fd, POLLIN, t_end);
			if (w < 0)
				err = sock_err(s, "poll", errno);
			if (w <= 0)
				break;
			ssize_t n = recv(fd, buf, 65536, 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n < 0) {
				err = sock_err(s, "recv", errno);
				break;
			}
			/* the same id, and an answer (QR): anything else is not ours */
			if (n >= 12 && buf[0] == q[0] && buf[1] == q[1] && (buf[2] & 0x80)) {
				*ans = buf;
				*alen = (size_t)n;
				close(fd);
				return NULL;
			}
		}
	}
	close(fd);
	free(buf);
	return err ? err : timed_out(s);
}

static char *
tcp_connect(const struct r2_server *s, int *fdp)
{
	char *err = NULL;
	int fd = sock_open(s, SOCK_STREAM, &err), e = 0, w;
	socklen_t el = sizeof(e);

	if (fd < 0)
		return err;
	w = wait_fd(fd, POLLOUT, now_ms() + s->timeout_ms);
	if (w <= 0) {
		close(fd);
		return w == 0 ? timed_out(s) : sock_err(s, "poll", errno);
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e != 0) {
		close(fd);
		return sock_err(s, "connect", e ? e : errno);
	}
	*fdp = fd;
	return NULL;
}

static char *
tcp_io(const struct r2_server *s, int fd, uint8_t *buf, size_t len, int out, long long end,
    int *eof)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = out ? send(fd, buf + done, len - done, MSG_NOSIGNAL) :
		    recv(fd, buf + done, len - done, 0);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0) {
			if (eof)
				*eof = done == 0;
			return fmt("%s: the server closed the connection before its answer ended",
			    s->where);
		}
		if (errno != EAGAIN && errno != EINTR)
			return sock_err(s, out ? "send" : "recv", errno);
		int w = wait_fd(fd, out ? POLLOUT : POLLIN, end);
		if (w == 0)
			return timed_out(s);
		if (w < 0)
			return sock_err(s, "poll", errno);
	}
	return NULL;
}

static char *
tcp_send(const struct r2_server *s, int fd, const uint8_t *q, size_t qlen)
{
	uint8_t *b = malloc(qlen + 2);
	char *err;

	if (b == NULL)
		abort();
	b[0] = (uint8_t)(qlen >> 8);
	b[1] = (uint8_t)qlen;
	memcpy(b + 2, q, qlen);
	err = tcp_io(s, fd, b, qlen + 2, 1, now_ms() + s->timeout_ms, NULL);
	free(b);
	return err;
}

static char *
tcp_read(const struct r2_server *s, int fd, uint8_t **ans, size_t *alen)
{
	long long end = now_ms() + s->timeout_ms;
	uint8_t l[2], *b;
	size_t n;
	char *err = tcp_io(s, fd, l, 2, 0, end, NULL);

	if (err)
		return err;
	n = (size_t)l[0] << 8 | l[1];
	if (n < 12)
		return fmt("%s: a DNS message too short to be one", s->where);
	if ((b = malloc(n)) == NULL)
		abort();
	if ((err = tcp_io(s, fd, b, n, 0, end, NULL)) != NULL) {
		free(b);
		return err;
	}
	*ans = b;
	*alen = n;
	return NULL;
}

/* ------------------------------------------------------------ TSIG */

static uint16_t
new_id(void)
{
	uint16_t id = 0;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)(now_ms() ^ getpid());
	return id;
}

/* Sign q afresh (a new id and time) and write it; *mac is the request's MAC. */
static char *
sign(const struct r2_server *s, ldns_pkt *q, uint8_t **wire, size_t *len, ldns_rdf **mac)
{
	ldns_status st;

	if (ldns_pkt_tsig(q)) {
		ldns_rr_free(ldns_pkt_tsig(q));
		ldns_pkt_set_tsig(q, NULL);
	}
	ldns_pkt_set_id(q, new_id());
	st = ldns_pkt_tsig_sign(q, s->key_name, s->key_secret, FUDGE, s->key_alg, NULL);
	if (st != LDNS_STATUS_OK)
		return fmt("TSIG signing failed: %s", ldns_get_errorstr_by_id(st));
	*mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(q), 3));
	if (ldns_pkt2wire(wire, q, len) != LDNS_STATUS_OK)
		return fmt("%s", "could not write the DNS message");
	return NULL;
}

static const char *
tsig_error_name(int e)
{
	switch (e) {
	case TSIG_BADSIG: return "BADSIG";
	case TSIG_BADKEY: return "BADKEY";
	case TSIG_BADTIME: return "BADTIME";
	case 19: return "BADMODE";
	case 20: return "BADNAME";
	case 21: return "BADALG";
	case TSIG_BADTRUNC: return "BADTRUNC";
	}
	return NULL;
}

static const char *
rcode_name(int rc)
{
	ldns_lookup_table *t = ldns_lookup_by_id(ldns_rcodes, rc);

	return t ? t->name : "an unknown RCODE";
}

/* The server's own error, with what to check. */
static char *
server_error(const struct r2_server *s, int rc, int te)
{
	const char *hint = "", *tn = tsig_error_name(te);
	char tbuf[32];

	if (te == TSIG_BADKEY)
		hint = ": the server does not know this key (check dns.args.key_name and key_algorithm)";
	else if (te == TSIG_BADSIG)
		hint = ": the signature does not match (check dns.args.key_secret)";
	else if (te == TSIG_BADTIME)
		hint = ": our clock and the server's differ by more than 5 minutes";
	else if (te)
		hint = "";
	else if (rc == LDNS_RCODE_NOTAUTH)
		hint = ": the server is not authoritative for the zone (check dns.zone), or the key is not allowed";
	else if (rc == LDNS_RCODE_REFUSED)
		hint = ": the server's policy refuses this key for this zone or operation (update-policy, allow-transfer, acl)";
	else if (rc == LDNS_RCODE_NOTZONE)
		hint = ": the name is not in the zone (check dns.zone)";
	else if (rc == LDNS_RCODE_SERVFAIL)
		hint = ": the server failed (see its log)";
	else if (rc == LDNS_RCODE_FORMERR)
		hint = ": the server could not parse the request";
	if (te && tn == NULL) {
		snprintf(tbuf, sizeof(tbuf), "%d", te);
		tn = tbuf;
	}
	return fmt("%s: the server answered %s%s%s%s%s", s->where, rcode_name(rc),
	    te ? " (TSIG error " : "", te ? tn : "", te ? ")" : "", hint);
}

/* Check the answer's TSIG: 0 when it verifies, else *err. prev is the MAC
 * it must cover (the request's, or the previous message's of an AXFR). */
static int
verified(const struct r2_server *s, ldns_pkt *a, const uint8_t *wire, size_t len,
    const ldns_rdf *prev, int next, char **err)
{
	ldns_rr *t = ldns_pkt_tsig(a);
	int rc = ldns_pkt_get_rcode(a), te;
	ldns_rdf *kn;
	const uint8_t *ts;
	long long signed_at, now = (long long)time(NULL);

	if (t == NULL || ldns_rr_rd_count(t) < 7) {
		/* an error from a server that could not check our key comes
		 * unsigned: its RCODE is all there is to report */
		*err = rc ? server_error(s, rc, 0) :
		    fmt("%s: the answer is not signed (TSIG); not trusted", s->where);
		return 0;
	}
	te = ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
	if (te) {
		*err = server_error(s, rc, te);
		return 0;
	}
	kn = ldns_dname_new_frm_str(s->key_name);
	if (kn == NULL || ldns_dname_compare(kn, ldns_rr_owner(t)) != 0 ||
	    !ldns_pkt_tsig_verify_next(a, wire, len, s->key_name, s->key_secret, prev, next)) {
		ldns_rdf_deep_free(kn);
		*err = fmt("%s: the answer's TSIG signature does not verify with our key", s->where);
		return 0;
	}
	ldns_rdf_deep_free(kn);
	ts = ldns_rdf_data(ldns_rr_rdf(t, 1));
	signed_at = 0;
	for (int i = 0; i < 6 && ldns_rdf_size(ldns_rr_rdf(t, 1)) == 6; i++)
		signed_at = signed_at << 8 | ts[i];
	if (signed_at < now - FUDGE || signed_at > now + FUDGE) {
		*err = fmt("%s: the answer was signed at a time more than 5 minutes from ours", s->where);
		return 0;
	}
	return 1;
}

/* Sign q, send it (UDP first unless tcp; TCP again when truncated), read
 * and verify the answer.  *ap is the verified answer; its RCODE is left to
 * the caller. */
static char *
exchange(const struct r2_server *s, ldns_pkt *q, int tcp, ldns_pkt **ap)
{
	uint8_t *w = NULL, *ans = NULL;
	size_t wl = 0, al = 0;
	ldns_rdf *mac = NULL;
	ldns_pkt *a = NULL;
	char *err = NULL;
	int fd = -1;

	*ap = NULL;
	for (;;) {
		if ((err = sign(s, q, &w, &wl, &mac)) != NULL)
			break;
		if (!tcp)
			err = udp_exchange(s, w, wl, &ans, &al);
		else if ((err = tcp_connect(s, &fd)) == NULL) {
			if ((err = tcp_send(s, fd, w, wl)) == NULL)
				err = tcp_read(s, fd, &ans, &al);
			close(fd);
		}
		if (err)
			break;
		if (ldns_wire2pkt(&a, ans, al) != LDNS_STATUS_OK || ldns_pkt_id(a) != ldns_pkt_id(q)) {
			err = fmt("%s: an answer that is not a DNS message for our request", s->where);
			break;
		}
		/* too large for UDP: the same request over TCP (RFC 7766) */
		if (!tcp && ldns_pkt_tc(a) && ldns_pkt_get_rcode(a) == LDNS_RCODE_NOERROR) {
			ldns_pkt_free(a);
			a = NULL;
			free(w);
			free(ans);
			ldns_rdf_deep_free(mac);
			w = ans = NULL;
			mac = NULL;
			tcp = 1;
			continue;
		}
		if (verified(s, a, ans, al, mac, 0, &err)) {
			*ap = a;
			a = NULL;
		}
		break;
	}
	ldns_pkt_free(a);
	free(w);
	free(ans);
	ldns_rdf_deep_free(mac);
	return err;
}

static ldns_pkt *
query_pkt(const char *name, ldns_rr_type t)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	ldns_pkt *q;

	if (n == NULL)
		return NULL;
	q = ldns_pkt_query_new(n, t, LDNS_RR_CLASS_IN, 0);	/* RD off */
	if (q == NULL)
		ldns_rdf_deep_free(n);
	return q;
}

static char *
prefix(char *err, const char *what, const char *name)
{
	char *out;

	if (err == NULL)
		return NULL;
	out = fmt("%s %s: %s", what, name, err);
	free(err);
	return out;
}

/* ------------------------------------------------------------ operations */

char *
r2_check(const struct r2_server *s)
{
	ldns_pkt *q = query_pkt(s->zone, LDNS_RR_TYPE_SOA), *a = NULL;
	char *err;
	int found = 0;

	if (q == NULL)
		return fmt("zone %s: not a domain name", s->zone);
	err = exchange(s, q, 0, &a);
	if (err == NULL && ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR)
		err = server_error(s, ldns_pkt_get_rcode(a), 0);
	if (err == NULL) {
		ldns_rr_list *an = ldns_pkt_answer(a);
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			char *rel = relative(s, ldns_rr_owner(rr));
			found |= ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && rel && *rel == '\0';
			free(rel);
		}
		if (!found || !ldns_pkt_aa(a))
			err = fmt("%s: the server does not serve zone %s with authority (check dns.zone)",
			    s->where, s->zone);
	}
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	return prefix(err, "SOA", s->zone);
}

char *
r2_query(const struct r2_server *s, const char *sub, const char *rtype, struct r2_rrs *out)
{
	ldns_rr_type t = ldns_get_rr_type_by_name(rtype);
	char *name = fqdn(s, sub), *err, *label = fmt("%s %s", name, rtype);
	ldns_pkt *q = query_pkt(name, t), *a = NULL;
	int rc;

	if (q == NULL) {
		err = fmt("%s: not a domain name", name);
		goto out;
	}
	err = exchange(s, q, 0, &a);
	if (err == NULL && (rc = ldns_pkt_get_rcode(a)) != LDNS_RCODE_NOERROR &&
	    rc != LDNS_RCODE_NXDOMAIN)
		err = server_error(s, rc, 0);
	if (err == NULL) {
		ldns_rr_list *an = ldns_pkt_answer(a);
		ldns_rdf *want = ldns_dname_new_frm_str(name);
		/* only the exact name and type: a CNAME's target is someone else's */
		for (size_t i = 0; want && i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == t && ldns_dname_compare(ldns_rr_owner(rr), want) == 0)
				rrs_add(s, out, rr);
		}
		ldns_rdf_deep_free(want);
	}
	ldns_pkt_free(a);
	ldns_pkt_free(q);
out:
	err = prefix(err, "QUERY", label);
	free(name);
	free(label);
	return err;
}

char *
r2_axfr(const struct r2_server *s, struct r2_rrs *out)
{
	ldns_pkt *q = query_pkt(s->zone, LDNS_RR_TYPE_AXFR), *a = NULL;
	uint8_t *w = NULL, *ans = NULL;
	size_t wl, al;
	ldns_rdf *mac = NULL;
	char *err;
	int fd = -1, soas = 0, rc;

	if (q == NULL)
		return fmt("zone %s: not a domain name", s->zone);
	if ((err = sign(s, q, &w, &wl, &mac)) != NULL || (err = tcp_connect(s, &fd)) != NULL ||
	    (err = tcp_send(s, fd, w, wl)) != NULL)
		goto out;
	/* every message is signed and covers the previous one's MAC */
	for (int msg = 0; soas < 2; msg++) {
		if ((err = tcp_read(s, fd, &ans, &al)) != NULL)
			break;
		if (ldns_wire2pkt(&a, ans, al) != LDNS_STATUS_OK || ldns_pkt_id(a) != ldns_pkt_id(q)) {
			err = fmt("%s: an answer that is not a DNS message for our request", s->where);
			break;
		}
		if (!verified(s, a, ans, al, mac, msg > 0, &err)) {
			if (msg > 0 && ldns_pkt_tsig(a) == NULL) {
				free(err);
				err = fmt("%s: an AXFR message without TSIG (servers that sign only "
				    "every Nth message are not supported)", s->where);
			}
			break;
		}
		if ((rc = ldns_pkt_get_rcode(a)) != LDNS_RCODE_NOERROR) {
			err = server_error(s, rc, 0);
			break;
		}
		ldns_rdf_deep_free(mac);
		mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(a), 3));
		ldns_rr_list *an = ldns_pkt_answer(a);
		if (ldns_rr_list_rr_count(an) == 0) {
			err = fmt("%s: an empty AXFR message", s->where);
			break;
		}
		for (size_t i = 0; i < ldns_rr_list_rr_count(an) && soas < 2; i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA)
				soas++;
			else if (soas == 0) {
				err = fmt("%s: the transfer does not start with the SOA", s->where);
				break;
			} else
				rrs_add(s, out, rr);
		}
		if (err)
			break;
		ldns_pkt_free(a);
		a = NULL;
		free(ans);
		ans = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	free(w);
	free(ans);
	ldns_rdf_deep_free(mac);
	if (err)
		r2_rrs_free(out);
	return prefix(err, "AXFR", s->zone);
}

/* An RR without data: "RRset exists / does not exist" or "delete RRset". */
static ldns_rr *
empty_rr(const char *name, ldns_rr_type t, ldns_rr_class c)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *n = ldns_dname_new_frm_str(name);

	if (rr == NULL || n == NULL)
		abort();
	ldns_rr_set_owner(rr, n);
	ldns_rr_set_type(rr, t);
	ldns_rr_set_class(rr, c);
	ldns_rr_set_ttl(rr, 0);
	return rr;
}

static char *
update(const struct r2_server *s, ldns_rr_list *pre, ldns_rr_list *up, int *rcode)
{
	ldns_rdf *z = ldns_dname_new_frm_str(s->zone);
	ldns_pkt *q = z ? ldns_update_pkt_new(z, LDNS_RR_CLASS_IN, pre, up, NULL) : NULL, *a = NULL;
	char *err;

	ldns_rr_list_deep_free(pre);
	ldns_rr_list_deep_free(up);
	if (q == NULL)
		return fmt("%s", "could not build the UPDATE message");
	ldns_pkt_set_rd(q, false);
	/* over TCP: a lost UDP answer would make a retry of an add fail */
	err = exchange(s, q, 1, &a);
	if (err == NULL) {
		*rcode = ldns_pkt_get_rcode(a);
		if (*rcode != LDNS_RCODE_NOERROR && *rcode != LDNS_RCODE_YXRRSET)
			err = server_error(s, *rcode, 0);
	}
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	return err;
}

char *
r2_add(const struct r2_server *s, const char *sub, const char *rtype, const char *target,
    long ttl)
{
	ldns_rr_type t = ldns_get_rr_type_by_name(rtype);
	char *name = fqdn(s, sub), *line = fmt("%s %ld IN %s %s", name, ttl, rtype, target);
	char *label = fmt("%s %s", name, rtype), *err = NULL;
	ldns_rr_list *pre = ldns_rr_list_new(), *up = ldns_rr_list_new();
	ldns_rr *rr = NULL;
	int rc = 0;

	if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) != LDNS_STATUS_OK) {
		ldns_rr_list_deep_free(pre);
		ldns_rr_list_deep_free(up);
		err = fmt("%s: not a valid %s record", target, rtype);
		goto out;
	}
	/* RFC 2136 2.4.3: neither an rtype nor a CNAME RRset may exist yet
	 * (an A beside a CNAME would be dropped silently by the server) */
	ldns_rr_list_push_rr(pre, empty_rr(name, t, LDNS_RR_CLASS_NONE));
	ldns_rr_list_push_rr(pre, empty_rr(name, LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_NONE));
	ldns_rr_list_push_rr(up, rr);
	err = update(s, pre, up, &rc);
	if (err == NULL && rc == LDNS_RCODE_YXRRSET)
		err = fmt("%s: the server answered YXRRSET: %s already has an %s or a CNAME "
		    "record; nothing was replaced", s->where, name, rtype);
out:
	err = prefix(err, "UPDATE add", label);
	free(name);
	free(line);
	free(label);
	return err;
}

char *
r2_delete(const struct r2_server *s, const char *sub, const char *rtype)
{
	ldns_rr_type t = ldns_get_rr_type_by_name(rtype);
	char *name = fqdn(s, sub), *label = fmt("%s %s", name, rtype), *err;
	ldns_rr_list *up = ldns_rr_list_new();
	int rc = 0;

	/* RFC 2136 2.5.2: class ANY, no data: this name's rtype RRset only */
	ldns_rr_list_push_rr(up, empty_rr(name, t, LDNS_RR_CLASS_ANY));
	err = update(s, NULL, up, &rc);
	err = prefix(err, "UPDATE delete", label);
	free(name);
	free(label);
	return err;
}
