/* hetzner: Hetzner Cloud servers (api.hetzner.cloud/v1), the namespace in a
 * label.  The API work (requests, answers, servers) is in the first half;
 * the glue that reports to ip-instances is hz_* at the end. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../provider.h"
#include "hcloud.h"
#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"
#include "util.h"

#define LABEL "install-party"	/* label key: the namespace a server is for */
/* label key: its end time, ISO 8601's basic format (20261202T180000Z): label
 * values take only letters, digits and -_. inside */
#define LABEL_EXPIRES "install-party-expires"
#define USER_DATA_LIMIT 32768	/* "limited to 32KiB" (hcloud-python, servers/client.py) */

struct hz {
	struct ip_run *run;
	struct hc *hc;
	const char *server_type, *image, *location;
	jv ssh_keys, networks, firewalls;	/* arrays, or null */
};

/* One create or delete in flight; done() reports it (the glue). */
struct op {
	struct hz *hz;
	struct ip_job *j;
	const char *name;	/* for messages */
	char *id;
	jv body;		/* create: the POST body, for a second attempt */
	int posts, looks, actions;
	char *err;
	long long deadline;
	long delay;
};

static void done(struct op *o, jv out, const char *stage, char *err);

/* ------------------------------------------------------ servers -> ours */

static jv
set_str(jv o, const char *k, const char *v)
{
	return jv_object_set(o, jv_string(k), v ? jv_string(v) : jv_null());
}

/* The namespace label of a server, or NULL (borrowed from s). */
static const char *
server_label(jv s)
{
	jv l = ip_get(s, "labels"), v = ip_get(l, LABEL);
	const char *ns = ip_str(v);	/* "party\u0000x" is not "party" */

	jv_free(v);
	jv_free(l);
	return ns;
}

/* The end time of the label, as ISO 8601 UTC ("2026-12-02T18:00:00Z"), or null. */
static jv
server_expires(jv s)
{
	jv l = ip_get(s, "labels"), v = ip_get(l, LABEL_EXPIRES), out = jv_null();
	const char *b = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;
	char ext[32], buf[21];
	long long t;

	if (b && strlen(b) == 16 && b[8] == 'T' && b[15] == 'Z') {
		snprintf(ext, sizeof(ext), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", b, b + 4, b + 6,
		    b + 9, b + 11, b + 13);
		if ((t = ip_parse_time(ext)) >= 0) {
			ip_time_iso(t, buf);
			out = jv_string(buf);
		}
	}
	if (b && jv_get_kind(out) == JV_KIND_NULL)
		ip_debug("%s: label %s is not a time: ignored", ip_get_str(s, "name"), LABEL_EXPIRES);
	jv_free(v);
	jv_free(l);
	return out;
}

/* public_net.ipvN.ip; IPv6 is a /64 network: its ::1 is the address. */
static jv
server_addr(jv s, int version)
{
	jv pn = ip_get(s, "public_net"), ip = ip_get(pn, version == 4 ? "ipv4" : "ipv6");
	const char *a = ip_get_str(ip, "ip");
	jv out = jv_null();
	char buf[INET6_ADDRSTRLEN + 8], txt[INET6_ADDRSTRLEN];
	unsigned char b[16];

	if (a && version == 4 && inet_pton(AF_INET, a, b) == 1)
		out = jv_string(a);
	else if (a && version == 6 && strlen(a) < sizeof(buf)) {
		char *slash;
		long plen = 128;
		strcpy(buf, a);
		if ((slash = strchr(buf, '/')) != NULL) {
			*slash = '\0';
			plen = strtol(slash + 1, NULL, 10);
		}
		if (inet_pton(AF_INET6, buf, b) == 1 && plen >= 1 && plen <= 128) {
			if (plen < 128) {
				for (int bit = (int)plen; bit < 128; bit++)
					b[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
				b[15] |= 1;
			}
			if (inet_ntop(AF_INET6, b, txt, sizeof(txt)))
				out = jv_string(txt);
		}
	}
	jv_free(ip);
	jv_free(pn);
	return out;
}

/* base (consumed) + an instance object's fields from a Hetzner server. */
static jv
instance_obj(jv base, jv s)
{
	char *id = hc_id(ip_get(s, "id"));

	base = set_str(base, "type", "instance");
	base = set_str(base, "instance", ip_get_str(s, "name"));
	base = set_str(base, "id", id);
	base = set_str(base, "status", ip_get_str(s, "status"));
	base = jv_object_set(base, jv_string("ipv4"), server_addr(s, 4));
	base = jv_object_set(base, jv_string("ipv6"), server_addr(s, 6));
	base = set_str(base, "provider", "hetzner");
	base = set_str(base, "created", ip_get_str(s, "created"));
	base = jv_object_set(base, jv_string("expires"), server_expires(s));
	free(id);
	return base;
}

/* "install-party==NS", escaped for a query. */
static char *
selector(const struct hz *hz, int any)
{
	char *sel = any ? ip_xstrdup(LABEL) : ip_xasprintf("%s==%s", LABEL, hz->run->ns);
	char *e = ip_url_escape(sel);

	free(sel);
	return e;
}

/* ------------------------------------------------------------------ ls */

struct ls {
	struct hz *hz;
	void (*each)(jv, void *);
	void *ud;
	int done, failed;
};

static void
ls_got(void *ud, jv servers, const char *err)
{
	struct ls *l = ud;
	struct hz *hz = l->hz;

	l->done = 1;
	if (err) {
		ip_warn("%s", err);
		l->failed = 1;
		jv_free(servers);
		return;
	}
	jv_array_foreach(servers, i, s) {
		const char *name = ip_get_str(s, "name"), *label = server_label(s);
		const char *srv = name ? ip_name_of_instance(hz->run->ns, name) : NULL;
		char *id = hc_id(ip_get(s, "id"));
		/* the selector narrows; membership is decided here, exactly */
		if (srv && id && label && (strcmp(label, hz->run->ns) == 0 || hz->run->ls_all))
			l->each(instance_obj(ip_name_obj(hz->run->ns, hz->run->cfg->zone, srv), s),
			    l->ud);
		else if (name)
			ip_debug("%s: not a server of namespace %s, skipped", name, hz->run->ns);
		free(id);
		jv_free(s);
		(void)i;
	}
	jv_free(servers);
}

static int
hz_ls(void *p, void (*each)(jv, void *), void *ud)
{
	struct hz *hz = p;
	struct ls l = { .hz = hz, .each = each, .ud = ud };
	char *sel = selector(hz, hz->run->ls_all), *path;

	/* create asks with ls_all: names are unique in the project, and a
	 * server of another namespace with our name is in the way too */
	path = ip_xasprintf("/servers?label_selector=%s&sort=id", sel);
	hc_list(hz->hc, path, "servers", ls_got, &l);
	free(path);
	free(sel);
	while (!l.done)
		ip_http_step(hz->run->http, -1, NULL, 1000);
	return l.failed ? -1 : 0;
}

/* -------------------------------------------------------------- create */

static void poll_server(void *arg);

static void
polled(void *ud, struct ip_req *r, jv body)
{
	struct op *o = ud;
	jv s = ip_get(body, "server");
	const char *st = r->status == 200 ? ip_get_str(s, "status") : NULL;
	char status[32];

	snprintf(status, sizeof(status), "%s", st ? st : "unknown");
	if (r->status == 404) {
		jv_free(s);
		jv_free(body);
		done(o, jv_invalid(), "instances-create",
		    ip_xasprintf("server %s disappeared while starting", o->id));
		return;
	}
	if (st && strcmp(st, "running") == 0) {
		jv inst = instance_obj(jv_copy(o->j->item), s);
		if (ip_get_str(inst, "ipv4")) {
			ip_info("%s: running at %s", o->name, ip_get_str(inst, "ipv4"));
			jv_free(s);
			jv_free(body);
			done(o, inst, NULL, NULL);
			return;
		}
		jv_free(inst);
	} else if (st == NULL && r->status != 200) {
		char *e = hc_error(r, body);
		ip_debug("%s: %s", o->name, e);
		free(e);
	}
	jv_free(s);
	jv_free(body);
	if (ip_now_ms() >= o->deadline) {
		done(o, jv_invalid(), "instances-create", ip_xasprintf(
		    "server %s not running with a public IPv4 address after %lds (status %s); "
		    "it is left for ip-instances delete", o->id, o->hz->run->timeout_ms / 1000,
		    status));
		return;
	}
	ip_http_timer(o->hz->run->http, o->delay, poll_server, o);
	o->delay = o->delay * 3 / 2 > o->hz->run->poll_ms * 8 ? o->hz->run->poll_ms * 8 :
	    o->delay * 3 / 2;
}

static void
poll_server(void *arg)
{
	struct op *o = arg;
	char *path = ip_xasprintf("/servers/%s", o->id);

	hc_call(o->hz->hc, "GET", path, jv_invalid(), polled, o);
	free(path);
}

/* Every action of the create (create_server, start_server, ...) has ended. */
static void
action_ended(void *ud, const char *err)
{
	struct op *o = ud;

	if (err && o->err == NULL)
		o->err = ip_xasprintf("server %s: %s", o->id, err);
	if (--o->actions > 0)
		return;
	if (o->err) {
		char *e = o->err;
		o->err = NULL;
		done(o, jv_invalid(), "instances-create", e);
		return;
	}
	poll_server(o);
}

/* The server exists (id known): wait for its actions, then its status. */
static void
starting(struct op *o, jv actions)
{
	o->deadline = ip_now_ms() + o->hz->run->timeout_ms;
	o->delay = o->hz->run->poll_ms;
	ip_info("%s: server %s is starting", o->name, o->id);
	o->actions = 1;		/* held until every wait is started */
	jv_array_foreach(actions, i, a) {
		if (jv_get_kind(a) == JV_KIND_OBJECT) {
			o->actions++;
			hc_wait_action(o->hz->hc, a, o->hz->run->timeout_ms, action_ended, o);
		} else
			jv_free(a);
		(void)i;
	}
	jv_free(actions);
	action_ended(o, NULL);
}

static void post_server(struct op *o);

/* After a POST whose fate is unknown: did the API make the server? */
static void
looked_up(void *ud, struct ip_req *r, jv body)
{
	struct op *o = ud;
	jv servers = ip_get(body, "servers");
	int theirs = 0;

	if (r->status == 200 && jv_get_kind(servers) == JV_KIND_ARRAY) {
		jv_array_foreach(servers, i, s) {
			const char *name = ip_get_str(s, "name"), *label = server_label(s);
			if (o->id == NULL && name && strcmp(name, o->j->instance) == 0) {
				if (label && strcmp(label, o->hz->run->ns) == 0)
					o->id = hc_id(ip_get(s, "id"));
				else
					theirs = 1;
			}
			jv_free(s);
			(void)i;
		}
	}
	jv_free(servers);
	jv_free(body);
	if (o->id) {
		ip_info("%s: the server was made despite the error", o->name);
		free(o->err);
		o->err = NULL;
		starting(o, jv_array());
	} else if (theirs)
		done(o, jv_invalid(), "instances-create", ip_xasprintf("%s (and a server named "
		    "%s exists without this namespace's label)", o->err, o->j->instance));
	else if (r->status == 200 && o->posts < 2) {
		ip_info("%s: no server was made, asking again", o->name);
		post_server(o);
	} else
		done(o, jv_invalid(), "instances-create", ip_xstrdup(o->err));
}

static void
look_up(struct op *o)
{
	char *q = ip_url_escape(o->j->instance), *path = ip_xasprintf("/servers?name=%s", q);

	/* `name` is an exact match in the API */
	hc_call(o->hz->hc, "GET", path, jv_invalid(), looked_up, o);
	free(path);
	free(q);
}

static void
created(void *ud, struct ip_req *r, jv body)
{
	struct op *o = ud;
	jv s = ip_get(body, "server"), acts;
	const char *code = hc_error_code(body);

	if ((r->status >= 500 || r->status == 0 ||
	    (r->status == 409 && code && strcmp(code, "uniqueness_error") == 0 && o->posts > 1)) &&
	    o->looks++ < 2) {
		/* not sent again blindly: the API may have made the server */
		free(o->err);
		o->err = hc_error(r, body);
		ip_info("%s: %s; looking whether the server exists", o->name, o->err);
		jv_free(s);
		jv_free(body);
		look_up(o);
		return;
	}
	o->id = r->status == 201 || r->status == 200 ? hc_id(ip_get(s, "id")) : NULL;
	if (o->id == NULL) {
		char *e = r->status == 201 || r->status == 200 ?
		    ip_xasprintf("%s: no server id in the answer", r->what) : hc_error(r, body);
		if (r->status == 409 && code && strcmp(code, "uniqueness_error") == 0) {
			char *t = ip_xasprintf("%s (server names are unique in the project: "
			    "another server is named %s)", e, o->j->instance);
			free(e);
			e = t;
		}
		jv_free(s);
		jv_free(body);
		done(o, jv_invalid(), "instances-create", e);
		return;
	}
	acts = ip_get(body, "next_actions");
	if (jv_get_kind(acts) != JV_KIND_ARRAY) {
		jv_free(acts);
		acts = jv_array();
	}
	acts = jv_array_append(acts, ip_get(body, "action"));
	jv_free(s);
	jv_free(body);
	free(o->err);	/* an earlier attempt's */
	o->err = NULL;
	starting(o, acts);
}

static void
post_server(struct op *o)
{
	o->posts++;
	hc_call(o->hz->hc, "POST", "/servers", jv_copy(o->body), created, o);
}

/* A list of ids (numbers), or names where the API takes names too. */
static jv
id_or_name(jv v)
{
	const char *s = jv_string_value(v);

	if (*s && strlen(s) < 16 && strspn(s, "0123456789") == strlen(s)) {
		jv n = jv_number(strtod(s, NULL));
		jv_free(v);
		return n;
	}
	return v;
}

static void
create_server(struct hz *hz, struct op *o, char *ud, size_t len)
{
	jv s = jv_object();

	s = set_str(s, "name", o->j->instance);
	s = set_str(s, "server_type", hz->server_type);
	s = set_str(s, "image", hz->image);
	s = set_str(s, "location", hz->location);
	s = jv_object_set(s, jv_string("start_after_create"), jv_true());
	jv labels = set_str(jv_object(), LABEL, hz->run->ns);
	if (hz->run->expires > 0) {
		char iso[21], basic[17];
		ip_time_iso(hz->run->expires, iso);
		/* 2026-12-02T18:00:00Z -> 20261202T180000Z */
		snprintf(basic, sizeof(basic), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", iso, iso + 5, iso + 8,
		    iso + 11, iso + 14, iso + 17);
		labels = set_str(labels, LABEL_EXPIRES, basic);
	}
	s = jv_object_set(s, jv_string("labels"), labels);
	if (ud) {
		s = jv_object_set(s, jv_string("user_data"), jv_string_sized(ud, (int)len));
		free(ud);
	}
	if (jv_get_kind(hz->ssh_keys) == JV_KIND_ARRAY) {
		jv k = jv_array();
		jv_array_foreach(hz->ssh_keys, i, x)
			k = jv_array_append(k, id_or_name(x));
		s = jv_object_set(s, jv_string("ssh_keys"), k);
	}
	if (jv_get_kind(hz->networks) == JV_KIND_ARRAY) {
		jv n = jv_array();
		jv_array_foreach(hz->networks, i, x)
			n = jv_array_append(n, id_or_name(x));
		s = jv_object_set(s, jv_string("networks"), n);
	}
	if (jv_get_kind(hz->firewalls) == JV_KIND_ARRAY) {
		jv f = jv_array();
		jv_array_foreach(hz->firewalls, i, x)
			f = jv_array_append(f, JV_OBJECT(jv_string("firewall"), id_or_name(x)));
		s = jv_object_set(s, jv_string("firewalls"), f);
	}
	o->body = s;
	post_server(o);
}

/* -------------------------------------------------------------- delete */

static void
delete_action(void *ud, const char *err)
{
	struct op *o = ud;

	if (err)
		done(o, jv_invalid(), "instances-delete", ip_xasprintf("server %s: %s", o->j->id, err));
	else
		done(o, jv_null(), NULL, ip_xstrdup("instance deleted"));
}

static void
deleted(void *ud, struct ip_req *r, jv body)
{
	struct op *o = ud;

	if (r->status == 404) {
		jv_free(body);
		done(o, jv_null(), NULL, ip_xstrdup("instance already gone"));
		return;
	}
	if (r->status != 200 && r->status != 204) {
		char *e = hc_error(r, body);
		jv_free(body);
		done(o, jv_invalid(), "instances-delete", e);
		return;
	}
	if (o->hz->run->wait) {
		hc_wait_action(o->hz->hc, ip_get(body, "action"), o->hz->run->timeout_ms,
		    delete_action, o);
		jv_free(body);
		return;
	}
	jv_free(body);
	done(o, jv_null(), NULL, ip_xstrdup("instance deleted"));
}

/* The id must still be this instance of ours before it is deleted. */
static void
delete_check(void *ud, struct ip_req *r, jv body)
{
	struct op *o = ud;
	jv s = ip_get(body, "server");
	const char *name = ip_get_str(s, "name"), *label = server_label(s);
	char *path, *e = NULL;

	if (r->status == 404)
		e = ip_xstrdup("instance already gone");
	else if (r->status != 200)
		e = hc_error(r, body);
	else if (name == NULL || strcmp(name, o->j->instance) != 0)
		e = ip_xasprintf("server %s is named %s, not %s: not deleted", o->j->id,
		    name ? name : "(none)", o->j->instance);
	else if (label == NULL || strcmp(label, o->hz->run->ns) != 0)
		e = ip_xasprintf("server %s %s: not deleted", o->j->id, label ?
		    "is labelled for another namespace" : "has no install-party label");
	jv_free(s);
	jv_free(body);
	if (e) {
		if (r->status == 404)
			done(o, jv_null(), NULL, e);
		else
			done(o, jv_invalid(), "instances-delete", e);
		return;
	}
	path = ip_xasprintf("/servers/%s", o->j->id);
	hc_call(o->hz->hc, "DELETE", path, jv_invalid(), deleted, o);
	free(path);
}

/* ----------------------------------------------- glue: ip-instances API */

static void
op_free(struct op *o)
{
	jv_free(o->body);
	free(o->id);
	free(o->err);
	free(o);
}

/* out: an instance (created), null (deleted: msg says how), or invalid
 * with an error message for stage. */
static void
done(struct op *o, jv out, const char *stage, char *msg)
{
	struct ip_job *j = o->j;

	if (jv_is_valid(out)) {
		if (msg)
			ip_info("%s: %s", o->name, msg);
		j->done(j, out, 0);
	} else {
		jv_free(out);
		ip_warn("%s: %s", o->name, msg);
		j->done(j, ip_error_obj(jv_copy(j->item), stage, "%s", msg), 1);
	}
	free(msg);
	op_free(o);
}

static struct op *
op_new(struct hz *hz, struct ip_job *j)
{
	struct op *o = ip_xcalloc(1, sizeof(*o));

	o->hz = hz;
	o->j = j;
	o->body = jv_null();
	o->name = ip_get_str(j->item, "name");
	if (o->name == NULL)
		o->name = j->instance;
	return o;
}

static void
hz_create(void *p, struct ip_job *j, char *ud, size_t len)
{
	struct op *o = op_new(p, j);

	if (ud && len > USER_DATA_LIMIT) {
		free(ud);
		done(o, jv_invalid(), "instances-create", ip_xasprintf("user data is %zu bytes; "
		    "Hetzner Cloud takes at most %d", len, USER_DATA_LIMIT));
		return;
	}
	create_server(p, o, ud, len);
}

static void
hz_delete(void *p, struct ip_job *j)
{
	struct op *o = op_new(p, j);
	char *path;

	if (strspn(j->id, "0123456789") != strlen(j->id)) {
		done(o, jv_invalid(), "instances-delete",
		    ip_xasprintf("%s is not a Hetzner server id: not deleted", j->id));
		return;
	}
	path = ip_xasprintf("/servers/%s", j->id);
	hc_call(o->hz->hc, "GET", path, jv_invalid(), delete_check, o);
	free(path);
}

/* A list of strings or numbers (or "a, b"), as strings; null when unset. */
static jv
list_arg(const struct ip_config *cfg, const char *path)
{
	jv v = ip_config_get(cfg, path), out = jv_array();

	if (!jv_is_valid(v) || jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		jv_free(out);
		return jv_null();
	}
	if (jv_get_kind(v) == JV_KIND_STRING) {
		char *dup = ip_xstrdup(jv_string_value(v)), *save = NULL, *t;
		for (t = strtok_r(dup, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
			out = jv_array_append(out, jv_string(t));
		free(dup);
		jv_free(v);
		return out;
	}
	if (jv_get_kind(v) != JV_KIND_ARRAY)
		ip_config_die(cfg, path, "expected a list of names or ids");
	jv_array_foreach(v, i, x) {
		if (jv_get_kind(x) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(x)) > 0)
			out = jv_array_append(out, x);
		else if (jv_get_kind(x) == JV_KIND_NUMBER && jv_number_value(x) >= 1 &&
		    jv_number_value(x) < 9007199254740992.0) {
			out = jv_array_append(out, jv_string_fmt("%.0f", jv_number_value(x)));
			jv_free(x);
		} else
			ip_config_die(cfg, path, "expected a list of names or ids");
		(void)i;
	}
	jv_free(v);
	return out;
}

static jv
id_list_arg(const struct ip_config *cfg, const char *path)
{
	jv v = list_arg(cfg, path);

	if (jv_get_kind(v) == JV_KIND_ARRAY)
		jv_array_foreach(v, i, x) {
			const char *s = jv_string_value(x);
			int ok = strspn(s, "0123456789") == strlen(s);
			jv_free(x);
			if (!ok)
				ip_config_die(cfg, path, "expected a list of numeric ids (the API "
				    "takes no names here)");
			(void)i;
		}
	return v;
}

static void *
hz_open(struct ip_run *run)
{
	const struct ip_config *cfg = run->cfg;
	struct hz *hz = ip_xcalloc(1, sizeof(*hz));
	const char *ep, *why, *token;
	char *loc, *path, *e;
	struct ip_req *r;
	jv body, locs;

	hz->run = run;
	token = ip_config_str(cfg, "instances.args.token");
	ep = ip_config_str_or(cfg, "instances.args.endpoint", HC_ENDPOINT);
	if (!ip_url_ok(ep, &why))
		ip_config_die(cfg, "instances.args.endpoint", "%s", why);
	hz->server_type = ip_config_str(cfg, "instances.args.server_type");
	hz->image = ip_config_str(cfg, "instances.args.image");
	hz->location = ip_config_str(cfg, "instances.args.location");
	body = ip_config_get(cfg, "instances.args.datacenter");
	if (jv_is_valid(body))
		ip_config_die(cfg, "instances.args.datacenter", "the API no longer takes a "
		    "datacenter: set location (fsn1, nbg1, hel1, ash, hil, sin)");
	jv_free(body);
	hz->ssh_keys = list_arg(cfg, "instances.args.ssh_keys");
	hz->networks = id_list_arg(cfg, "instances.args.networks");
	hz->firewalls = id_list_arg(cfg, "instances.args.firewalls");
	ip_secret(token);
	hz->hc = hc_new(run->http, ep, token, run->poll_ms);

	/* one cheap read proves the token and the location before anything */
	loc = ip_url_escape(hz->location);
	path = ip_xasprintf("/locations?name=%s", loc);
	body = hc_call_sync(hz->hc, "GET", path, jv_invalid(), &r);
	free(path);
	free(loc);
	locs = ip_get(body, "locations");
	if (r->status != 200) {
		e = hc_error(r, body);
		ip_die(IP_EXIT_FATAL, "%s%s", e, r->status == 401 ?
		    "; check instances.args.token (an API token of the Cloud project)" : "");
	}
	if (jv_get_kind(locs) != JV_KIND_ARRAY || jv_array_length(jv_copy(locs)) == 0)
		ip_config_die(cfg, "instances.args.location", "no such location in Hetzner "
		    "Cloud (GET /locations lists them)");
	jv_free(locs);
	jv_free(body);
	ip_req_free(r);
	return hz;
}

static jv
append_error(jv problems, const struct ip_req *r, jv body)
{
	char *e = hc_error(r, body);

	problems = jv_array_append(problems, jv_string(e));
	free(e);
	return problems;
}

/* Pre-flight: the server type and the image exist; quotas are not in the
 * API (the project's limits show only in the Console): "unknown". */
static jv
hz_check(void *p)
{
	struct hz *hz = p;
	struct ip_req *r;
	char *e = ip_url_escape(hz->server_type), *path;
	jv out = JV_OBJECT(jv_string("limits"), jv_null(),
	    jv_string("limits_note"), jv_string("Hetzner Cloud's API publishes no quotas"),
	    jv_string("per_server"), jv_null(), jv_string("image"), jv_null(),
	    jv_string("flavor"), jv_null());
	jv problems = jv_array(), body, list, t;

	path = ip_xasprintf("/server_types?name=%s", e);
	body = hc_call_sync(hz->hc, "GET", path, jv_invalid(), &r);
	list = ip_get(body, "server_types");
	t = jv_get_kind(list) == JV_KIND_ARRAY && jv_array_length(jv_copy(list)) > 0 ?
	    jv_array_get(jv_copy(list), 0) : jv_null();
	if (r->status != 200)
		problems = append_error(problems, r, body);
	else if (jv_get_kind(t) != JV_KIND_OBJECT)
		problems = jv_array_append(problems, jv_string_fmt("server type %s: no such "
		    "server type (instances.args.server_type; GET /server_types)", hz->server_type));
	else {
		jv cores = ip_get(t, "cores"), mem = ip_get(t, "memory");
		out = jv_object_set(out, jv_string("flavor"), JV_OBJECT(jv_string("id"),
		    ip_get(t, "id"), jv_string("name"), jv_string(hz->server_type),
		    jv_string("vcpus"), jv_copy(cores), jv_string("ram"),
		    jv_get_kind(mem) == JV_KIND_NUMBER ? jv_number(jv_number_value(mem) * 1024) :
		    jv_null()));
		if (jv_get_kind(cores) == JV_KIND_NUMBER && jv_get_kind(mem) == JV_KIND_NUMBER)
			out = jv_object_set(out, jv_string("per_server"), JV_OBJECT(
			    jv_string("cores"), jv_copy(cores),
			    jv_string("ram"), jv_number(jv_number_value(mem) * 1024)));
		jv_free(cores);
		jv_free(mem);
	}
	jv_free(t);
	jv_free(list);
	jv_free(body);
	ip_req_free(r);
	free(path);
	free(e);

	/* an image by id or by name (system images are named, as debian-12) */
	e = ip_url_escape(hz->image);
	path = strspn(hz->image, "0123456789") == strlen(hz->image) ?
	    ip_xasprintf("/images/%s", e) : ip_xasprintf("/images?name=%s", e);
	body = hc_call_sync(hz->hc, "GET", path, jv_invalid(), &r);
	list = ip_get(body, "images");
	t = jv_get_kind(list) == JV_KIND_ARRAY && jv_array_length(jv_copy(list)) > 0 ?
	    jv_array_get(jv_copy(list), 0) : ip_get(body, "image");
	if (r->status != 200 && r->status != 404)
		problems = append_error(problems, r, body);
	else if (jv_get_kind(t) != JV_KIND_OBJECT)
		problems = jv_array_append(problems, jv_string_fmt("image %s: no such image "
		    "(instances.args.image; GET /images)", hz->image));
	else {
		const char *st = ip_get_str(t, "status");
		if (st && strcmp(st, "available") != 0)
			problems = jv_array_append(problems, jv_string_fmt("image %s: status %s, "
			    "not available: servers cannot boot from it", hz->image, st));
		out = jv_object_set(out, jv_string("image"), JV_OBJECT(jv_string("id"),
		    jv_string(hz->image), jv_string("name"), ip_get(t, "description"),
		    jv_string("status"), st ? jv_string(st) : jv_null()));
	}
	jv_free(t);
	jv_free(list);
	jv_free(body);
	ip_req_free(r);
	free(path);
	free(e);
	return jv_object_set(out, jv_string("problems"), problems);
}

static void
hz_close(void *p)
{
	struct hz *hz = p;

	hc_free(hz->hc);
	jv_free(hz->ssh_keys);
	jv_free(hz->networks);
	jv_free(hz->firewalls);
	free(hz);
}

const struct ip_provider ip_instance_provider_hetzner = {
	.name = "hetzner",
	.budget = "3600/h",	/* per project; RateLimit-* headers pace finer */
	.open = hz_open,
	.ls = hz_ls,
	.create = hz_create,
	.delete = hz_delete,
	.check = hz_check,
	.close = hz_close,
};

/* For tests/fuzz only: a servers answer read as ls reads it. */
jv
ip_hetzner_parse(const char *text, size_t len, const char *ns)
{
	jv body = ip_json_parse_ids(text, len), servers = ip_get(body, "servers"), out = jv_array();

	if (jv_get_kind(servers) == JV_KIND_ARRAY)
		jv_array_foreach(servers, i, sv) {
			const char *name = ip_get_str(sv, "name"), *label = server_label(sv);
			const char *srv = name ? ip_name_of_instance(ns, name) : NULL;
			char *id = hc_id(ip_get(sv, "id"));
			if (srv && id && label && strcmp(label, ns) == 0)
				out = jv_array_append(out, instance_obj(ip_name_obj(ns, "example.com", srv), sv));
			free(id);
			jv_free(sv);
			(void)i;
		}
	jv_free(servers);
	jv_free(body);
	return out;
}
