/* keystone: OpenStack identity (v3, v2.0, version discovery) and the
 * nova call layer that sends the token and logs in again on a 401. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "log.h"
#include "openstack.h"
#include "stream.h"

/* One line from an OpenStack error body: {"<kind>": {"message": ...}} for
 * nova, {"error": {"message": ...}} for keystone, else the HTTP status. */
char *
os_api_error(const char *svc, const struct ip_req *r)
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

char *
os_b64(const char *s, size_t n)
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

char *
os_strip_slash(const char *s)
{
	char *d = ip_xstrdup(s);
	size_t n = strlen(d);

	while (n > 0 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

int
os_ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

jv
os_set_str(jv o, const char *k, const char *v)
{
	return jv_object_set(o, jv_string(k), v ? jv_string(v) : jv_null());
}

/* ------------------------------------------------------------- identity */

static void
auth_body(struct os *os, struct ip_req *r)
{
	jv b;

	if (os->v3) {
		jv user = jv_object(), scope = jv_object();
		user = os_set_str(user, "name", os->username);
		user = jv_object_set(user, jv_string("domain"),
		    os_set_str(jv_object(), "name", os->user_domain));
		user = os_set_str(user, "password", os->password);
		if (os->tenant_id)
			scope = os_set_str(scope, "id", os->tenant_id);
		else {
			scope = os_set_str(scope, "name", os->tenant_name);
			scope = jv_object_set(scope, jv_string("domain"),
			    os_set_str(jv_object(), "name", os->project_domain));
		}
		b = JV_OBJECT(jv_string("auth"), JV_OBJECT(
		    jv_string("identity"), JV_OBJECT(
			jv_string("methods"), JV_ARRAY(jv_string("password")),
			jv_string("password"), JV_OBJECT(jv_string("user"), user)),
		    jv_string("scope"), JV_OBJECT(jv_string("project"), scope)));
	} else {
		jv a = jv_object();
		if (os->tenant_id)
			a = os_set_str(a, "tenantId", os->tenant_id);
		else
			a = os_set_str(a, "tenantName", os->tenant_name);
		a = jv_object_set(a, jv_string("passwordCredentials"), JV_OBJECT(
		    jv_string("username"), jv_string(os->username),
		    jv_string("password"), jv_string(os->password)));
		b = JV_OBJECT(jv_string("auth"), a);
	}
	ip_req_json_body(r, b);
	ip_req_header(r, "Accept: application/json");
}

struct ip_req *
os_auth_req(struct os *os)
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
		jv eps = type && strcmp(type, "compute") == 0 ? ip_get(svc, "endpoints") : jv_null();
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
						url = os_strip_slash(u);
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
int
os_auth_parse(struct os *os, struct ip_req *r, int first, char **err)
{
	jv body = ip_req_json(r), catalog;
	const char *tok;
	char regions[512] = "";

	*err = NULL;
	if (r->status != 200 && r->status != 201) {
		char *e = os_api_error("keystone", r);
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
		jv t = ip_get(body, "token");
		catalog = ip_get(t, "catalog");
		os->expires = ip_cache_iso_time(ip_get_str(t, "expires_at"));
		jv_free(t);
	} else {
		jv a = ip_get(body, "access"), t = ip_get(a, "token");
		tok = ip_get_str(t, "id");
		tok = tok ? ip_xstrdup(tok) : NULL;
		os->expires = ip_cache_iso_time(ip_get_str(t, "expires"));
		catalog = ip_get(a, "serviceCatalog");
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
os_discover(struct os *os, const char *auth_url)
{
	char *u = os_strip_slash(auth_url), *v3 = NULL, *v2 = NULL;
	struct ip_req *r;
	jv body, vals;

	if (os_ends_with(u, "/v3") || os_ends_with(u, "/v2.0")) {
		os->v3 = os_ends_with(u, "/v3");
		os->auth_base = u;
		return;
	}
	r = ip_req_new("GET", auth_url);
	ip_req_header(r, "Accept: application/json");
	ip_http_do(os->run->http, r);
	body = ip_req_json(r);
	if (r->status == 200 || r->status == 300) {
		jv vs = ip_get(body, "versions");
		if (jv_get_kind(vs) == JV_KIND_OBJECT)
			vals = ip_get(vs, "values");
		else if (jv_get_kind(vs) == JV_KIND_ARRAY)
			vals = jv_copy(vs);
		else {
			jv one = ip_get(body, "version");
			vals = jv_get_kind(one) == JV_KIND_OBJECT ? JV_ARRAY(jv_copy(one)) : jv_array();
			jv_free(one);
		}
		jv_free(vs);
		if (jv_get_kind(vals) == JV_KIND_ARRAY) {
			jv_array_foreach(vals, i, v) {
				const char *id = ip_get_str(v, "id");
				jv links = ip_get(v, "links");
				char **slot = id == NULL ? NULL : strncmp(id, "v3", 2) == 0 ? &v3 :
				    strncmp(id, "v2.0", 4) == 0 ? &v2 : NULL;
				if (slot && *slot == NULL && jv_get_kind(links) == JV_KIND_ARRAY) {
					jv_array_foreach(links, k, l) {
						const char *rel = ip_get_str(l, "rel");
						const char *href = ip_get_str(l, "href");
						if (*slot == NULL && rel && href && strcmp(rel, "self") == 0)
							*slot = os_strip_slash(href);
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


/* ------------------------------------------------------- token cache */

/* Keep the token for the next runs of this party (lib/cache.h): the
 * wrapper's check and the stages after it log in once. */
static void
cache_token(const struct os *os)
{
	if (os->expires < 0 || os->nova == NULL)
		return;	/* no known end: never reused */
	ip_cache_store("keystone", os->cache_key, JV_OBJECT(
	    jv_string("token"), jv_string(os->token),
	    jv_string("nova"), jv_string(os->nova),
	    jv_string("auth_base"), jv_string(os->auth_base),
	    jv_string("v3"), jv_bool(os->v3)), os->expires);
}

/* A token of an earlier run that still has a while to live. */
static int
cached_token(struct os *os)
{
	/* a token must outlast what a stage starts with it; a 401 later
	 * still logs in again, once */
	jv v = ip_cache_load("keystone", os->cache_key, 120);
	const char *tok = ip_get_str(v, "token"), *nova = ip_get_str(v, "nova");
	const char *base = ip_get_str(v, "auth_base"), *why;
	jv v3 = ip_get(v, "v3");
	int ok = tok && *tok && nova && base && ip_url_ok(nova, &why) && ip_url_ok(base, &why) &&
	    (jv_get_kind(v3) == JV_KIND_TRUE || jv_get_kind(v3) == JV_KIND_FALSE);

	if (ok) {
		os->token = ip_xstrdup(tok);
		ip_secret(os->token);
		os->nova = ip_xstrdup(nova);
		os->auth_base = ip_xstrdup(base);
		os->v3 = jv_get_kind(v3) == JV_KIND_TRUE;
		os->gen++;
	}
	jv_free(v3);
	jv_free(v);
	return ok;
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
	if (os->microversion && !c->v21)
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
	int ok = os_auth_parse(os, r, 0, &err) == 0;

	if (ok) {
		ip_info("keystone: token refreshed");
		cache_token(os);
	} else {
		ip_warn("keystone: re-authentication failed: %s", err);
		ip_cache_drop("keystone", os->cache_key);
	}
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
			struct ip_req *a = os_auth_req(os);
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

static void
nova_call(struct os *os, int v21, const char *method, const char *path, jv body,
    void (*cb)(struct call *, struct ip_req *), void *ud)
{
	struct call *c = ip_xcalloc(1, sizeof(*c));
	char *url = strncmp(path, "http", 4) == 0 ? ip_xstrdup(path) :
	    ip_xasprintf("%s%s", os->nova, path);

	c->os = os;
	c->v21 = v21;
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

/* Start a nova call on path (relative to the endpoint) or a full URL. */
void
os_nova(struct os *os, const char *method, const char *path, jv body,
    void (*cb)(struct call *, struct ip_req *), void *ud)
{
	nova_call(os, 0, method, path, body, cb, ud);
}

void
os_nova_v21(struct os *os, const char *method, const char *path,
    void (*cb)(struct call *, struct ip_req *), void *ud)
{
	nova_call(os, 1, method, path, jv_invalid(), cb, ud);
}

void
os_login(struct os *os, const char *auth_url)
{
	struct ip_req *r;
	const char *why;
	char *err;

	const char **k = os->cache_key;
	*k++ = auth_url;
	*k++ = os->username;
	*k++ = os->password;	/* another password: another entry, checked anew */
	*k++ = os->tenant_id ? os->tenant_id : "";
	*k++ = os->tenant_name ? os->tenant_name : "";
	*k++ = os->user_domain;
	*k++ = os->project_domain;
	*k++ = os->region ? os->region : "";
	*k = NULL;
	if (cached_token(os)) {
		ip_debug("keystone: the token of an earlier run, from the cache");
		return;
	}
	os_discover(os, auth_url);
	if (!ip_url_ok(os->auth_base, &why))
		ip_die(IP_EXIT_FATAL, "keystone: the discovered identity URL: %s", why);
	r = os_auth_req(os);
	ip_http_do(os->run->http, r);
	if (os_auth_parse(os, r, 1, &err) < 0)
		ip_die(IP_EXIT_FATAL, "%s", err);
	ip_debug("keystone %s: token for region %s", os->v3 ? "v3" : "v2.0",
	    os->region ? os->region : "(the only one)");
	ip_req_free(r);
	cache_token(os);
}
