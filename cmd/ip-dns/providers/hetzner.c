/* hetzner: DNS zones and RRsets of the Hetzner Cloud API (/zones), with the
 * same token as the Hetzner instances provider when given once.  Record ids
 * are the RRset's "name/TYPE"; only A and AAAA RRsets of namespace members
 * are ever created or deleted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../provider.h"
#include "hcloud.h"
#include "log.h"
#include "names.h"
#include "stream.h"
#include "util.h"

#define ACTION_TIMEOUT_MS 120000

struct hzd {
	struct ip_http *h;
	struct hc *hc;
	const struct ip_config *cfg;
	const char *zone, *ns;
	char *zone_id;
};

struct call {
	struct hzd *d;
	char *sub, *rtype, *target;
	long ttl;
	int posts;
	dns_list_cb lcb;
	dns_rec_cb rcb;
	dns_done_cb dcb;
	void *ud;
	jv rec;
};

static struct call *
call_new(struct hzd *d, void *ud)
{
	struct call *c = ip_xcalloc(1, sizeof(*c));

	c->d = d;
	c->ud = ud;
	c->rec = jv_invalid();
	return c;
}

static void
call_free(struct call *c)
{
	free(c->sub);
	free(c->rtype);
	free(c->target);
	jv_free(c->rec);
	free(c);
}

/* One RRset as our records (one per value), appended to out. */
static jv
add_records(jv out, jv rs)
{
	const char *name = ip_get_str(rs, "name"), *type = ip_get_str(rs, "type");
	jv recs = ip_get(rs, "records"), ttl = ip_get(rs, "ttl");

	if (name && type && jv_get_kind(recs) == JV_KIND_ARRAY) {
		char *id = ip_xasprintf("%s/%s", name, type);
		jv_array_foreach(recs, i, r) {
			const char *v = ip_get_str(r, "value");
			if (v) {
				jv o = jv_object();
				o = jv_object_set(o, jv_string("id"), jv_string(id));
				/* the apex is "@": no member of a namespace */
				o = jv_object_set(o, jv_string("subdomain"),
				    jv_string(strcmp(name, "@") ? name : ""));
				o = jv_object_set(o, jv_string("rtype"), jv_string(type));
				o = jv_object_set(o, jv_string("target"), jv_string(v));
				o = jv_object_set(o, jv_string("ttl"), jv_get_kind(ttl) == JV_KIND_NUMBER ?
				    jv_copy(ttl) : jv_number(0));
				out = jv_array_append(out, o);
			}
			jv_free(r);
			(void)i;
		}
		free(id);
	}
	jv_free(recs);
	jv_free(ttl);
	jv_free(rs);
	return out;
}

/* ---------------------------------------------------------------- open */

static void *
hzd_open(const struct ip_config *cfg, struct ip_http *h)
{
	struct hzd *d = ip_xcalloc(1, sizeof(*d));
	const char *token, *ep, *why, *epkey = "dns.args.endpoint";
	int shared = strcmp(cfg->instances_provider, "hetzner") == 0;
	const char *poll = getenv("IP_POLL_MS");

	d->h = h;
	d->cfg = cfg;
	d->zone = cfg->zone;
	d->ns = cfg->namespace;
	/* one Cloud project, one token: given once under instances.args, it
	 * serves both sections unless dns.args has its own */
	token = ip_config_str_or(cfg, "dns.args.token", NULL);
	if (token == NULL && shared)
		token = ip_config_str(cfg, "instances.args.token");
	else if (token == NULL)
		token = ip_config_str(cfg, "dns.args.token");	/* dies: missing */
	ep = ip_config_str_or(cfg, "dns.args.endpoint", NULL);
	if (ep == NULL && shared && ip_config_str_or(cfg, "dns.args.token", NULL) == NULL) {
		epkey = "instances.args.endpoint";
		ep = ip_config_str_or(cfg, epkey, HC_ENDPOINT);
	} else if (ep == NULL)
		ep = HC_ENDPOINT;
	if (!ip_url_ok(ep, &why))
		ip_config_die(cfg, epkey, "%s", why);
	ip_secret(token);
	d->hc = hc_new(h, ep, token, poll && atol(poll) > 0 ? atol(poll) : 1000);
	return d;
}

static void
hzd_close(void *p)
{
	struct hzd *d = p;

	hc_free(d->hc);
	free(d->zone_id);
	free(d);
}

/* The zone by its name: proves the token and finds the zone's id. */
static char *
hzd_check(void *p)
{
	struct hzd *d = p;
	char *q = ip_url_escape(d->zone), *path = ip_xasprintf("/zones?name=%s", q), *err = NULL;
	struct ip_req *r;
	jv body = hc_call_sync(d->hc, "GET", path, jv_invalid(), &r), zones;

	free(path);
	free(q);
	zones = ip_get(body, "zones");
	if (r->status != 200) {
		char *e = hc_error(r, body);
		err = ip_xasprintf("%s%s", e, r->status == 401 ? "; check the token (dns.args.token, "
		    "or instances.args.token when both are Hetzner)" : "");
		free(e);
	} else if (jv_get_kind(zones) == JV_KIND_ARRAY) {
		jv_array_foreach(zones, i, z) {
			const char *name = ip_get_str(z, "name"), *mode = ip_get_str(z, "mode");
			if (d->zone_id == NULL && name && strcmp(name, d->zone) == 0) {
				if (mode && strcmp(mode, "primary") != 0)
					err = ip_xasprintf("zone %s is a %s zone: its records are not "
					    "edited through the API", d->zone, mode);
				d->zone_id = hc_id(ip_get(z, "id"));
			}
			jv_free(z);
			(void)i;
		}
	}
	if (err == NULL && d->zone_id == NULL)
		err = ip_xasprintf("zone %s: not in this Hetzner Cloud project (GET /zones); "
		    "check dns.zone and the token's project", d->zone);
	jv_free(zones);
	jv_free(body);
	ip_req_free(r);
	return err;
}

/* ---------------------------------------------------------------- list */

static void
listed(void *ud, jv items, const char *err)
{
	struct call *c = ud;
	jv out = jv_array();

	if (err == NULL)
		jv_array_foreach(items, i, rs) {
			out = add_records(out, rs);
			(void)i;
		}
	jv_free(items);
	c->lcb(c->ud, out, err);
	call_free(c);
}

static void
hzd_list(void *p, const char *rtype, const char *sub, dns_list_cb cb, void *ud)
{
	struct hzd *d = p;
	struct call *c = call_new(d, ud);
	char *es = sub ? ip_url_escape(sub) : NULL;
	char *path = ip_xasprintf("/zones/%s/rrsets?type=%s%s%s&sort=name", d->zone_id, rtype,
	    es ? "&name=" : "", es ? es : "");

	c->lcb = cb;
	hc_list(d->hc, path, "rrsets", listed, c);
	free(path);
	free(es);
}

/* -------------------------------------------------------------- create */

static void post_rrset(struct call *c);

static void
create_action(void *ud, const char *err)
{
	struct call *c = ud;

	if (err) {
		char *e = ip_xasprintf("RRset %s/%s: %s", c->sub, c->rtype, err);
		c->rcb(c->ud, jv_invalid(), e);
		free(e);
	} else {
		c->rcb(c->ud, c->rec, NULL);
		c->rec = jv_invalid();
	}
	call_free(c);
}

/* After a conflict or a lost answer: is the RRset there, and exactly ours? */
static void
looked_up(void *ud, struct ip_req *r, jv body)
{
	struct call *c = ud;
	jv rs = ip_get(body, "rrset"), recs = add_records(jv_array(), jv_copy(rs));
	int n = jv_array_length(jv_copy(recs));
	jv one = n == 1 ? jv_array_get(jv_copy(recs), 0) : jv_null();
	char *e = NULL;

	if (r->status == 404 && c->posts < 2) {
		ip_info("%s: no RRset was made, asking again", c->sub);
		jv_free(one);
		jv_free(recs);
		jv_free(rs);
		jv_free(body);
		post_rrset(c);
		return;
	}
	if (r->status != 200)
		e = hc_error(r, body);
	else if (n != 1 || strcmp(ip_get_str(one, "target"), c->target) != 0)
		e = ip_xasprintf("%s already has an %s RRset of %d record(s), not just %s",
		    c->sub, c->rtype, n, c->target);
	if (e) {
		c->rcb(c->ud, jv_invalid(), e);
		free(e);
	} else {
		ip_info("%s: the %s RRset was made despite the error", c->sub, c->rtype);
		c->rcb(c->ud, one, NULL);
		one = jv_invalid();
	}
	jv_free(one);
	jv_free(recs);
	jv_free(rs);
	jv_free(body);
	call_free(c);
}

static void
created(void *ud, struct ip_req *r, jv body)
{
	struct call *c = ud;
	const char *code = hc_error_code(body);
	jv recs;

	if (r->status >= 500 || r->status == 0 ||
	    (r->status == 409 && code && strcmp(code, "uniqueness_error") == 0)) {
		/* made by an earlier attempt whose answer was lost, or by someone */
		char *path = ip_xasprintf("/zones/%s/rrsets/%s/%s", c->d->zone_id, c->sub, c->rtype);
		jv_free(body);
		hc_call(c->d->hc, "GET", path, jv_invalid(), looked_up, c);
		free(path);
		return;
	}
	if (r->status != 201 && r->status != 200) {
		char *e = hc_error(r, body);
		c->rcb(c->ud, jv_invalid(), e);
		free(e);
		jv_free(body);
		call_free(c);
		return;
	}
	recs = add_records(jv_array(), ip_get(body, "rrset"));
	jv_free(c->rec);
	c->rec = jv_array_length(jv_copy(recs)) == 1 ? jv_array_get(jv_copy(recs), 0) : jv_invalid();
	jv_free(recs);
	if (!jv_is_valid(c->rec)) {
		char *e = ip_xasprintf("%s: not the RRset asked for in the answer", r->what);
		c->rcb(c->ud, jv_invalid(), e);
		free(e);
		jv_free(body);
		call_free(c);
		return;
	}
	hc_wait_action(c->d->hc, ip_get(body, "action"), ACTION_TIMEOUT_MS, create_action, c);
	jv_free(body);
}

static void
post_rrset(struct call *c)
{
	char *path = ip_xasprintf("/zones/%s/rrsets", c->d->zone_id);
	jv b = jv_object();

	c->posts++;
	b = jv_object_set(b, jv_string("name"), jv_string(c->sub));
	b = jv_object_set(b, jv_string("type"), jv_string(c->rtype));
	b = jv_object_set(b, jv_string("ttl"), jv_number(c->ttl < 60 ? 60 : (double)c->ttl));
	b = jv_object_set(b, jv_string("records"),
	    JV_ARRAY(JV_OBJECT(jv_string("value"), jv_string(c->target))));
	hc_call(c->d->hc, "POST", path, b, created, c);
	free(path);
}

static void
hzd_create(void *p, const char *sub, const char *rtype, const char *target, long ttl,
    dns_rec_cb cb, void *ud)
{
	struct call *c = call_new(p, ud);

	c->rcb = cb;
	c->sub = ip_xstrdup(sub);
	c->rtype = ip_xstrdup(rtype);
	c->target = ip_xstrdup(target);
	c->ttl = ttl;
	post_rrset(c);
}

/* -------------------------------------------------------------- remove */

static void
remove_action(void *ud, const char *err)
{
	struct call *c = ud;

	c->dcb(c->ud, err);
	call_free(c);
}

static void
removed(void *ud, struct ip_req *r, jv body)
{
	struct call *c = ud;

	if (r->status == 404) {
		c->dcb(c->ud, NULL);	/* gone already */
		call_free(c);
	} else if (r->status != 200 && r->status != 201 && r->status != 204) {
		char *e = hc_error(r, body);
		c->dcb(c->ud, e);
		free(e);
		call_free(c);
	} else
		hc_wait_action(c->d->hc, ip_get(body, "action"), ACTION_TIMEOUT_MS, remove_action, c);
	jv_free(body);
}

static void
hzd_remove(void *p, const char *id, dns_done_cb cb, void *ud)
{
	struct hzd *d = p;
	struct call *c = call_new(d, ud);
	const char *slash = strrchr(id, '/');
	char *name = slash ? ip_xasprintf("%.*s", (int)(slash - id), id) : NULL;
	char *member = name ? ip_name_of_subdomain(d->ns, name) : NULL;
	char *path;

	c->dcb = cb;
	/* the id names the RRset: only a member's A or AAAA set is ours */
	if (member == NULL || (strcmp(slash + 1, "A") && strcmp(slash + 1, "AAAA"))) {
		char *e = ip_xasprintf("record id %s is not an A or AAAA RRset of namespace %s: "
		    "not deleted", id, d->ns);
		cb(ud, e);
		free(e);
		free(member);
		free(name);
		call_free(c);
		return;
	}
	path = ip_xasprintf("/zones/%s/rrsets/%s", d->zone_id, id);
	hc_call(d->hc, "DELETE", path, jv_invalid(), removed, c);
	free(path);
	free(member);
	free(name);
}

/* ------------------------------------------------------------- commit */

struct later {
	dns_done_cb cb;
	void *ud;
};

static void
commit_now(void *arg)
{
	struct later *l = arg;

	l->cb(l->ud, NULL);
	free(l);
}

/* Changes are live once their action has succeeded: nothing to commit. */
static void
hzd_commit(void *p, dns_done_cb cb, void *ud)
{
	struct hzd *d = p;
	struct later *l = ip_xcalloc(1, sizeof(*l));

	l->cb = cb;
	l->ud = ud;
	ip_http_timer(d->h, 0, commit_now, l);
}

const struct dns_provider ip_dns_provider_hetzner = {
	.name = "hetzner",
	.budget = "3600/h",	/* per project, shared with the servers */
	.open = hzd_open,
	.check = hzd_check,
	.list = hzd_list,
	.create = hzd_create,
	.remove = hzd_remove,
	.commit = hzd_commit,
	.close = hzd_close,
	.sign = NULL,
};

/* For tests/fuzz only: an RRsets answer as our records. */
jv
ip_hetzner_dns_parse(const char *text, size_t len)
{
	jv body = ip_json_parse_ids(text, len), rrsets = ip_get(body, "rrsets"), out = jv_array();

	if (jv_get_kind(rrsets) == JV_KIND_ARRAY)
		jv_array_foreach(rrsets, i, rs) {
			out = add_records(out, rs);
			(void)i;
		}
	jv_free(rrsets);
	jv_free(body);
	return out;
}
