/* exec: a DNS provider that is an executable (ip-provider(7)): the command
 * of dns.args.command, or ip-dns-NAME on PATH, run once per operation.
 * It only talks to its API; ip-dns keeps membership, selection and -j. */
#include <stdlib.h>
#include <string.h>

#include "../provider.h"
#include "extprov.h"
#include "log.h"
#include "schema.h"
#include "stream.h"

struct ex {
	struct ip_ext *x;
	int max, running;
	struct pend *qhead, **qtail;	/* calls waiting for a slot (-j) */
};

/* One operation: its request and what to call back. */
struct pend {
	struct ex *e;
	char *op;
	jv req;
	char *rtype, *sub, *target;	/* list: the asked type; create: the record */
	dns_list_cb lcb;
	dns_rec_cb rcb;
	dns_done_cb dcb;
	void *ud;
	struct pend *next;
};

static void call_done(void *ud, jv out, const char *err, int status);

static void
start(struct pend *p)
{
	p->e->running++;
	ip_ext_call(p->e->x, p->op, p->req, call_done, p);
	p->req = jv_invalid();
}

static void
submit(struct ex *e, const char *op, jv req, struct pend *p)
{
	p->e = e;
	p->op = ip_xstrdup(op);
	p->req = req;
	if (e->running < e->max) {
		start(p);
		return;
	}
	*e->qtail = p;
	e->qtail = &p->next;
}

static const char *
str(jv o, const char *k)
{
	return jv_get_kind(o) == JV_KIND_OBJECT ? ip_get_str(o, k) : NULL;
}

/* A record object as the provider wrote it -> ours, or jv_invalid(). */
static jv
norm(jv o)
{
	const char *id = str(o, "id"), *sub = str(o, "subdomain"), *rt = str(o, "rtype"),
	    *tg = str(o, "target");
	jv ttl = jv_get_kind(o) == JV_KIND_OBJECT ? jv_object_get(jv_copy(o), jv_string("ttl")) :
	    jv_invalid();
	jv r = jv_invalid();

	if (ip_get_type(o, "record") && id && *id && sub && rt && tg &&
	    jv_get_kind(ttl) == JV_KIND_NUMBER) {
		r = jv_object();
		r = jv_object_set(r, jv_string("id"), jv_string(id));
		r = jv_object_set(r, jv_string("subdomain"), jv_string(sub));
		r = jv_object_set(r, jv_string("rtype"), jv_string(rt));
		r = jv_object_set(r, jv_string("target"), jv_string(tg));
		r = jv_object_set(r, jv_string("ttl"), jv_copy(ttl));
	}
	jv_free(ttl);
	jv_free(o);
	return r;
}

static void
call_done(void *ud, jv out, const char *err, int status)
{
	struct pend *p = ud, *q;
	struct ex *e = p->e;
	char *bad = NULL;
	jv recs = jv_array();

	(void)status;
	e->running--;
	if (err == NULL && (p->lcb || p->rcb))
		jv_array_foreach(out, i, o) {
			jv r = norm(o);
			if (!jv_is_valid(r)) {
				jv_free(r);
				if (bad == NULL)
					bad = ip_xasprintf("%s: object %d of its output is not a record "
					    "(type, id, subdomain, rtype, target, ttl)", p->op, i + 1);
				continue;
			}
			/* list: the asked type only; create: the record asked for */
			if ((p->lcb && strcmp(ip_get_str(r, "rtype"), p->rtype)) ||
			    (p->rcb && (strcmp(ip_get_str(r, "subdomain"), p->sub) ||
			    strcmp(ip_get_str(r, "rtype"), p->rtype) ||
			    strcmp(ip_get_str(r, "target"), p->target))))
				jv_free(r);
			else
				recs = jv_array_append(recs, r);
		}
	jv_free(out);
	if (err == NULL && bad)
		err = bad;
	if (p->lcb)
		p->lcb(p->ud, err ? jv_array() : jv_copy(recs), err);
	else if (p->rcb) {
		if (err == NULL && jv_array_length(jv_copy(recs)) != 1)
			err = bad = ip_xasprintf("create: the provider answered %d matching "
			    "record objects, not one", jv_array_length(jv_copy(recs)));
		p->rcb(p->ud, err ? jv_invalid() : jv_array_get(jv_copy(recs), 0), err);
	} else
		p->dcb(p->ud, err);
	jv_free(recs);
	free(bad);
	while (e->qhead && e->running < e->max) {
		q = e->qhead;
		if ((e->qhead = q->next) == NULL)
			e->qtail = &e->qhead;
		start(q);
	}
	jv_free(p->req);
	free(p->op);
	free(p->rtype);
	free(p->sub);
	free(p->target);
	free(p);
}

static void *
ex_open(const struct ip_config *cfg, struct ip_http *h)
{
	struct ex *e = ip_xcalloc(1, sizeof(*e));

	e->x = ip_ext_open(cfg, "dns", "ip-dns", h);
	e->max = ip_http_parallel(h);
	e->qtail = &e->qhead;
	return e;
}

static void
ex_close(void *arg)
{
	struct ex *e = arg;

	if (e) {
		ip_ext_close(e->x);
		free(e);
	}
}

static char *
ex_check(void *arg)
{
	struct ex *e = arg;
	char *err = NULL;

	if (ip_ext_call_sync(e->x, "check", jv_object(), NULL, &err, NULL) == 0)
		return NULL;
	return err;
}

static void
ex_list(void *arg, const char *rtype, const char *sub, dns_list_cb cb, void *ud)
{
	struct pend *p = ip_xcalloc(1, sizeof(*p));
	jv req = jv_object();

	req = jv_object_set(req, jv_string("rtype"), jv_string(rtype));
	req = jv_object_set(req, jv_string("subdomain"), sub ? jv_string(sub) : jv_null());
	p->rtype = ip_xstrdup(rtype);
	p->lcb = cb;
	p->ud = ud;
	submit(arg, "ls", req, p);
}

static void
ex_create(void *arg, const char *sub, const char *rtype, const char *target, long ttl,
    dns_rec_cb cb, void *ud)
{
	struct pend *p = ip_xcalloc(1, sizeof(*p));
	jv rec = jv_object();

	rec = jv_object_set(rec, jv_string("type"), jv_string("record"));
	rec = jv_object_set(rec, jv_string("subdomain"), jv_string(sub));
	rec = jv_object_set(rec, jv_string("rtype"), jv_string(rtype));
	rec = jv_object_set(rec, jv_string("target"), jv_string(target));
	rec = jv_object_set(rec, jv_string("ttl"), jv_number((double)ttl));
	p->sub = ip_xstrdup(sub);
	p->rtype = ip_xstrdup(rtype);
	p->target = ip_xstrdup(target);
	p->rcb = cb;
	p->ud = ud;
	submit(arg, "create", jv_object_set(jv_object(), jv_string("record"), rec), p);
}

static void
ex_remove(void *arg, const char *id, dns_done_cb cb, void *ud)
{
	struct pend *p = ip_xcalloc(1, sizeof(*p));
	jv rec = jv_object_set(jv_object(), jv_string("type"), jv_string("record"));

	rec = jv_object_set(rec, jv_string("id"), jv_string(id));
	p->dcb = cb;
	p->ud = ud;
	submit(arg, "delete", jv_object_set(jv_object(), jv_string("record"), rec), p);
}

static void
ex_commit(void *arg, dns_done_cb cb, void *ud)
{
	struct pend *p = ip_xcalloc(1, sizeof(*p));

	p->dcb = cb;
	p->ud = ud;
	submit(arg, "commit", jv_object(), p);
}

const struct dns_provider ip_dns_provider_exec = {
	.name = "exec",
	.open = ex_open,
	.check = ex_check,
	.list = ex_list,
	.create = ex_create,
	.remove = ex_remove,
	.commit = ex_commit,
	.close = ex_close,
};
