/* openstack: nova v2.1 servers (list, create, delete) for ip-instances;
 * Keystone and the authenticated call layer are in keystone.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../provider.h"
#include "openstack.h"
#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"
#include "util.h"

#define TAG "install-party"	/* metadata key marking our servers */
#define TAG_EXPIRES "install-party-expires"	/* its end time, ISO 8601 UTC */
#define MAX_PAGES 100000

/* -------------------------------------------------------------- helpers */

/* Not a public address: RFC 1918, CGNAT, link-local, loopback; ULA and
 * link-local IPv6. */
static int
addr_private(const char *a, int version)
{
	unsigned char b[16];

	if (version == 4) {
		if (inet_pton(AF_INET, a, b) != 1)
			return 1;
		return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		    (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
		    (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] == 0;
	}
	if (inet_pton(AF_INET6, a, b) != 1)
		return 1;
	return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
	    (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0 && b[15] <= 1);
}

/* The address to publish: accessIPvN, else a floating address, else the
 * first public one, else any; networks in name order; `network` pins one. */
static jv
pick_addr(const struct os *os, jv server, int version)
{
	const char *acc = ip_get_str(server, version == 4 ? "accessIPv4" : "accessIPv6");
	jv addrs = ip_get(server, "addresses"), keys, found = jv_null();

	if (acc && *acc && os->network == NULL) {
		jv_free(addrs);
		return jv_string(acc);
	}
	if (jv_get_kind(addrs) != JV_KIND_OBJECT) {
		jv_free(addrs);
		return jv_null();
	}
	keys = jv_keys(jv_copy(addrs));
	for (int pass = 0; pass < 3 && jv_get_kind(found) == JV_KIND_NULL; pass++) {
		for (int i = 0; i < jv_array_length(jv_copy(keys)); i++) {
			jv k = jv_array_get(jv_copy(keys), i);
			jv list = jv_object_get(jv_copy(addrs), jv_copy(k));
			int skip = os->network && (ip_str(k) == NULL || strcmp(ip_str(k), os->network) != 0);
			jv_free(k);
			if (skip || jv_get_kind(list) != JV_KIND_ARRAY) {
				jv_free(list);
				continue;
			}
			jv_array_foreach(list, n, a) {
				jv ver = jv_get_kind(a) == JV_KIND_OBJECT ?
				    jv_object_get(jv_copy(a), jv_string("version")) : jv_null();
				const char *addr = jv_get_kind(a) == JV_KIND_OBJECT ?
				    ip_get_str(a, "addr") : NULL;
				const char *type = jv_get_kind(a) == JV_KIND_OBJECT ?
				    ip_get_str(a, "OS-EXT-IPS:type") : NULL;
				int ok = addr && jv_get_kind(ver) == JV_KIND_NUMBER &&
				    (int)jv_number_value(ver) == version;
				if (ok && pass == 0)
					ok = type && strcmp(type, "floating") == 0;
				else if (ok && pass == 1)
					ok = !addr_private(addr, version);
				if (ok && jv_get_kind(found) == JV_KIND_NULL)
					found = jv_string(addr);
				jv_free(ver);
				jv_free(a);
				(void)n;
			}
			jv_free(list);
			if (jv_get_kind(found) != JV_KIND_NULL)
				break;
		}
	}
	jv_free(keys);
	jv_free(addrs);
	return found;
}

/* The server's tag when it carries one: the namespace it was made for. */
static const char *
server_tag(jv server)
{
	jv md = ip_get(server, "metadata");
	const char *t = NULL;

	if (jv_get_kind(md) == JV_KIND_OBJECT) {
		jv v = jv_object_get(jv_copy(md), jv_string(TAG));
		/* borrowed from server, which holds metadata too */
		t = ip_str(v);
		jv_free(v);
	}
	jv_free(md);
	return t;
}

/* The end time install-party marked the server with (ISO 8601 UTC), or null. */
static jv
server_expires(jv server)
{
	jv md = ip_get(server, "metadata"), v = jv_null(), out = jv_null();
	long long t;
	char buf[21];

	if (jv_get_kind(md) == JV_KIND_OBJECT)
		v = jv_object_get(jv_copy(md), jv_string(TAG_EXPIRES));
	if (jv_get_kind(v) == JV_KIND_STRING) {
		if ((t = ip_parse_time(jv_string_value(v))) >= 0) {
			ip_time_iso(t, buf);
			out = jv_string(buf);
		} else
			ip_debug("%s: metadata %s is not a time: ignored", ip_get_str(server, "name"),
			    TAG_EXPIRES);
	}
	jv_free(v);
	jv_free(md);
	return out;
}

/* base (consumed) + the fields of an instance object from a nova server. */
static jv
instance_obj(const struct os *os, jv base, jv server)
{
	base = os_set_str(base, "type", "instance");
	base = os_set_str(base, "instance", ip_get_str(server, "name"));
	base = os_set_str(base, "id", ip_get_str(server, "id"));
	/* nova deletes asynchronously: a deleted server stays ACTIVE with
	 * task_state "deleting" for a while; say so rather than ACTIVE */
	const char *task = ip_get_str(server, "OS-EXT-STS:task_state");
	base = os_set_str(base, "status", task && strcmp(task, "deleting") == 0 ? "DELETING" :
	    ip_get_str(server, "status"));
	base = jv_object_set(base, jv_string("ipv4"), pick_addr(os, server, 4));
	base = jv_object_set(base, jv_string("ipv6"), pick_addr(os, server, 6));
	base = os_set_str(base, "provider", "openstack");
	base = os_set_str(base, "created", ip_get_str(server, "created"));
	return jv_object_set(base, jv_string("expires"), server_expires(server));
}

/* -------------------------------------------------------------------- ls */

struct lsctx {
	struct os *os;
	void (*each)(jv, void *);
	void *ud;
	int failed, pages, done;
};

static void ls_page(struct lsctx *l, const char *marker);

static void
ls_done(struct call *c, struct ip_req *r)
{
	struct lsctx *l = c->ud;
	struct os *os = l->os;
	jv body, servers, links;
	const char *next = NULL;
	char *marker = NULL;
	int n = 0;

	if (r->status != 200) {
		char *e = os_api_error("nova", r);
		ip_warn("%s", e);
		free(e);
		l->failed = 1;
		l->done = 1;
		return;
	}
	body = ip_req_json(r);
	servers = ip_get(body, "servers");
	if (jv_get_kind(servers) != JV_KIND_ARRAY) {
		ip_warn("nova %s: no servers in the answer", r->what);
		l->failed = 1;
		l->done = 1;
		jv_free(servers);
		jv_free(body);
		return;
	}
	jv_array_foreach(servers, i, s) {
		const char *name = jv_get_kind(s) == JV_KIND_OBJECT ? ip_get_str(s, "name") : NULL;
		const char *id = jv_get_kind(s) == JV_KIND_OBJECT ? ip_get_str(s, "id") : NULL;
		const char *srv = name ? ip_name_of_instance(os->run->ns, name) : NULL;
		const char *tag = srv ? server_tag(s) : NULL;
		if (id) {
			free(marker);
			marker = ip_xstrdup(id);
		}
		n++;
		/* exact membership on our side: nova's filter is a loose regex */
		if (srv && id && (tag == NULL || strcmp(tag, os->run->ns) == 0 || os->run->ls_all)) {
			jv o = ip_name_obj(os->run->ns, os->cfg->zone, srv);
			l->each(instance_obj(os, o, s), l->ud);
		} else if (srv && tag)
			ip_debug("%s: tagged for namespace %s, skipped", name, tag);
		jv_free(s);
		(void)i;
	}
	links = ip_get(body, "servers_links");
	if (jv_get_kind(links) == JV_KIND_ARRAY)
		jv_array_foreach(links, k, lk) {
			const char *rel = ip_get_str(lk, "rel");
			if (rel && strcmp(rel, "next") == 0)
				next = "yes";
			jv_free(lk);
			(void)k;
		}
	jv_free(links);
	jv_free(servers);
	jv_free(body);
	l->pages++;
	/* follow "next" with our own marker: the link's host may be wrong
	 * behind a proxy, the last id seen is what the marker means */
	if (next && n > 0 && marker && l->pages < MAX_PAGES)
		ls_page(l, marker);
	else
		l->done = 1;
	free(marker);
}

static void
ls_page(struct lsctx *l, const char *marker)
{
	struct os *os = l->os;
	char *filt = ip_xasprintf("%s-", os->run->ns), *ef, *em = NULL, *path;

	/* the plain prefix: nova reads it as an unanchored regex, others as a
	 * substring; both match it.  Namespaces are labels: no metacharacters */
	ef = ip_url_escape(filt);
	if (marker)
		em = ip_url_escape(marker);
	path = ip_xasprintf("/servers/detail?name=%s%s%s", ef, em ? "&marker=" : "", em ? em : "");
	os_nova(os, "GET", path, jv_invalid(), ls_done, l);
	free(path);
	free(ef);
	free(em);
	free(filt);
}

static int
os_ls(void *p, void (*each)(jv, void *), void *ud)
{
	struct lsctx l = { .os = p, .each = each, .ud = ud };

	ls_page(&l, NULL);
	while (!l.done)
		ip_http_step(l.os->run->http, -1, NULL, 1000);
	if (!l.failed)
		ip_debug("nova: listed in %d page(s)", l.pages);
	return l.failed ? -1 : 0;
}

/* ---------------------------------------------------------------- create */

struct job {
	struct os *os;
	struct ip_job *j;
	char *id;
	long long deadline, posted;
	long delay;
	int polls;
	const char *name;
	jv body;		/* create: the POST body, for a second attempt */
	int posts, looks;
	char *err;		/* create: why the first POST failed */
};

static void
job_free(struct job *jb)
{
	jv_free(jb->body);
	free(jb->err);
	free(jb->id);
	free(jb);
}

static void
job_fail(struct job *jb, const char *stage, char *msg)
{
	const char *name = ip_get_str(jb->j->item, "name");

	ip_warn("%s: %s", name ? name : jb->j->instance, msg);
	jb->j->done(jb->j, ip_error_obj(jv_copy(jb->j->item), stage, "%s", msg), 1);
	free(msg);
	job_free(jb);
}

static void poll_server(void *arg);

static void
schedule(struct job *jb)
{
	jb->delay = ip_boot_delay(&jb->os->boot, jb->polls, jb->delay);
	ip_http_timer(jb->os->run->http, jb->delay, poll_server, jb);
}

static void
polled(struct call *c, struct ip_req *r)
{
	struct job *jb = c->ud;
	struct os *os = jb->os;
	jv body, s;
	const char *st;
	char status[64];

	jb->polls++;
	if (r->status == 404) {
		job_fail(jb, "instances-create", ip_xasprintf("server %s disappeared while building",
		    jb->id));
		return;
	}
	body = ip_req_json(r);
	s = ip_get(body, "server");
	st = r->status == 200 ? ip_get_str(s, "status") : NULL;
	snprintf(status, sizeof(status), "%s", st ? st : "unknown");
	if (st && strcmp(st, "ERROR") == 0) {
		jv f = ip_get(s, "fault");
		const char *m = ip_get_str(f, "message");
		char *msg = ip_xasprintf("server %s went to ERROR: %s", jb->id,
		    m ? m : "nova gave no fault");
		jv_free(f);
		jv_free(s);
		jv_free(body);
		job_fail(jb, "instances-create", msg);
		return;
	}
	if (st && strcmp(st, "ACTIVE") == 0) {
		jv inst = instance_obj(os, jv_copy(jb->j->item), s);
		if (ip_get_str(inst, "ipv4")) {
			ip_info("%s: ACTIVE at %s", jb->name, ip_get_str(inst, "ipv4"));
			ip_boot_seen(&os->boot, (long)(ip_now_ms() - jb->posted));
			jv_free(s);
			jv_free(body);
			jb->j->done(jb->j, inst, 0);
			job_free(jb);
			return;
		}
		jv_free(inst);	/* addresses can lag behind the status */
	} else if (st == NULL && r->status != 200)
		ip_debug("%s: %s", jb->name, ip_req_error(r));
	jv_free(s);
	jv_free(body);
	if (ip_now_ms() >= jb->deadline) {
		job_fail(jb, "instances-create", ip_xasprintf(
		    "server %s not ACTIVE with an IPv4 address after %lds (status %s); it is "
		    "left for ip-instances delete", jb->id, os->run->timeout_ms / 1000, status));
		return;
	}
	schedule(jb);
}

static void
poll_server(void *arg)
{
	struct job *jb = arg;
	char *path = ip_xasprintf("/servers/%s", jb->id);

	os_nova(jb->os, "GET", path, jv_invalid(), polled, jb);
	free(path);
}

static void post_server(struct job *jb);
static void building(struct job *jb);

/* After a failed POST whose fate is unknown: did nova make it anyway? */
static void
looked_up(struct call *c, struct ip_req *r)
{
	struct job *jb = c->ud;
	jv body = ip_req_json(r), servers = ip_get(body, "servers");

	if (r->status == 200 && jv_get_kind(servers) == JV_KIND_ARRAY) {
		jv_array_foreach(servers, i, s) {
			const char *name = ip_get_str(s, "name"), *id = ip_get_str(s, "id");
			const char *tag = server_tag(s);
			if (jb->id == NULL && name && id && tag && strcmp(name, jb->j->instance) == 0 &&
			    strcmp(tag, jb->os->run->ns) == 0)
				jb->id = ip_xstrdup(id);
			jv_free(s);
			(void)i;
		}
	}
	jv_free(servers);
	jv_free(body);
	if (jb->id) {
		ip_info("%s: the server was made despite the error", jb->name);
		building(jb);
	} else if (r->status == 200 && jb->posts < 2) {
		ip_info("%s: no server was made, asking again", jb->name);
		post_server(jb);
	} else
		job_fail(jb, "instances-create", ip_xstrdup(jb->err));
}

static void
created(struct call *c, struct ip_req *r)
{
	struct job *jb = c->ud;
	jv body = ip_req_json(r), s = ip_get(body, "server");
	const char *id = ip_get_str(s, "id");

	if ((r->status >= 500 || r->status == 0) && jb->looks++ < 2) {
		/* not retried blindly: nova may have made the server */
		char *q = ip_url_escape(jb->j->instance);
		char *path = ip_xasprintf("/servers/detail?name=%s", q);
		free(jb->err);
		jb->err = os_api_error("nova", r);
		ip_info("%s: %s; looking whether the server exists", jb->name, jb->err);
		os_nova(jb->os, "GET", path, jv_invalid(), looked_up, jb);
		free(path);
		free(q);
		jv_free(s);
		jv_free(body);
		return;
	}
	if ((r->status != 202 && r->status != 200) || id == NULL) {
		jv_free(s);
		jv_free(body);
		job_fail(jb, "instances-create", r->status == 202 || r->status == 200 ?
		    ip_xasprintf("nova %s: no server id in the answer", r->what) :
		    os_api_error("nova", r));
		return;
	}
	jb->id = ip_xstrdup(id);
	jv_free(s);
	jv_free(body);
	building(jb);
}

static void
building(struct job *jb)
{
	ip_info("%s: server %s is building", jb->name, jb->id);
	jb->posted = ip_now_ms();
	jb->deadline = jb->posted + jb->os->run->timeout_ms;
	jb->polls = 0;
	schedule(jb);
}

static void
os_create(void *p, struct ip_job *j, char *ud, size_t len)
{
	struct os *os = p;
	struct job *jb = ip_xcalloc(1, sizeof(*jb));
	jv s = jv_object();

	jb->body = jv_null();
	jb->os = os;
	jb->j = j;
	jb->name = ip_get_str(j->item, "name");
	s = os_set_str(s, "name", j->instance);
	s = os_set_str(s, "imageRef", os->image_id);
	s = os_set_str(s, "flavorRef", os->flavor_id);
	if (ud) {
		char *e = os_b64(ud, len);
		s = os_set_str(s, "user_data", e);
		free(e);
		free(ud);
	}
	jv md = os_set_str(jv_object(), TAG, os->run->ns);
	if (os->run->expires > 0) {
		char buf[21];
		ip_time_iso(os->run->expires, buf);
		md = os_set_str(md, TAG_EXPIRES, buf);
	}
	s = jv_object_set(s, jv_string("metadata"), md);
	if (os->key_name)
		s = os_set_str(s, "key_name", os->key_name);
	if (jv_get_kind(os->networks) == JV_KIND_ARRAY) {
		jv nets = jv_array();
		jv_array_foreach(os->networks, i, n)
			nets = jv_array_append(nets, JV_OBJECT(jv_string("uuid"), n));
		s = jv_object_set(s, jv_string("networks"), nets);
	} else if (os->microversion && atoi(os->microversion + 2) >= 37)
		s = os_set_str(s, "networks", "auto");	/* required from 2.37 on */
	if (jv_get_kind(os->secgroups) == JV_KIND_ARRAY) {
		jv g = jv_array();
		jv_array_foreach(os->secgroups, i, n)
			g = jv_array_append(g, JV_OBJECT(jv_string("name"), n));
		s = jv_object_set(s, jv_string("security_groups"), g);
	}
	jb->body = JV_OBJECT(jv_string("server"), s);
	post_server(jb);
}

static void
post_server(struct job *jb)
{
	jb->posts++;
	os_nova(jb->os, "POST", "/servers", jv_copy(jb->body), created, jb);
}

/* ---------------------------------------------------------------- delete */

static void delete_check(struct call *c, struct ip_req *r);

static void
gone(struct job *jb, const char *how)
{
	ip_info("%s: %s", jb->name ? jb->name : jb->j->instance, how);
	jb->j->done(jb->j, jv_null(), 0);
	job_free(jb);
}

static void
wait_poll(void *arg)
{
	struct job *jb = arg;
	char *path = ip_xasprintf("/servers/%s", jb->j->id);

	jb->polls = -1;		/* marks: waiting until gone */
	os_nova(jb->os, "GET", path, jv_invalid(), delete_check, jb);
	free(path);
}

static void
deleted(struct call *c, struct ip_req *r)
{
	struct job *jb = c->ud;

	if (r->status == 404) {
		gone(jb, "instance already gone");
		return;
	}
	if (r->status != 204 && r->status != 202 && r->status != 200) {
		job_fail(jb, "instances-delete", os_api_error("nova", r));
		return;
	}
	if (!jb->os->run->wait) {
		gone(jb, "instance deleted");
		return;
	}
	jb->deadline = ip_now_ms() + jb->os->run->timeout_ms;
	jb->delay = jb->os->run->poll_ms;
	ip_http_timer(jb->os->run->http, jb->delay, wait_poll, jb);
}

static void
delete_check(struct call *c, struct ip_req *r)
{
	struct job *jb = c->ud;
	struct os *os = jb->os;
	jv body, s;
	const char *name, *tag;
	char *path;

	if (r->status == 404) {
		gone(jb, jb->polls < 0 ? "instance deleted" : "instance already gone");
		return;
	}
	if (r->status != 200) {
		job_fail(jb, "instances-delete", os_api_error("nova", r));
		return;
	}
	if (jb->polls < 0) {
		/* --wait: still there */
		if (ip_now_ms() >= jb->deadline) {
			job_fail(jb, "instances-delete", ip_xasprintf(
			    "server %s still there after %lds", jb->j->id, os->run->timeout_ms / 1000));
			return;
		}
		long d = jb->delay;
		jb->delay = ip_backoff_next(jb->delay, 3, 2, os->run->poll_ms * 8);
		ip_http_timer(os->run->http, d, wait_poll, jb);
		return;
	}
	body = ip_req_json(r);
	s = ip_get(body, "server");
	name = ip_get_str(s, "name");
	tag = server_tag(s);
	if (name == NULL || strcmp(name, jb->j->instance) != 0) {
		char *m = ip_xasprintf("server %s is named %s, not %s: not deleted", jb->j->id,
		    name ? name : "(none)", jb->j->instance);
		jv_free(s);
		jv_free(body);
		job_fail(jb, "instances-delete", m);
		return;
	}
	if (tag && strcmp(tag, os->run->ns) != 0) {
		char *m = ip_xasprintf("server %s belongs to namespace %s: not deleted",
		    jb->j->id, tag);
		jv_free(s);
		jv_free(body);
		job_fail(jb, "instances-delete", m);
		return;
	}
	jv_free(s);
	jv_free(body);
	path = ip_xasprintf("/servers/%s", jb->j->id);
	os_nova(os, "DELETE", path, jv_invalid(), deleted, jb);
	free(path);
}

static void
os_delete(void *p, struct ip_job *j)
{
	struct os *os = p;
	struct job *jb = ip_xcalloc(1, sizeof(*jb));
	char *eid = ip_url_escape(j->id), *path;

	jb->body = jv_null();

	jb->os = os;
	jb->j = j;
	jb->name = ip_get_str(j->item, "name");
	/* look first: the id must still be this instance of ours */
	path = ip_xasprintf("/servers/%s", eid);
	os_nova(os, "GET", path, jv_invalid(), delete_check, jb);
	free(path);
	free(eid);
}

/* ----------------------------------------------------------------- check */

struct chk {
	int pending;
	const char *image_id, *flavor_id;
	jv out;
};

static void
chk_problem(struct chk *k, char *msg)
{
	jv p = jv_object_get(jv_copy(k->out), jv_string("problems"));

	k->out = jv_object_set(k->out, jv_string("problems"), jv_array_append(p, jv_string(msg)));
	free(msg);
}

static jv
num_or_null(jv o, const char *key)
{
	jv v = ip_get(o, key);

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return v;
	jv_free(v);
	return jv_null();
}

/* GET /limits: absolute maxTotal* and total*Used (-1: unlimited). */
static void
limits_done(struct call *c, struct ip_req *r)
{
	static const char *const keys[][3] = {
		{ "instances", "maxTotalInstances", "totalInstancesUsed" },
		{ "cores", "maxTotalCores", "totalCoresUsed" },
		{ "ram", "maxTotalRAMSize", "totalRAMUsed" },
	};
	struct chk *k = c->ud;
	jv body = ip_req_json(r), lim = ip_get(body, "limits"), abs = ip_get(lim, "absolute");
	jv out = jv_object();

	k->pending--;
	if (r->status != 200 || jv_get_kind(abs) != JV_KIND_OBJECT) {
		char *e = r->status != 200 ? os_api_error("nova", r) :
		    ip_xasprintf("nova %s: no absolute limits in the answer", r->what);
		k->out = jv_object_set(k->out, jv_string("limits_note"), jv_string(e));
		free(e);
		jv_free(out);
		out = jv_null();
	} else
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			jv max = num_or_null(abs, keys[i][1]), used = num_or_null(abs, keys[i][2]);
			if (jv_get_kind(max) == JV_KIND_NUMBER && jv_get_kind(used) == JV_KIND_NUMBER)
				out = jv_object_set(out, jv_string(keys[i][0]),
				    JV_OBJECT(jv_string("max"), max, jv_string("used"), used));
			else {
				jv_free(max);
				jv_free(used);
			}
		}
	k->out = jv_object_set(k->out, jv_string("limits"), out);
	jv_free(abs);
	jv_free(lim);
	jv_free(body);
}

static void
flavor_done(struct call *c, struct ip_req *r)
{
	struct chk *k = c->ud;
	jv body = ip_req_json(r), f = ip_get(body, "flavor");
	jv vcpus = num_or_null(f, "vcpus"), ram = num_or_null(f, "ram");
	const char *id = ip_get_str(f, "id"), *name = ip_get_str(f, "name");

	k->pending--;
	if (r->status == 404)
		chk_problem(k, ip_xasprintf("flavor %s: no such flavor (instances.args.flavor_id; "
		    "nova GET /flavors: HTTP 404)", k->flavor_id));
	else if (r->status != 200 || jv_get_kind(f) != JV_KIND_OBJECT)
		chk_problem(k, r->status != 200 ? os_api_error("nova", r) :
		    ip_xasprintf("nova %s: no flavor in the answer", r->what));
	else {
		k->out = jv_object_set(k->out, jv_string("flavor"), JV_OBJECT(
		    jv_string("id"), id ? jv_string(id) : jv_null(),
		    jv_string("name"), name ? jv_string(name) : jv_null(),
		    jv_string("vcpus"), jv_copy(vcpus), jv_string("ram"), jv_copy(ram)));
		if (jv_get_kind(vcpus) == JV_KIND_NUMBER && jv_get_kind(ram) == JV_KIND_NUMBER)
			k->out = jv_object_set(k->out, jv_string("per_server"), JV_OBJECT(
			    jv_string("cores"), jv_copy(vcpus), jv_string("ram"), jv_copy(ram)));
	}
	jv_free(vcpus);
	jv_free(ram);
	jv_free(f);
	jv_free(body);
}

/* Nova's image proxy (GET /images/{id}, microversions up to 2.35). */
static void
image_done(struct call *c, struct ip_req *r)
{
	struct chk *k = c->ud;
	jv body = ip_req_json(r), im = ip_get(body, "image");
	const char *name = ip_get_str(im, "name"), *st = ip_get_str(im, "status");

	k->pending--;
	if (r->status == 404)
		chk_problem(k, ip_xasprintf("image %s: no such image (instances.args.image_id; "
		    "nova GET /images: HTTP 404)", k->image_id));
	else if (r->status != 200 || jv_get_kind(im) != JV_KIND_OBJECT)
		chk_problem(k, r->status != 200 ? os_api_error("nova", r) :
		    ip_xasprintf("nova %s: no image in the answer", r->what));
	else {
		if (st && strcmp(st, "ACTIVE") != 0)
			chk_problem(k, ip_xasprintf("image %s: status %s, not ACTIVE: servers cannot "
			    "boot from it", k->image_id, st));
		k->out = jv_object_set(k->out, jv_string("image"), JV_OBJECT(
		    jv_string("id"), jv_string(k->image_id),
		    jv_string("name"), name ? jv_string(name) : jv_null(),
		    jv_string("status"), st ? jv_string(st) : jv_null()));
	}
	jv_free(im);
	jv_free(body);
}

static jv
os_check(void *p)
{
	struct os *os = p;
	struct chk k = { .pending = 3, .image_id = os->image_id, .flavor_id = os->flavor_id };
	char *ei = ip_url_escape(os->image_id), *ef = ip_url_escape(os->flavor_id), *path;

	k.out = JV_OBJECT(jv_string("limits"), jv_null(), jv_string("per_server"), jv_null(),
	    jv_string("image"), jv_null(), jv_string("flavor"), jv_null(),
	    jv_string("problems"), jv_array());
	os_nova(os, "GET", "/limits", jv_invalid(), limits_done, &k);
	path = ip_xasprintf("/flavors/%s", ef);
	os_nova(os, "GET", path, jv_invalid(), flavor_done, &k);
	free(path);
	path = ip_xasprintf("/images/%s", ei);
	os_nova_v21(os, "GET", path, image_done, &k);
	free(path);
	free(ei);
	free(ef);
	while (k.pending > 0)
		ip_http_step(os->run->http, -1, NULL, 1000);
	return k.out;
}

/* ------------------------------------------------------------ open/close */

static jv
str_list(const struct ip_config *cfg, const char *path)
{
	jv v = ip_config_get(cfg, path), out;

	if (!jv_is_valid(v) || jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return jv_null();
	}
	if (jv_get_kind(v) == JV_KIND_STRING) {
		/* "a, b" as well as a YAML list */
		char *dup = ip_xstrdup(jv_string_value(v)), *save = NULL, *t;
		out = jv_array();
		for (t = strtok_r(dup, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
			out = jv_array_append(out, jv_string(t));
		free(dup);
		jv_free(v);
		return out;
	}
	if (jv_get_kind(v) != JV_KIND_ARRAY)
		ip_config_die(cfg, path, "expected a list of strings");
	jv_array_foreach(v, i, x) {
		int k = jv_get_kind(x);
		jv_free(x);
		if (k != JV_KIND_STRING)
			ip_config_die(cfg, path, "expected a list of strings");
		(void)i;
	}
	return v;
}

static void *
os_open(struct ip_run *run)
{
	const struct ip_config *c = run->cfg;
	struct os *os = ip_xcalloc(1, sizeof(*os));
	const char *auth_url, *why, *api;

	os->run = run;
	os->cfg = c;
	auth_url = ip_config_str(c, "instances.args.auth_url");
	if (!ip_url_ok(auth_url, &why))
		ip_config_die(c, "instances.args.auth_url", "%s", why);
	os->username = ip_config_str(c, "instances.args.username");
	os->password = ip_config_str(c, "instances.args.password");
	os->tenant_id = ip_config_str_or(c, "instances.args.tenant_id", NULL);
	os->tenant_name = ip_config_str_or(c, "instances.args.tenant_name", NULL);
	if (os->tenant_id && !*os->tenant_id)
		os->tenant_id = NULL;
	if (os->tenant_name && !*os->tenant_name)
		os->tenant_name = NULL;
	if (!os->tenant_id && !os->tenant_name)
		ip_config_die(c, "instances.args", "set tenant_id or tenant_name (the project)");
	os->region = ip_config_str_or(c, "instances.args.region_name", NULL);
	os->user_domain = ip_config_str_or(c, "instances.args.user_domain_name", "Default");
	os->project_domain = ip_config_str_or(c, "instances.args.project_domain_name", "Default");
	os->image_id = ip_config_str(c, "instances.args.image_id");
	os->flavor_id = ip_config_str(c, "instances.args.flavor_id");
	os->key_name = ip_config_str_or(c, "instances.args.key_name", NULL);
	os->network = ip_config_str_or(c, "instances.args.network", NULL);
	os->networks = str_list(c, "instances.args.networks");
	os->secgroups = str_list(c, "instances.args.security_groups");
	api = ip_config_str_or(c, "instances.args.api_version", "2");
	if (strcmp(api, "2") == 0 || strcmp(api, "2.0") == 0 || strcmp(api, "2.1") == 0)
		os->microversion = NULL;
	else if (strncmp(api, "2.", 2) == 0 && strspn(api + 2, "0123456789") == strlen(api + 2) &&
	    strlen(api) <= 6)
		os->microversion = ip_xstrdup(api);
	else
		ip_config_die(c, "instances.args.api_version",
		    "expected 2 or a compute microversion such as 2.37");

	os_login(os, auth_url);
	const char *bkey[] = { os->nova, os->image_id, os->flavor_id, NULL };
	ip_boot_open(&os->boot, run->poll_ms, bkey);
	return os;
}

static void
os_close(void *p)
{
	struct os *os = p;

	ip_boot_close(&os->boot);
	free(os->auth_base);
	free(os->microversion);
	free(os->token);
	free(os->nova);
	jv_free(os->networks);
	jv_free(os->secgroups);
	free(os);
}

const struct ip_provider ip_instance_provider_openstack = {
	.name = "openstack",
	/* nova has none of its own; operators' proxies do (429 + Retry-After) */
	.budget = "600/min",
	.open = os_open,
	.ls = os_ls,
	.create = os_create,
	.delete = os_delete,
	.check = os_check,
	.close = os_close,
};

/* For tests/fuzz only: a nova servers answer read as ls reads it (exact
 * membership, then instance objects), and the same text as a Keystone
 * answer (v3, or v2.0 when region starts with "v2:"): its compute URL. */
jv
ip_openstack_parse(const char *text, size_t len, const char *ns, const char *network,
    const char *region, char **endpoint)
{
	int v2 = region && !strncmp(region, "v2:", 3);
	struct os os = { .network = network, .region = v2 ? region + 3 : region, .v3 = !v2 };
	struct ip_req r = { .status = 200, .resp = (char *)text, .resp_len = len,
	    .what = "POST /v3/auth/tokens" };
	jv body = ip_json_parse(text, len, NULL), servers = ip_get(body, "servers"), out = jv_array();
	char *err = NULL;

	if (jv_get_kind(servers) == JV_KIND_ARRAY)
		jv_array_foreach(servers, i, sv) {
			const char *name = jv_get_kind(sv) == JV_KIND_OBJECT ? ip_get_str(sv, "name") : NULL;
			const char *srv = name ? ip_name_of_instance(ns, name) : NULL;
			if (srv && (server_tag(sv) == NULL || strcmp(server_tag(sv), ns) == 0))
				out = jv_array_append(out, instance_obj(&os, ip_name_obj(ns, "example.com", srv), sv));
			jv_free(sv);
			(void)i;
		}
	jv_free(servers);
	jv_free(body);
	r.resp_headers = jv_object_set(jv_object(), jv_string("x-subject-token"), jv_string("tok"));
	*endpoint = NULL;
	if (os_auth_parse(&os, &r, 1, &err) == 0) {
		*endpoint = os.nova;
		os.nova = NULL;
	}
	free(err);
	free(os.nova);
	free(os.token);
	jv_free(r.resp_headers);
	return out;
}
