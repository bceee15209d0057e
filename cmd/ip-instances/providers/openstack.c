/* openstack: Keystone (v3, v2.0, version discovery) and nova v2.1 servers. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../provider.h"
#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"

#define TAG "install-party"	/* metadata key marking our servers */
#define MAX_PAGES 100000

struct os;

/* One nova call; cb runs once with the final answer (after retries and
 * at most one re-authentication). */
struct call {
	struct os *os;
	struct ip_req *req;
	void (*cb)(struct call *c, struct ip_req *r);
	void *ud;
	int gen;		/* token generation this attempt was sent with */
	int reauthed, resent;
	struct call *next;	/* waiting for a new token */
};

struct os {
	struct ip_run *run;
	const struct ip_config *cfg;
	int v3;
	char *auth_base;	/* .../v3 or .../v2.0, no trailing slash */
	const char *username, *password, *tenant_id, *tenant_name, *region;
	const char *user_domain, *project_domain;
	const char *image_id, *flavor_id, *key_name, *network;
	jv networks, secgroups;	/* arrays of strings, or null */
	char *microversion;	/* NULL: none sent (2.1) */
	char *token;
	int gen;
	char *nova;		/* compute endpoint, no trailing slash */
	int authing;
	struct call *waiting;
};

/* -------------------------------------------------------------- helpers */

/* obj[key] of any kind (a copy), or null: ip_get_obj is for objects only. */
static jv
get(jv obj, const char *key)
{
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_null();
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_null();
	}
	return v;
}

/* One line from an OpenStack error body: {"<kind>": {"message": ...}} for
 * nova, {"error": {"message": ...}} for keystone, else the HTTP status. */
static char *
api_error(const char *svc, const struct ip_req *r)
{
	jv v = ip_req_json(r);
	char msg[512] = "";

	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv_object_foreach(v, k, e) {
			const char *m = jv_get_kind(e) == JV_KIND_OBJECT ? ip_get_str(e, "message") : NULL;
			if (m && !msg[0])
				snprintf(msg, sizeof(msg), "%s", m);
			jv_free(k);
			jv_free(e);
		}
	}
	jv_free(v);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (r->status > 0 && msg[0])
		return ip_xasprintf("%s %s: HTTP %ld: %s", svc, r->what, r->status, msg);
	return ip_xasprintf("%s %s: %s", svc, r->what, ip_req_error(r));
}

static char *
b64(const char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	char *out = ip_xmalloc((n + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static char *
strip_slash(const char *s)
{
	char *d = ip_xstrdup(s);
	size_t n = strlen(d);

	while (n > 0 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

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
	jv addrs = get(server, "addresses"), keys, found = jv_null();

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
			int skip = os->network && strcmp(jv_string_value(k), os->network) != 0;
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
	jv md = get(server, "metadata");
	const char *t = NULL;

	if (jv_get_kind(md) == JV_KIND_OBJECT) {
		jv v = jv_object_get(jv_copy(md), jv_string(TAG));
		/* borrowed from server, which holds metadata too */
		t = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;
		jv_free(v);
	}
	jv_free(md);
	return t;
}

static jv
set_str(jv o, const char *k, const char *v)
{
	return jv_object_set(o, jv_string(k), v ? jv_string(v) : jv_null());
}

/* base (consumed) + the fields of an instance object from a nova server. */
static jv
instance_obj(const struct os *os, jv base, jv server)
{
	base = set_str(base, "type", "instance");
	base = set_str(base, "instance", ip_get_str(server, "name"));
	base = set_str(base, "id", ip_get_str(server, "id"));
	base = set_str(base, "status", ip_get_str(server, "status"));
	base = jv_object_set(base, jv_string("ipv4"), pick_addr(os, server, 4));
	base = jv_object_set(base, jv_string("ipv6"), pick_addr(os, server, 6));
	base = set_str(base, "provider", "openstack");
	base = set_str(base, "created", ip_get_str(server, "created"));
	return base;
}

/* ------------------------------------------------------------- identity */

static void
auth_body(struct os *os, struct ip_req *r)
{
	jv b;

	if (os->v3) {
		jv user = jv_object(), scope = jv_object();
		user = set_str(user, "name", os->username);
		user = jv_object_set(user, jv_string("domain"),
		    set_str(jv_object(), "name", os->user_domain));
		user = set_str(user, "password", os->password);
		if (os->tenant_id)
			scope = set_str(scope, "id", os->tenant_id);
		else {
			scope = set_str(scope, "name", os->tenant_name);
			scope = jv_object_set(scope, jv_string("domain"),
			    set_str(jv_object(), "name", os->project_domain));
		}
		b = JV_OBJECT(jv_string("auth"), JV_OBJECT(
		    jv_string("identity"), JV_OBJECT(
			jv_string("methods"), JV_ARRAY(jv_string("password")),
			jv_string("password"), JV_OBJECT(jv_string("user"), user)),
		    jv_string("scope"), JV_OBJECT(jv_string("project"), scope)));
	} else {
		jv a = jv_object();
		if (os->tenant_id)
			a = set_str(a, "tenantId", os->tenant_id);
		else
			a = set_str(a, "tenantName", os->tenant_name);
		a = jv_object_set(a, jv_string("passwordCredentials"), JV_OBJECT(
		    jv_string("username"), jv_string(os->username),
		    jv_string("password"), jv_string(os->password)));
		b = JV_OBJECT(jv_string("auth"), a);
	}
	ip_req_json_body(r, b);
	ip_req_header(r, "Accept: application/json");
}

static struct ip_req *
auth_req(struct os *os)
{
	char *url = ip_xasprintf("%s/%s", os->auth_base, os->v3 ? "auth/tokens" : "tokens");
	struct ip_req *r = ip_req_new("POST", url);

	free(url);
	r->idempotent = 1;	/* another token is harmless */
	auth_body(os, r);
	return r;
}

/* The public compute URL of our region from a v3 or v2.0 catalog. */
static char *
pick_endpoint(struct os *os, jv catalog, char *regions, size_t rlen)
{
	char *url = NULL;
	int count = 0;

	if (jv_get_kind(catalog) != JV_KIND_ARRAY)
		return NULL;
	jv_array_foreach(catalog, i, svc) {
		const char *type = jv_get_kind(svc) == JV_KIND_OBJECT ? ip_get_str(svc, "type") : NULL;
		jv eps = type && strcmp(type, "compute") == 0 ? get(svc, "endpoints") : jv_null();
		if (jv_get_kind(eps) == JV_KIND_ARRAY) {
			jv_array_foreach(eps, k, e) {
				const char *region = NULL, *u = NULL;
				if (jv_get_kind(e) == JV_KIND_OBJECT && os->v3) {
					const char *itf = ip_get_str(e, "interface");
					region = ip_get_str(e, "region_id");
					if (region == NULL)
						region = ip_get_str(e, "region");
					u = itf && strcmp(itf, "public") == 0 ? ip_get_str(e, "url") : NULL;
				} else if (jv_get_kind(e) == JV_KIND_OBJECT) {
					region = ip_get_str(e, "region");
					u = ip_get_str(e, "publicURL");
				}
				if (u && region && strlen(regions) + strlen(region) + 3 < rlen &&
				    !strstr(regions, region)) {
					if (*regions)
						strcat(regions, ", ");
					strcat(regions, region);
				}
				if (u && (os->region == NULL || (region && strcmp(region, os->region) == 0))) {
					count++;
					if (url == NULL)
						url = strip_slash(u);
				}
				jv_free(e);
				(void)k;
			}
		}
		jv_free(eps);
		jv_free(svc);
		(void)i;
	}
	if (os->region == NULL && count > 1) {
		free(url);
		return NULL;	/* several regions: the config must say which */
	}
	return url;
}

/* Take the token (and at start-up the endpoint) from an auth answer. */
static int
auth_parse(struct os *os, struct ip_req *r, int first, char **err)
{
	jv body = ip_req_json(r), catalog;
	const char *tok;
	char regions[512] = "";

	*err = NULL;
	if (r->status != 200 && r->status != 201) {
		char *e = api_error("keystone", r);
		if (r->status == 401)
			*err = ip_xasprintf("%s; check instances.args.username and password%s", e,
			    os->v3 ? ", tenant_id or tenant_name, user_domain_name and "
			    "project_domain_name" : " and tenant_id or tenant_name");
		else if (r->status == 404 && os->v3 == 0)
			*err = ip_xasprintf("%s; this Keystone may have no v2.0: try an auth_url "
			    "ending in /v3", e);
		else
			*err = ip_xstrdup(e);
		free(e);
		jv_free(body);
		return -1;
	}
	if (os->v3) {
		tok = ip_req_resp_header(r, "x-subject-token");
		jv t = get(body, "token");
		catalog = get(t, "catalog");
		jv_free(t);
	} else {
		jv a = get(body, "access"), t = get(a, "token");
		tok = ip_get_str(t, "id");
		tok = tok ? ip_xstrdup(tok) : NULL;
		catalog = get(a, "serviceCatalog");
		jv_free(a);
		jv_free(t);
	}
	if (tok == NULL || *tok == '\0') {
		*err = ip_xasprintf("keystone %s: no token in the answer", r->what);
		if (!os->v3)
			free((char *)tok);
		jv_free(catalog);
		jv_free(body);
		return -1;
	}
	free(os->token);
	os->token = ip_xstrdup(tok);
	if (!os->v3)
		free((char *)tok);
	ip_secret(os->token);
	os->gen++;
	if (first) {
		const char *why;
		os->nova = pick_endpoint(os, catalog, regions, sizeof(regions));
		if (os->nova == NULL)
			*err = os->region ?
			    ip_xasprintf("no public compute endpoint in region %s (the catalog has: %s); "
				"check instances.args.region_name", os->region, *regions ? regions : "none") :
			    ip_xasprintf("the catalog has compute endpoints in several regions (%s); "
				"set instances.args.region_name", *regions ? regions : "none");
		else if (!ip_url_ok(os->nova, &why))
			*err = ip_xasprintf("the catalog's compute endpoint: %s", why);
	}
	jv_free(catalog);
	jv_free(body);
	return *err ? -1 : 0;
}

/* auth_url as keystoneauth reads it: /v3 or /v2.0 at the end, else ask. */
static void
discover(struct os *os, const char *auth_url)
{
	char *u = strip_slash(auth_url), *v3 = NULL, *v2 = NULL;
	struct ip_req *r;
	jv body, vals;

	if (ends_with(u, "/v3") || ends_with(u, "/v2.0")) {
		os->v3 = ends_with(u, "/v3");
		os->auth_base = u;
		return;
	}
	r = ip_req_new("GET", auth_url);
	ip_req_header(r, "Accept: application/json");
	ip_http_do(os->run->http, r);
	body = ip_req_json(r);
	if (r->status == 200 || r->status == 300) {
		jv vs = get(body, "versions");
		if (jv_get_kind(vs) == JV_KIND_OBJECT)
			vals = get(vs, "values");
		else if (jv_get_kind(vs) == JV_KIND_ARRAY)
			vals = jv_copy(vs);
		else {
			jv one = get(body, "version");
			vals = jv_get_kind(one) == JV_KIND_OBJECT ? JV_ARRAY(jv_copy(one)) : jv_array();
			jv_free(one);
		}
		jv_free(vs);
		if (jv_get_kind(vals) == JV_KIND_ARRAY) {
			jv_array_foreach(vals, i, v) {
				const char *id = ip_get_str(v, "id");
				jv links = get(v, "links");
				char **slot = id == NULL ? NULL : strncmp(id, "v3", 2) == 0 ? &v3 :
				    strncmp(id, "v2.0", 4) == 0 ? &v2 : NULL;
				if (slot && *slot == NULL && jv_get_kind(links) == JV_KIND_ARRAY) {
					jv_array_foreach(links, k, l) {
						const char *rel = ip_get_str(l, "rel");
						const char *href = ip_get_str(l, "href");
						if (*slot == NULL && rel && href && strcmp(rel, "self") == 0)
							*slot = strip_slash(href);
						jv_free(l);
						(void)k;
					}
				}
				jv_free(links);
				jv_free(v);
				(void)i;
			}
		}
		jv_free(vals);
	}
	jv_free(body);
	if (v3 || v2) {
		os->v3 = v3 != NULL;
		os->auth_base = ip_xstrdup(v3 ? v3 : v2);
		ip_debug("keystone: version discovery chose %s", v3 ? "v3" : "v2.0");
	} else {
		/* discovery failed: keystone today is v3 only */
		ip_debug("keystone: version discovery: %s; trying v3", ip_req_error(r));
		os->v3 = 1;
		os->auth_base = ip_xasprintf("%s/v3", u);
	}
	free(v3);
	free(v2);
	free(u);
	ip_req_free(r);
}

/* ----------------------------------------------------------- nova calls */

static void call_submit(struct call *c);

static void
call_prepare(struct ip_req *r)
{
	struct call *c = r->ud;
	struct os *os = c->os;
	int body = r->body != NULL;

	ip_req_clear_headers(r);
	ip_req_header(r, "X-Auth-Token: %s", os->token);
	ip_req_header(r, "Accept: application/json");
	if (body)
		ip_req_header(r, "Content-Type: application/json");
	if (os->microversion)
		ip_req_header(r, "X-OpenStack-Nova-API-Version: %s", os->microversion);
	c->gen = os->gen;
}

static void
call_finish(struct call *c, struct ip_req *r)
{
	c->cb(c, r);
	ip_req_free(r);
	free(c);
}

static void
reauth_done(struct ip_req *r)
{
	struct os *os = r->ud;
	struct call *w = os->waiting, *next;
	char *err;
	int ok = auth_parse(os, r, 0, &err) == 0;

	if (ok)
		ip_info("keystone: token refreshed");
	else
		ip_warn("keystone: re-authentication failed: %s", err);
	free(err);
	ip_req_free(r);
	os->authing = 0;
	os->waiting = NULL;
	for (; w; w = next) {
		next = w->next;
		if (ok)
			call_submit(w);
		else
			call_finish(w, w->req);
	}
}

static void
call_done(struct ip_req *r)
{
	struct call *c = r->ud;
	struct os *os = c->os;

	if (r->status == 401 && c->gen != os->gen && c->resent < 3) {
		/* sent with a token replaced since: try the new one */
		c->resent++;
		call_submit(c);
		return;
	}
	if (r->status == 401 && !c->reauthed) {
		/* the token expired or was revoked: one new token, once */
		c->reauthed = 1;
		c->next = os->waiting;
		os->waiting = c;
		if (!os->authing) {
			struct ip_req *a = auth_req(os);
			os->authing = 1;
			ip_info("nova: HTTP 401, authenticating again");
			a->ud = os;
			a->done = reauth_done;
			ip_http_submit(os->run->http, a);
		}
		return;
	}
	call_finish(c, r);
}

static void
call_submit(struct call *c)
{
	ip_http_submit(c->os->run->http, c->req);
}

/* Start a nova call on path (relative to the endpoint) or a full URL. */
static void
nova(struct os *os, const char *method, const char *path, jv body,
    void (*cb)(struct call *, struct ip_req *), void *ud)
{
	struct call *c = ip_xcalloc(1, sizeof(*c));
	char *url = strncmp(path, "http", 4) == 0 ? ip_xstrdup(path) :
	    ip_xasprintf("%s%s", os->nova, path);

	c->os = os;
	c->cb = cb;
	c->ud = ud;
	c->req = ip_req_new(method, url);
	free(url);
	if (jv_is_valid(body))
		ip_req_json_body(c->req, body);
	else
		jv_free(body);
	c->req->ud = c;
	c->req->prepare = call_prepare;
	c->req->done = call_done;
	/* a create must never be sent twice behind our back */
	c->req->fresh_connect = strcmp(method, "POST") == 0;
	call_submit(c);
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
		char *e = api_error("nova", r);
		ip_warn("%s", e);
		free(e);
		l->failed = 1;
		l->done = 1;
		return;
	}
	body = ip_req_json(r);
	servers = get(body, "servers");
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
	links = get(body, "servers_links");
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
	CURL *e = curl_easy_init();
	char *filt = ip_xasprintf("%s-", os->run->ns), *ef, *em = NULL, *path;

	/* the plain prefix: nova reads it as an unanchored regex, others as a
	 * substring; both match it.  Namespaces are labels: no metacharacters */
	ef = curl_easy_escape(e, filt, 0);
	if (marker)
		em = curl_easy_escape(e, marker, 0);
	path = ip_xasprintf("/servers/detail?name=%s%s%s", ef, em ? "&marker=" : "", em ? em : "");
	nova(os, "GET", path, jv_invalid(), ls_done, l);
	free(path);
	curl_free(ef);
	curl_free(em);
	free(filt);
	curl_easy_cleanup(e);
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
	long long deadline;
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
	long d = jb->delay;

	jb->delay = jb->delay * 3 / 2;
	if (jb->delay > jb->os->run->poll_ms * 8)
		jb->delay = jb->os->run->poll_ms * 8;
	ip_http_timer(jb->os->run->http, d, poll_server, jb);
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
	s = get(body, "server");
	st = r->status == 200 ? ip_get_str(s, "status") : NULL;
	snprintf(status, sizeof(status), "%s", st ? st : "unknown");
	if (st && strcmp(st, "ERROR") == 0) {
		jv f = get(s, "fault");
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

	nova(jb->os, "GET", path, jv_invalid(), polled, jb);
	free(path);
}

static void post_server(struct job *jb);
static void building(struct job *jb);

/* After a failed POST whose fate is unknown: did nova make it anyway? */
static void
looked_up(struct call *c, struct ip_req *r)
{
	struct job *jb = c->ud;
	jv body = ip_req_json(r), servers = get(body, "servers");

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
	jv body = ip_req_json(r), s = get(body, "server");
	const char *id = ip_get_str(s, "id");

	if ((r->status >= 500 || r->status == 0) && jb->looks++ < 2) {
		/* not retried blindly: nova may have made the server */
		CURL *e = curl_easy_init();
		char *q = curl_easy_escape(e, jb->j->instance, 0);
		char *path = ip_xasprintf("/servers/detail?name=%s", q);
		free(jb->err);
		jb->err = api_error("nova", r);
		ip_info("%s: %s; looking whether the server exists", jb->name, jb->err);
		nova(jb->os, "GET", path, jv_invalid(), looked_up, jb);
		free(path);
		curl_free(q);
		curl_easy_cleanup(e);
		jv_free(s);
		jv_free(body);
		return;
	}
	if ((r->status != 202 && r->status != 200) || id == NULL) {
		jv_free(s);
		jv_free(body);
		job_fail(jb, "instances-create", r->status == 202 || r->status == 200 ?
		    ip_xasprintf("nova %s: no server id in the answer", r->what) :
		    api_error("nova", r));
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
	jb->deadline = ip_now_ms() + jb->os->run->timeout_ms;
	jb->delay = jb->os->run->poll_ms;
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
	s = set_str(s, "name", j->instance);
	s = set_str(s, "imageRef", os->image_id);
	s = set_str(s, "flavorRef", os->flavor_id);
	if (ud) {
		char *e = b64(ud, len);
		s = set_str(s, "user_data", e);
		free(e);
		free(ud);
	}
	s = jv_object_set(s, jv_string("metadata"), set_str(jv_object(), TAG, os->run->ns));
	if (os->key_name)
		s = set_str(s, "key_name", os->key_name);
	if (jv_get_kind(os->networks) == JV_KIND_ARRAY) {
		jv nets = jv_array();
		jv_array_foreach(os->networks, i, n)
			nets = jv_array_append(nets, JV_OBJECT(jv_string("uuid"), n));
		s = jv_object_set(s, jv_string("networks"), nets);
	} else if (os->microversion && atoi(os->microversion + 2) >= 37)
		s = set_str(s, "networks", "auto");	/* required from 2.37 on */
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
	nova(jb->os, "POST", "/servers", jv_copy(jb->body), created, jb);
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
	nova(jb->os, "GET", path, jv_invalid(), delete_check, jb);
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
		job_fail(jb, "instances-delete", api_error("nova", r));
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
		job_fail(jb, "instances-delete", api_error("nova", r));
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
		jb->delay = jb->delay * 3 / 2 > os->run->poll_ms * 8 ? os->run->poll_ms * 8 :
		    jb->delay * 3 / 2;
		ip_http_timer(os->run->http, d, wait_poll, jb);
		return;
	}
	body = ip_req_json(r);
	s = get(body, "server");
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
	nova(os, "DELETE", path, jv_invalid(), deleted, jb);
	free(path);
}

static void
os_delete(void *p, struct ip_job *j)
{
	struct os *os = p;
	struct job *jb = ip_xcalloc(1, sizeof(*jb));
	CURL *e = curl_easy_init();

	jb->body = jv_null();
	char *eid = curl_easy_escape(e, j->id, 0), *path;

	jb->os = os;
	jb->j = j;
	jb->name = ip_get_str(j->item, "name");
	/* look first: the id must still be this instance of ours */
	path = ip_xasprintf("/servers/%s", eid);
	nova(os, "GET", path, jv_invalid(), delete_check, jb);
	free(path);
	curl_free(eid);
	curl_easy_cleanup(e);
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
	struct ip_req *r;
	char *err;

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

	discover(os, auth_url);
	if (!ip_url_ok(os->auth_base, &why))
		ip_die(IP_EXIT_FATAL, "keystone: the discovered identity URL: %s", why);
	r = auth_req(os);
	ip_http_do(run->http, r);
	if (auth_parse(os, r, 1, &err) < 0)
		ip_die(IP_EXIT_FATAL, "%s", err);
	ip_debug("keystone %s: token for region %s", os->v3 ? "v3" : "v2.0",
	    os->region ? os->region : "(the only one)");
	ip_req_free(r);
	return os;
}

static void
os_close(void *p)
{
	struct os *os = p;

	free(os->auth_base);
	free(os->microversion);
	free(os->token);
	free(os->nova);
	jv_free(os->networks);
	jv_free(os->secgroups);
	free(os);
}

const struct ip_provider ip_provider_openstack = {
	.name = "openstack",
	.open = os_open,
	.ls = os_ls,
	.create = os_create,
	.delete = os_delete,
	.close = os_close,
};
