/* rfc2136: any standard DNS server, by TSIG-signed AXFR, QUERY and UPDATE
 * (RFC 2136, RFC 8945).  The DNS work is rfc2136_ldns.c; this file is the
 * glue to ip-dns's asynchronous provider interface.
 *
 * Concurrency: the exchanges are blocking (poll on one socket with a
 * deadline), so each operation runs on a worker thread of its own, at most
 * -j at once, further ones queued here.  A finished worker writes its op
 * pointer to a done-pipe whose read end is watched by the ip_http loop, so
 * the main thread is woken like for an HTTP answer, joins the worker and
 * runs the callback: jv values, logging and ip-dns's state are touched only
 * on the main thread.  Workers block every signal, so Ctrl-C reaches the
 * main thread's poll at once; work in flight ends within dns.args.timeout. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "../provider.h"
#include "log.h"
#include "names.h"
#include "rfc2136_ldns.h"

enum kind { OP_AXFR, OP_QUERY, OP_ADD, OP_DELETE };

struct waiter {
	char *rtype;
	dns_list_cb cb;
	void *ud;
	struct waiter *next;
};

struct op {
	struct r2 *p;
	enum kind kind;
	char *sub, *rtype, *target;
	long ttl;
	/* written by the worker, read after pthread_join */
	struct r2_rrs rrs;
	char *err;
	pthread_t th;
	/* callbacks, on the main thread */
	struct waiter *waiters;		/* AXFR and QUERY */
	dns_rec_cb rcb;
	dns_done_cb dcb;
	void *ud;
	struct op *next;
};

struct r2 {
	struct r2_server srv;
	struct ip_http *h;
	int done[2];			/* the done-pipe */
	int running, max, watching;
	struct op *qhead, **qtail;	/* waiting for a worker */
	struct op *axfr;		/* a transfer not started or running: ls shares it */
	const char *ns;			/* the namespace, for remove's check */
};

static void *
worker(void *arg)
{
	struct op *o = arg;
	const struct r2_server *s = &o->p->srv;

	switch (o->kind) {
	case OP_AXFR:
		o->err = r2_axfr(s, &o->rrs);
		break;
	case OP_QUERY:
		o->err = r2_query(s, o->sub, o->rtype, &o->rrs);
		break;
	case OP_ADD:
		o->err = r2_add(s, o->sub, o->rtype, o->target, o->ttl);
		break;
	case OP_DELETE:
		o->err = r2_delete(s, o->sub, o->rtype);
		break;
	}
	/* a pointer is far below PIPE_BUF: the write is atomic */
	while (write(o->p->done[1], &o, sizeof(o)) < 0 && errno == EINTR)
		;
	return NULL;
}

static void on_done(void *arg);

static void
start(struct op *o)
{
	struct r2 *p = o->p;
	sigset_t all, old;
	int e;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&o->th, NULL, worker, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		ip_die(IP_EXIT_FATAL, "cannot start a thread: %s", strerror(e));
	p->running++;
	if (!p->watching) {
		ip_http_watch(p->h, p->done[0], on_done, p);
		p->watching = 1;
	}
}

static void
submit(struct op *o)
{
	struct r2 *p = o->p;

	if (p->running < p->max) {
		start(o);
		return;
	}
	o->next = NULL;
	*p->qtail = o;
	p->qtail = &o->next;
}

static struct op *
op_new(struct r2 *p, enum kind k, const char *sub, const char *rtype)
{
	struct op *o = ip_xcalloc(1, sizeof(*o));

	o->p = p;
	o->kind = k;
	o->sub = sub ? ip_xstrdup(sub) : NULL;
	o->rtype = rtype ? ip_xstrdup(rtype) : NULL;
	return o;
}

static void
op_free(struct op *o)
{
	struct waiter *w, *n;

	for (w = o->waiters; w; w = n) {
		n = w->next;
		free(w->rtype);
		free(w);
	}
	r2_rrs_free(&o->rrs);
	free(o->sub);
	free(o->rtype);
	free(o->target);
	free(o->err);
	free(o);
}

static char *
rec_id(const char *sub, const char *rtype)
{
	return ip_xasprintf("%s/%s", sub, rtype);
}

static jv
rec_obj(const char *sub, const char *rtype, const char *target, long ttl)
{
	char *id = rec_id(sub, rtype);
	jv o = jv_object();

	o = jv_object_set(o, jv_string("id"), jv_string(id));
	o = jv_object_set(o, jv_string("subdomain"), jv_string(sub));
	o = jv_object_set(o, jv_string("rtype"), jv_string(rtype));
	o = jv_object_set(o, jv_string("target"), jv_string(target));
	o = jv_object_set(o, jv_string("ttl"), jv_number((double)ttl));
	free(id);
	return o;
}

static void
deliver(struct op *o)
{
	struct waiter *w;

	switch (o->kind) {
	case OP_AXFR:
	case OP_QUERY:
		for (w = o->waiters; w; w = w->next) {
			jv recs = jv_array();
			for (size_t i = 0; !o->err && i < o->rrs.n; i++)
				if (!strcmp(o->rrs.v[i].rtype, w->rtype))
					recs = jv_array_append(recs, rec_obj(o->rrs.v[i].sub,
					    o->rrs.v[i].rtype, o->rrs.v[i].target, o->rrs.v[i].ttl));
			w->cb(w->ud, recs, o->err);
		}
		break;
	case OP_ADD:
		if (o->err)
			o->rcb(o->ud, jv_invalid(), o->err);
		else
			o->rcb(o->ud, rec_obj(o->sub, o->rtype, o->target, o->ttl), NULL);
		break;
	case OP_DELETE:
		o->dcb(o->ud, o->err);
		break;
	}
}

/* The done-pipe is readable: collect the finished workers, start queued
 * operations, then run the callbacks (which may submit more). */
static void
on_done(void *arg)
{
	struct r2 *p = arg;
	struct op *o, *fin = NULL, **ft = &fin;
	ssize_t n;

	while ((n = read(p->done[0], &o, sizeof(o))) == (ssize_t)sizeof(o)) {
		pthread_join(o->th, NULL);
		p->running--;
		if (p->axfr == o)
			p->axfr = NULL;
		o->next = NULL;
		*ft = o;
		ft = &o->next;
	}
	while (p->qhead && p->running < p->max) {
		o = p->qhead;
		if ((p->qhead = o->next) == NULL)
			p->qtail = &p->qhead;
		start(o);
	}
	for (o = fin; o; o = fin) {
		fin = o->next;
		deliver(o);
		op_free(o);
	}
	if (p->running == 0 && p->watching) {
		ip_http_unwatch(p->h, p->done[0]);
		p->watching = 0;
	}
}

static void *
r2_open(const struct ip_config *cfg, struct ip_http *h)
{
	struct r2 *p = ip_xcalloc(1, sizeof(*p));
	struct r2_server *s = &p->srv;
	const char *server = ip_config_str(cfg, "dns.args.server");
	long port = ip_config_int_or(cfg, "dns.args.port", 53, 1, 65535);
	const char *kn = ip_config_str(cfg, "dns.args.key_name");
	const char *ks = ip_config_str(cfg, "dns.args.key_secret");
	const char *ka = ip_config_str_or(cfg, "dns.args.key_algorithm", "hmac-sha256"), *alg;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV }, *ai;
	char portstr[8], host[NI_MAXHOST];
	ldns_rdf *dn;
	int e;

	p->h = h;
	p->ns = cfg->namespace;
	p->max = ip_http_parallel(h);
	p->qtail = &p->qhead;
	snprintf(portstr, sizeof(portstr), "%ld", port);
	if ((e = getaddrinfo(server, portstr, &hints, &ai)) != 0)
		ip_config_die(cfg, "dns.args.server", "not an address that resolves: %s", gai_strerror(e));
	memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
	s->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (getnameinfo((struct sockaddr *)&s->addr, s->addrlen, host, sizeof(host), NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(s->where, sizeof(s->where), "%.46s port %ld", host, port);
	s->zone = ip_xasprintf("%s.", cfg->zone);
	if ((dn = ldns_dname_new_frm_str(kn)) == NULL || !*kn)
		ip_config_die(cfg, "dns.args.key_name", "not a domain name (the TSIG key's name)");
	ldns_rdf_deep_free(dn);
	s->key_name = kn[strlen(kn) - 1] == '.' ? ip_xstrdup(kn) : ip_xasprintf("%s.", kn);
	if (!r2_base64_ok(ks))
		ip_config_die(cfg, "dns.args.key_secret", "expected the key's secret in base64");
	s->key_secret = ip_xstrdup(ks);
	if ((alg = r2_alg(ka)) == NULL)
		ip_config_die(cfg, "dns.args.key_algorithm", "unsupported: use hmac-sha256, "
		    "hmac-sha512, hmac-sha1 or hmac-md5 (ldns 1.8 has no hmac-sha224 or hmac-sha384)");
	s->key_alg = ip_xstrdup(alg);
	s->timeout_ms = 1000 * ip_config_int_or(cfg, "dns.args.timeout", 10, 1, 3600);
	if (pipe2(p->done, O_NONBLOCK | O_CLOEXEC) < 0)
		ip_die(IP_EXIT_FATAL, "pipe: %s", strerror(errno));
	return p;
}

static void
r2_close(void *arg)
{
	struct r2 *p = arg;

	if (p == NULL)
		return;
	/* the loop ran until nothing was pending: no worker is left */
	close(p->done[0]);
	close(p->done[1]);
	free(p->srv.zone);
	free(p->srv.key_name);
	explicit_bzero(p->srv.key_secret, strlen(p->srv.key_secret));
	free(p->srv.key_secret);
	free(p->srv.key_alg);
	free(p);
}

static char *
r2_check_cb(void *arg)
{
	struct r2 *p = arg;

	return r2_check(&p->srv);
}

static void
r2_list(void *arg, const char *rtype, const char *sub, dns_list_cb cb, void *ud)
{
	struct r2 *p = arg;
	struct waiter *w = ip_xcalloc(1, sizeof(*w));
	struct op *o;

	w->rtype = ip_xstrdup(rtype);
	w->cb = cb;
	w->ud = ud;
	if (sub == NULL && p->axfr) {
		/* ls asks for A and AAAA: one transfer answers both */
		w->next = p->axfr->waiters;
		p->axfr->waiters = w;
		return;
	}
	o = op_new(p, sub ? OP_QUERY : OP_AXFR, sub, rtype);
	o->waiters = w;
	if (sub == NULL)
		p->axfr = o;
	submit(o);
}

static void
r2_create(void *arg, const char *sub, const char *rtype, const char *target, long ttl,
    dns_rec_cb cb, void *ud)
{
	struct op *o = op_new(arg, OP_ADD, sub, rtype);

	o->target = ip_xstrdup(target);
	o->ttl = ttl;
	o->rcb = cb;
	o->ud = ud;
	submit(o);
}

static void
r2_remove(void *arg, const char *id, dns_done_cb cb, void *ud)
{
	struct r2 *p = arg;
	const char *slash = strrchr(id, '/');
	char *sub = slash ? ip_xasprintf("%.*s", (int)(slash - id), id) : NULL;
	char *member = sub ? ip_name_of_subdomain(p->ns, sub) : NULL;
	struct op *o;

	/* the id names the RRset: only a member's A or AAAA set is ours */
	if (member == NULL || (strcmp(slash + 1, "A") && strcmp(slash + 1, "AAAA"))) {
		char *e = ip_xasprintf("record id %s is not an A or AAAA RRset of namespace %s: "
		    "not deleted", id, p->ns);
		cb(ud, e);
		free(e);
		free(member);
		free(sub);
		return;
	}
	o = op_new(p, OP_DELETE, sub, slash + 1);
	free(member);
	free(sub);
	o->dcb = cb;
	o->ud = ud;
	submit(o);
}

/* The server bumps the serial of every UPDATE itself: nothing to do. */
static void
r2_commit(void *arg, dns_done_cb cb, void *ud)
{
	(void)arg;
	cb(ud, NULL);
}

const struct dns_provider ip_dns_provider_rfc2136 = {
	.name = "rfc2136",
	.open = r2_open,
	.check = r2_check_cb,
	.list = r2_list,
	.create = r2_create,
	.remove = r2_remove,
	.commit = r2_commit,
	.close = r2_close,
};
