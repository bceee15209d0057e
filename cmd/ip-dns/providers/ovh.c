/* ovh: the OVH API v1 DNS zone records, with signed requests. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "../provider.h"
#include "cache.h"
#include "log.h"
#include "schema.h"
#include "stream.h"
#include "util.h"

/* Ids per batch read: what OVH's own manager sends in one call. */
#define BATCH_MAX 50
/* A check (credentials, zone, clock) holds for the runs of the next
 * minutes: the wrapper's listing and the stages after it. */
#define OVH_CHECK_TTL 600

static const struct {
	const char *name, *url;
} endpoints[] = {
	{ "ovh-eu", "https://eu.api.ovh.com/1.0" },
	{ "ovh-us", "https://api.us.ovhcloud.com/1.0" },
	{ "ovh-ca", "https://ca.api.ovh.com/1.0" },
	{ "kimsufi-eu", "https://eu.api.kimsufi.com/1.0" },
	{ "kimsufi-ca", "https://ca.api.kimsufi.com/1.0" },
	{ "soyoustart-eu", "https://eu.api.soyoustart.com/1.0" },
	{ "soyoustart-ca", "https://ca.api.soyoustart.com/1.0" },
};

struct ovh {
	struct ip_http *h;
	char *base;		/* endpoint URL without trailing slash */
	const char *ak, *as, *ck, *zone;
	long long delta;	/* server clock - our clock, from /auth/time */
	const char *key[6];	/* the cached check's (lib/cache.h) */
	int batch;		/* batch reads work (until the API says otherwise) */
};

struct call;
typedef void (*call_cb)(struct call *c, struct ip_req *r);

/* One logical operation; its requests point back to it. */
struct call {
	struct ovh *o;
	call_cb next;
	/* list */
	char *rtype, *sub;
	dns_list_cb lcb;
	jv ids, recs;
	size_t nids, pos;
	int running, failed;
	char *err;
	/* create */
	char *target;
	long ttl;
	int posts;		/* POSTs sent for this record */
	char *lost;		/* why the last POST's outcome is unknown */
	dns_rec_cb rcb;
	/* remove, commit */
	dns_done_cb dcb;
	void *ud;
};

static char *
hexsha1(const char *s, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *out;

	if (!EVP_Digest(s, len, md, &n, EVP_sha1(), NULL) || n != 20)
		ip_die(IP_EXIT_FATAL, "SHA-1 is not available");
	out = ip_xmalloc(3 + 2 * n + 1);
	strcpy(out, "$1$");
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 3 + 2 * i, "%02x", md[i]);
	return out;
}

/* "$1$" + hex(SHA1(AS+CK+METHOD+URL+BODY+TS)), all joined by "+". */
static char *
ovh_sign(void *p, const char *method, const char *url, const char *body, const char *ts)
{
	struct ovh *o = p;
	char *s = ip_xasprintf("%s+%s+%s+%s+%s+%s", o->as, o->ck, method, url,
	    body ? body : "", ts);
	char *sig = hexsha1(s, strlen(s));

	explicit_bzero(s, strlen(s));
	free(s);
	return sig;
}

/* Called before every attempt, so a retry carries a fresh timestamp. */
static void
prepare(struct ip_req *r)
{
	struct call *c = r->ud;
	struct ovh *o = c->o;
	char ts[32], *sig;
	int nobody = !strcmp(r->method, "GET") || !strcmp(r->method, "DELETE");

	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL) + o->delta);
	sig = ovh_sign(o, r->method, r->url, nobody ? "" : r->body, ts);
	ip_req_clear_headers(r);
	ip_req_header(r, "Accept: application/json");
	ip_req_header(r, "X-Ovh-Application: %s", o->ak);
	ip_req_header(r, "X-Ovh-Consumer: %s", o->ck);
	ip_req_header(r, "X-Ovh-Timestamp: %s", ts);
	ip_req_header(r, "X-Ovh-Signature: %s", sig);
	if (r->body && !nobody)
		ip_req_header(r, "Content-Type: application/json");
	/* a batch read is a GET whose last path segment lists ids */
	const char *last = strrchr(r->url, '/');
	if (!strcmp(r->method, "GET") && last && strchr(last, ',') && !strchr(last, '?'))
		ip_req_header(r, "X-Ovh-Batch: ,");
	free(sig);
}

/* An id (string or small number; consumed) as a string, or NULL. */
static char *
id_str(jv v)
{
	char *out = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING) {
		const char *s = ip_str(v);
		if (s && *s != '\0' && strspn(s, "0123456789") == strlen(s))
			out = ip_xstrdup(s);
	} else if (jv_get_kind(v) == JV_KIND_NUMBER) {
		double d = jv_number_value(v);
		if (d >= 0 && d <= 9007199254740992.0 && d == (double)(long long)d)
			out = ip_xasprintf("%lld", (long long)d);
	}
	jv_free(v);
	return out;
}

/* OVH's record shape -> ours; jv_invalid() when it is not a record. */
static jv
norm(jv r)
{
	jv out = jv_invalid();
	char *id;
	const char *ft, *target, *sub;
	jv ttl;

	if (jv_get_kind(r) != JV_KIND_OBJECT)
		goto done;
	id = id_str(jv_object_get(jv_copy(r), jv_string("id")));
	ft = ip_get_str(r, "fieldType");
	target = ip_get_str(r, "target");
	sub = ip_get_str(r, "subDomain");
	if (id == NULL || ft == NULL || target == NULL) {
		free(id);
		goto done;
	}
	ttl = jv_object_get(jv_copy(r), jv_string("ttl"));
	out = jv_object();
	out = jv_object_set(out, jv_string("id"), jv_string(id));
	out = jv_object_set(out, jv_string("subdomain"), jv_string(sub ? sub : ""));
	out = jv_object_set(out, jv_string("rtype"), jv_string(ft));
	out = jv_object_set(out, jv_string("target"), jv_string(target));
	out = jv_object_set(out, jv_string("ttl"),
	    jv_get_kind(ttl) == JV_KIND_NUMBER ? ttl : (jv_free(ttl), jv_number(0)));
	free(id);
done:
	jv_free(r);
	return out;
}

static const char *
hint(const char *code, const char *msg)
{
	if (code == NULL)
		code = "";
	if (msg == NULL)
		msg = "";
	if (!strcmp(code, "INVALID_KEY") || strstr(msg, "application key"))
		return "check dns.args.application_key and the endpoint it was created on";
	if (!strcmp(code, "NOT_CREDENTIAL") || strstr(msg, "credential does not exist"))
		return "dns.args.consumer_key is unknown to this endpoint: check it and dns.args.endpoint";
	if (!strcmp(code, "INVALID_CREDENTIAL") || strstr(msg, "credential is not valid"))
		return "dns.args.consumer_key is not valid: it was never validated, expired or was revoked; request a new one";
	if (!strcmp(code, "NOT_GRANTED_CALL") || strstr(msg, "not been granted"))
		return "the consumer key's access rules do not allow this call; grant GET, POST and DELETE on /domain/zone/*";
	if (!strcmp(code, "INVALID_SIGNATURE") || strstr(msg, "Invalid signature"))
		return "check dns.args.application_secret, and that the clock and any proxy leave requests unchanged";
	if (!strcmp(code, "QUERY_TIME_OUT") || strstr(msg, "out of time"))
		return "the request timestamp was refused: check the system clock";
	return NULL;
}

/* Both OVH error shapes, as one line: "GET /x: HTTP 403: CODE: message (hint)". */
static char *
errmsg(const struct ip_req *r)
{
	jv v = ip_json_parse_ids(r->resp, r->resp_len);
	const char *code = NULL, *cls = NULL, *msg = NULL, *h;
	char *out;

	if (r->cc != CURLE_OK || r->status == 0) {
		jv_free(v);
		return ip_xasprintf("%s: %s", r->what, ip_req_error(r));
	}
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		code = ip_get_str(v, "errorCode");
		cls = ip_get_str(v, "class");
		msg = ip_get_str(v, "message");
	}
	h = hint(code, msg);
	out = ip_xasprintf("%s: HTTP %ld%s%s%s%s%s%s%s", r->what, r->status,
	    code || cls ? ": " : "", code ? code : cls ? cls : "",
	    msg ? ": " : "", msg ? msg : "",
	    h ? " (" : "", h ? h : "", h ? ")" : "");
	jv_free(v);
	return out;
}

static void
req_done(struct ip_req *r)
{
	struct call *c = r->ud;

	/* refused credentials: the next run checks them again */
	if (r->status == 401 || r->status == 403)
		ip_cache_drop("ovh", c->o->key);
	c->next(c, r);
	ip_req_free(r);
}

static struct ip_req *
submit(struct call *c, const char *method, const char *path, jv body, call_cb next)
{
	char *url = ip_xasprintf("%s%s", c->o->base, path);
	struct ip_req *r = ip_req_new(method, url);

	free(url);
	if (jv_is_valid(body)) {
		jv s = jv_dump_string(body, 0);
		ip_req_set_body(r, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
		jv_free(s);
	} else
		jv_free(body);
	r->ud = c;
	r->prepare = prepare;
	r->done = req_done;
	c->next = next;
	ip_http_submit(c->o->h, r);
	return r;
}

static struct call *
call_new(struct ovh *o, void *ud)
{
	struct call *c = ip_xcalloc(1, sizeof(*c));

	c->o = o;
	c->ud = ud;
	c->ids = jv_invalid();
	c->recs = jv_invalid();
	return c;
}

static void
call_free(struct call *c)
{
	jv_free(c->ids);
	jv_free(c->recs);
	free(c->rtype);
	free(c->sub);
	free(c->target);
	free(c->lost);
	free(c->err);
	free(c);
}

static void *
ovh_open(const struct ip_config *cfg, struct ip_http *h)
{
	struct ovh *o = ip_xcalloc(1, sizeof(*o));
	const char *ep = ip_config_str(cfg, "dns.args.endpoint"), *why;

	o->h = h;
	o->batch = 1;
	o->zone = cfg->zone;
	for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		if (!strcmp(ep, endpoints[i].name))
			o->base = ip_xstrdup(endpoints[i].url);
	if (o->base == NULL) {
		if (strncmp(ep, "https://", 8) && strncmp(ep, "http://", 7))
			ip_config_die(cfg, "dns.args.endpoint", "unknown endpoint; use ovh-eu, "
			    "ovh-us, ovh-ca, kimsufi-eu, kimsufi-ca, soyoustart-eu, "
			    "soyoustart-ca or an https:// URL");
		if (!ip_url_ok(ep, &why))
			ip_config_die(cfg, "dns.args.endpoint", "%s", why);
		o->base = ip_xstrdup(ep);
		for (size_t n = strlen(o->base); n > 0 && o->base[n - 1] == '/'; n--)
			o->base[n - 1] = '\0';
	}
	o->ak = ip_config_str(cfg, "dns.args.application_key");
	o->as = ip_config_str(cfg, "dns.args.application_secret");
	o->ck = ip_config_str(cfg, "dns.args.consumer_key");
	return o;
}

static void
ovh_close(void *p)
{
	struct ovh *o = p;

	if (o) {
		free(o->base);
		free(o);
	}
}

static void
check_done(struct call *c, struct ip_req *r)
{
	if (r->status != 200)
		c->err = r->status == 404 ?
		    ip_xasprintf("zone %s: not found at this endpoint (HTTP 404); check dns.zone", c->o->zone) :
		    errmsg(r);
}

/* Clock offset once per run (GET /auth/time, unsigned), then a signed read
 * of the zone: bad keys or rules stop the run before anything changes. */
static char *
ovh_check(void *p)
{
	struct ovh *o = p;
	char *url = ip_xasprintf("%s/auth/time", o->base), *err = NULL;
	struct ip_req *r = ip_req_new("GET", url);
	struct call *c;
	const char **key = o->key;
	jv t;

	key[0] = o->base, key[1] = o->ak, key[2] = o->as, key[3] = o->ck, key[4] = o->zone;
	key[5] = NULL;
	t = ip_cache_load("ovh", key, 0);

	/* checked by an earlier run of this party (the wrapper's ls) */
	if (jv_get_kind(t) == JV_KIND_OBJECT) {
		jv d = ip_get(t, "delta");
		int ok = jv_get_kind(d) == JV_KIND_NUMBER;
		if (ok)
			o->delta = (long long)jv_number_value(d);
		jv_free(d);
		jv_free(t);
		if (ok) {
			free(url);
			ip_req_free(r);
			ip_debug("OVH: checked by an earlier run; clock offset %lld s", o->delta);
			return NULL;
		}
	} else
		jv_free(t);
	c = call_new(o, NULL);
	free(url);
	ip_req_header(r, "X-Ovh-Application: %s", o->ak);
	ip_http_do(o->h, r);
	t = ip_json_parse_ids(r->resp, r->resp_len);
	if (r->status != 200 || jv_get_kind(t) != JV_KIND_NUMBER)
		err = r->status == 200 ? ip_xasprintf("%s: not a time", r->what) : errmsg(r);
	else
		o->delta = (long long)jv_number_value(t) - (long long)time(NULL);
	jv_free(t);
	ip_req_free(r);
	if (err) {
		call_free(c);
		return err;
	}
	ip_debug("OVH clock offset: %lld s", o->delta);
	url = ip_xasprintf("%s/domain/zone/%s", o->base, o->zone);
	r = ip_req_new("GET", url);
	free(url);
	r->ud = c;
	r->prepare = prepare;
	ip_http_do(o->h, r);
	check_done(c, r);
	ip_req_free(r);
	err = c->err;
	c->err = NULL;
	call_free(c);
	if (err == NULL)
		ip_cache_store("ovh", key, JV_OBJECT(jv_string("delta"), jv_number((double)o->delta)),
		    (long long)time(NULL) + OVH_CHECK_TTL);
	return err;
}

/* ---- list: ids, then details (batch reads, else one GET per id) ---- */

static void list_more(struct call *c);

static void
list_finish(struct call *c)
{
	if (c->failed)
		c->lcb(c->ud, jv_array(), c->err ? c->err : "listing failed");
	else {
		c->lcb(c->ud, c->recs, NULL);
		c->recs = jv_invalid();
	}
	call_free(c);
}

static void
list_fail(struct call *c, char *err)
{
	if (!c->failed) {
		c->failed = 1;
		c->err = err;
	} else
		free(err);
}

static void
add_rec(struct call *c, jv rec)
{
	jv n = norm(rec);

	if (jv_is_valid(n))
		c->recs = jv_array_append(c->recs, n);
	else
		jv_free(n);
}

static void
got_one(struct call *c, struct ip_req *r)
{
	c->running--;
	if (r->status == 200)
		add_rec(c, ip_json_parse_ids(r->resp, r->resp_len));
	else if (r->status != 404)	/* 404: deleted since the list */
		list_fail(c, errmsg(r));
	list_more(c);
}

static void
got_batch(struct call *c, struct ip_req *r)
{
	jv v = ip_json_parse_ids(r->resp, r->resp_len);

	c->running--;
	if (r->status == 200 && jv_get_kind(v) == JV_KIND_ARRAY) {
		jv_array_foreach(v, i, el) {
			/* each element: {"key": id, "value": record, "error": ...} */
			jv val = jv_get_kind(el) == JV_KIND_OBJECT ?
			    jv_object_get(jv_copy(el), jv_string("value")) : jv_invalid();
			if (jv_get_kind(val) == JV_KIND_OBJECT)
				add_rec(c, val);
			else if (jv_get_kind(el) == JV_KIND_OBJECT &&
			    jv_object_has(jv_copy(el), jv_string("fieldType"))) {
				jv_free(val);
				add_rec(c, jv_copy(el));	/* a bare record */
			} else
				jv_free(val);	/* gone since the list */
			jv_free(el);
		}
	} else if (r->status == 400 || r->status == 404 || r->status == 200) {
		/* no batch here: read this chunk again one id at a time */
		ip_info("OVH refused a batch read (%s); reading records one by one",
		    r->status == 200 ? "unexpected answer" : ip_req_error(r));
		c->o->batch = 0;
		jv_free(v);
		/* the chunk's ids are in its URL; re-queue them */
		const char *last = strrchr(r->url, '/');
		char *ids = ip_xstrdup(last ? last + 1 : "");
		for (char *sv = NULL, *t = strtok_r(ids, ",", &sv); t; t = strtok_r(NULL, ",", &sv)) {
			char *path = ip_xasprintf("/domain/zone/%s/record/%s", c->o->zone, t);
			c->running++;
			submit(c, "GET", path, jv_invalid(), got_one);
			free(path);
		}
		free(ids);
		list_more(c);
		return;
	} else
		list_fail(c, errmsg(r));
	jv_free(v);
	list_more(c);
}

static void
list_more(struct call *c)
{
	while (!c->failed && c->pos < c->nids) {
		char *path;
		if (c->o->batch) {
			size_t n = c->nids - c->pos < BATCH_MAX ? c->nids - c->pos : BATCH_MAX;
			char *ids = ip_xstrdup("");
			for (size_t i = 0; i < n; i++) {
				jv id = jv_array_get(jv_copy(c->ids), (int)(c->pos + i));
				char *s = ip_xasprintf("%s%s%s", ids, i ? "," : "", jv_string_value(id));
				jv_free(id);
				free(ids);
				ids = s;
			}
			path = ip_xasprintf("/domain/zone/%s/record/%s", c->o->zone, ids);
			free(ids);
			c->pos += n;
			c->running++;
			submit(c, "GET", path, jv_invalid(), n > 1 ? got_batch : got_one);
		} else {
			jv id = jv_array_get(jv_copy(c->ids), (int)c->pos++);
			path = ip_xasprintf("/domain/zone/%s/record/%s", c->o->zone, jv_string_value(id));
			jv_free(id);
			c->running++;
			submit(c, "GET", path, jv_invalid(), got_one);
		}
		free(path);
	}
	if (c->running == 0)
		list_finish(c);
}

static void
got_ids(struct call *c, struct ip_req *r)
{
	jv v = ip_json_parse_ids(r->resp, r->resp_len);

	c->recs = jv_array();
	c->ids = jv_array();
	if (r->status != 200 || jv_get_kind(v) != JV_KIND_ARRAY) {
		list_fail(c, r->status == 200 ? ip_xasprintf("%s: not a list of ids", r->what) :
		    errmsg(r));
	} else {
		jv_array_foreach(v, i, el) {
			char *s = id_str(el);
			if (s == NULL) {
				list_fail(c, ip_xasprintf("%s: not a record id in the answer", r->what));
				break;
			}
			c->ids = jv_array_append(c->ids, jv_string(s));
			free(s);
		}
	}
	jv_free(v);
	c->nids = (size_t)jv_array_length(jv_copy(c->ids));
	list_more(c);
}

static void
ovh_list(void *p, const char *rtype, const char *sub, dns_list_cb cb, void *ud)
{
	struct ovh *o = p;
	struct call *c = call_new(o, ud);
	char *path, *esub = NULL;

	c->lcb = cb;
	c->rtype = ip_xstrdup(rtype);
	if (sub)
		esub = ip_url_escape(sub);
	path = ip_xasprintf("/domain/zone/%s/record?fieldType=%s%s%s", o->zone, rtype,
	    esub ? "&subDomain=" : "", esub ? esub : "");
	free(esub);
	submit(c, "GET", path, jv_invalid(), got_ids);
	free(path);
}

/* ---- create ---- */

/* POSTs for one record at most: a POST whose outcome is unknown (a lost
 * answer, a 5xx) is looked up first, and sent again only when the record
 * is not there (so that POST surely did not happen). */
#define POSTS_MAX 3

static void post_record(struct call *c);

/* The newest record of recs exactly as asked (names case-insensitively, as
 * DNS has them), or jv_null(). */
static jv
newest_exact(struct call *c, jv recs)
{
	jv best = jv_null();

	jv_array_foreach(recs, i, rec) {
		const char *sub = ip_get_str(rec, "subdomain"), *id = ip_get_str(rec, "id");
		const char *rt = ip_get_str(rec, "rtype"), *tg = ip_get_str(rec, "target");
		if (sub && id && rt && tg && !strcasecmp(sub, c->sub) && !strcmp(rt, c->rtype) &&
		    !strcmp(tg, c->target) && (jv_get_kind(best) != JV_KIND_OBJECT ||
		    strlen(id) > strlen(ip_get_str(best, "id")) ||
		    (strlen(id) == strlen(ip_get_str(best, "id")) &&
		    strcmp(id, ip_get_str(best, "id")) > 0))) {
			jv_free(best);
			best = jv_copy(rec);
		}
		jv_free(rec);
		(void)i;
	}
	jv_free(recs);
	return best;
}

static void
found_after_zero(void *ud, jv recs, const char *err)
{
	struct call *c = ud;
	jv best = err ? (jv_free(recs), jv_null()) : newest_exact(c, recs);

	/* the answer said id 0: the newest exact match is ours */
	if (err)
		c->rcb(c->ud, jv_invalid(), err);
	else if (jv_get_kind(best) != JV_KIND_OBJECT) {
		jv_free(best);
		c->rcb(c->ud, jv_invalid(), "the record was created with id 0 and could not be found again");
		best = jv_invalid();
	} else
		c->rcb(c->ud, best, NULL);
	call_free(c);
}

/* After a POST whose answer was lost or a 5xx: the record may exist. */
static void
found_after_lost(void *ud, jv recs, const char *err)
{
	struct call *c = ud;
	jv best = err ? (jv_free(recs), jv_null()) : newest_exact(c, recs);

	if (jv_get_kind(best) == JV_KIND_OBJECT) {
		ip_info("%s: the %s record was made despite the error (%s)", c->sub, c->rtype, c->lost);
		c->rcb(c->ud, best, NULL);
		call_free(c);
		return;
	}
	jv_free(best);
	if (err == NULL && c->posts < POSTS_MAX) {
		ip_info("%s: no %s record was made (%s), asking again", c->sub, c->rtype, c->lost);
		post_record(c);
		return;
	}
	char *e = err ? ip_xasprintf("%s; and looking the record up: %s", c->lost, err) :
	    ip_xasprintf("%s (%d attempts; no record was made)", c->lost, c->posts);
	c->rcb(c->ud, jv_invalid(), e);
	free(e);
	call_free(c);
}

static void
created(struct call *c, struct ip_req *r)
{
	jv rec;
	char *err;

	if (r->status == 0 || r->status >= 500) {
		/* sent, and maybe done: look before asking again */
		free(c->lost);
		c->lost = errmsg(r);
		ip_debug("%s: %s: looking the record up", c->sub, c->lost);
		ovh_list(c->o, c->rtype, c->sub, found_after_lost, c);
		return;
	}
	if (r->status != 200) {
		err = errmsg(r);
		c->rcb(c->ud, jv_invalid(), err);
		free(err);
		call_free(c);
		return;
	}
	rec = norm(ip_json_parse_ids(r->resp, r->resp_len));
	if (jv_is_valid(rec) && strcmp(ip_get_str(rec, "id"), "0") != 0) {
		c->rcb(c->ud, rec, NULL);
		call_free(c);
		return;
	}
	/* OVH sometimes answers id 0 (a known API bug): look the record up */
	jv_free(rec);
	ip_debug("%s: answer without a usable id, listing to find it", c->sub);
	ovh_list(c->o, c->rtype, c->sub, found_after_zero, c);
}

static void
post_record(struct call *c)
{
	char *path = ip_xasprintf("/domain/zone/%s/record", c->o->zone);
	jv body = jv_object();

	c->posts++;
	body = jv_object_set(body, jv_string("fieldType"), jv_string(c->rtype));
	body = jv_object_set(body, jv_string("subDomain"), jv_string(c->sub));
	body = jv_object_set(body, jv_string("target"), jv_string(c->target));
	body = jv_object_set(body, jv_string("ttl"), jv_number((double)c->ttl));
	/* a new connection: on a reused one that dies, libcurl would send the
	 * POST again on its own, unseen */
	submit(c, "POST", path, body, created)->fresh_connect = 1;
	free(path);
}

static void
ovh_create(void *p, const char *sub, const char *rtype, const char *target, long ttl,
    dns_rec_cb cb, void *ud)
{
	struct ovh *o = p;
	struct call *c = call_new(o, ud);

	c->rcb = cb;
	c->sub = ip_xstrdup(sub);
	c->rtype = ip_xstrdup(rtype);
	c->target = ip_xstrdup(target);
	c->ttl = ttl;
	post_record(c);
}

/* ---- remove, commit ---- */

static void
removed(struct call *c, struct ip_req *r)
{
	char *err = NULL;

	if (r->status != 200 && r->status != 204 && r->status != 404)
		err = errmsg(r);
	c->dcb(c->ud, err);
	free(err);
	call_free(c);
}

static void
ovh_remove(void *p, const char *id, dns_done_cb cb, void *ud)
{
	struct ovh *o = p;
	struct call *c;
	char *path;

	if (strspn(id, "0123456789") != strlen(id)) {
		char *e = ip_xasprintf("record id %s is not an OVH record id: not deleted", id);
		cb(ud, e);
		free(e);
		return;
	}
	c = call_new(o, ud);
	path = ip_xasprintf("/domain/zone/%s/record/%s", o->zone, id);
	c->dcb = cb;
	submit(c, "DELETE", path, jv_invalid(), removed);
	free(path);
}

static void
committed(struct call *c, struct ip_req *r)
{
	char *err = NULL;

	if (r->status != 200 && r->status != 204)
		err = errmsg(r);
	c->dcb(c->ud, err);
	free(err);
	call_free(c);
}

static void
ovh_commit(void *p, dns_done_cb cb, void *ud)
{
	struct ovh *o = p;
	struct call *c = call_new(o, ud);
	char *path = ip_xasprintf("/domain/zone/%s/refresh", o->zone);

	c->dcb = cb;
	/* refreshing twice is harmless: retry it like a read */
	submit(c, "POST", path, jv_invalid(), committed)->idempotent = 1;
	free(path);
}

const struct dns_provider ip_dns_provider_ovh = {
	.name = "ovh",
	/* "not over 60 req/min by consumer key" (python-ovh issue 81) */
	.budget = "60/min",
	.open = ovh_open,
	.check = ovh_check,
	.list = ovh_list,
	.create = ovh_create,
	.remove = ovh_remove,
	.commit = ovh_commit,
	.close = ovh_close,
	.sign = ovh_sign,
};

/* For tests/fuzz only: an OVH answer (a record, a batch read, a list of
 * ids or an error) read as the operations above read it. */
jv
ip_ovh_parse(const char *text, size_t len, int status)
{
	struct ip_req r = { .what = "GET /x", .status = status, .resp = (char *)text,
	    .resp_len = len };
	jv v = ip_json_parse_ids(text, len), out = jv_array();
	char *err = status == 200 ? NULL : errmsg(&r);

	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv_array_foreach(v, i, el) {
			char *id = jv_get_kind(el) != JV_KIND_OBJECT ? id_str(jv_copy(el)) : NULL;
			jv val = jv_get_kind(el) == JV_KIND_OBJECT ?
			    jv_object_get(jv_copy(el), jv_string("value")) : jv_invalid();
			jv n = norm(jv_get_kind(val) == JV_KIND_OBJECT ? val : (jv_free(val), jv_copy(el)));
			out = jv_array_append(out, jv_is_valid(n) ? n : (jv_free(n), id ? jv_string(id) : jv_null()));
			free(id);
			jv_free(el);
			(void)i;
		}
	} else {
		jv n = norm(jv_copy(v));
		out = jv_array_append(out, jv_is_valid(n) ? n : (jv_free(n), jv_null()));
	}
	if (err)
		out = jv_array_append(out, jv_string(err));
	free(err);
	jv_free(v);
	return out;
}
