/* hcloud: the Hetzner Cloud API calls both Hetzner providers share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcloud.h"
#include "log.h"
#include "stream.h"
#include "util.h"

#define MAX_PAGES 10000
#define ACTIONS_PER_POLL 25	/* hcloud-go action_waiter.go chunks ids by 25 */
#define RESERVE 20		/* requests kept back: below this, pace */

struct waiter {
	char *id;
	char *outcome;		/* known at once: error line, or NULL for success */
	int seen;		/* in the last poll's answer */
	long long deadline;
	hc_action_cb cb;
	void *ud;
	struct waiter *next;
};

struct hc {
	struct ip_http *h;
	char *base;
	const char *token;
	long poll_ms;
	/* the budget, from the last answer's RateLimit-* headers */
	long limit, remaining;
	long long next_slot;	/* monotonic ms: the next paced request */
	int pacing_said;
	long requests, limited;
	/* actions being waited for, and the one poll timer */
	struct waiter *waiting;
	int polling;
	long delay;
};

struct call {
	struct hc *c;
	hc_cb cb;
	void *ud;
	struct ip_req *r;
	int conflicts;
};

static void submit_now(void *arg);

char *
hc_id(jv v)
{
	char *out = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING) {
		const char *s = ip_str(v);
		if (s && *s != '\0' && strlen(s) < 24 && strspn(s, "0123456789") == strlen(s))
			out = ip_xstrdup(s);
	} else if (jv_get_kind(v) == JV_KIND_NUMBER) {
		double d = jv_number_value(v);
		if (d >= 0 && d <= 9007199254740992.0 && d == (double)(long long)d)
			out = ip_xasprintf("%lld", (long long)d);
	}
	jv_free(v);
	return out;
}

const char *
hc_error_code(jv body)
{
	jv e = ip_get(body, "error");
	const char *code = ip_get_str(e, "code");	/* borrowed from body */

	jv_free(e);
	return code;
}

char *
hc_error(const struct ip_req *r, jv body)
{
	jv e = ip_get(body, "error"), det, fields;
	const char *code = ip_get_str(e, "code"), *msg = ip_get_str(e, "message");
	char extra[256] = "", *out;

	if (r->status == 0 || r->cc != CURLE_OK) {
		jv_free(e);
		return ip_xasprintf("%s: %s", r->what, ip_req_error(r));
	}
	/* invalid_input names its fields: say which */
	det = ip_get(e, "details");
	fields = ip_get(det, "fields");
	if (jv_get_kind(fields) == JV_KIND_ARRAY) {
		jv_array_foreach(fields, i, f) {
			const char *n = ip_get_str(f, "name");
			if (n && strlen(extra) + strlen(n) + 12 < sizeof(extra))
				snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
				    "%s%s", *extra ? ", " : " (fields: ", n);
			jv_free(f);
			(void)i;
		}
		if (*extra)
			strcat(extra, ")");
	}
	jv_free(fields);
	jv_free(det);
	out = ip_xasprintf("%s: HTTP %ld%s%s%s%s%s", r->what, r->status,
	    code ? ": " : "", code ? code : "", msg ? ": " : "", msg ? msg : "", extra);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	jv_free(e);
	return out;
}

struct hc *
hc_new(struct ip_http *h, const char *endpoint, const char *token, long poll_ms)
{
	struct hc *c = ip_xcalloc(1, sizeof(*c));
	size_t n;

	c->h = h;
	c->base = ip_xstrdup(endpoint);
	for (n = strlen(c->base); n > 0 && c->base[n - 1] == '/'; n--)
		c->base[n - 1] = '\0';
	c->token = token;
	c->poll_ms = poll_ms > 0 ? poll_ms : 2000;
	c->limit = 3600;
	c->remaining = -1;
	return c;
}

void
hc_free(struct hc *c)
{
	if (c == NULL)
		return;
	if (c->remaining >= 0)
		ip_debug("hetzner: %ld request(s) this run%s; %ld of %ld left this hour",
		    c->requests, c->limited ? " (some refused for the rate limit and sent "
		    "again)" : "", c->remaining, c->limit);
	while (c->waiting) {
		struct waiter *w = c->waiting;
		c->waiting = w->next;
		free(w->id);
		free(w);
	}
	free(c->base);
	free(c);
}

/* ------------------------------------------------------------ pacing */

/* One request every 3600/limit seconds refills the budget (the API's
 * "increases by 1 every second" at 3600 an hour). */
static long
refill_ms(const struct hc *c)
{
	return c->limit > 0 ? 3600000L / c->limit : 1000;
}

/* When the next request may go: now while the budget lasts, else one per
 * refill.  Takes the slot. */
static long
slot_delay(struct hc *c)
{
	long long now = ip_now_ms(), at;

	if (c->remaining < 0 || c->remaining > RESERVE)
		return 0;
	if (!c->pacing_said) {
		ip_info("hetzner: %ld of %ld API requests left this hour: pacing at one "
		    "request every %.1fs", c->remaining, c->limit, refill_ms(c) / 1000.0);
		c->pacing_said = 1;
	}
	at = c->next_slot > now ? c->next_slot : now;
	c->next_slot = at + refill_ms(c);
	return (long)(at - now);
}

static void
note_limits(struct hc *c, const struct ip_req *r)
{
	const char *l = ip_req_resp_header(r, "ratelimit-limit");
	const char *rem = ip_req_resp_header(r, "ratelimit-remaining");

	if (l && atol(l) > 0)
		c->limit = atol(l);
	if (rem)
		c->remaining = atol(rem) < 0 ? 0 : atol(rem);
	if (c->remaining > RESERVE * 2)
		c->pacing_said = 0;
}

/* 429: the budget is spent; one request comes back every refill. */
static long
retry_delay(const struct ip_req *r)
{
	struct call *k = r->ud;
	struct hc *c = k->c;
	const char *ra = ip_req_resp_header(r, "retry-after");
	long d;

	note_limits(c, r);
	if (r->status != 429)
		return -1;
	c->limited++;
	c->remaining = 0;
	d = slot_delay(c);
	if (d < refill_ms(c))
		d = refill_ms(c);
	if (ra && atol(ra) * 1000 > d)
		d = atol(ra) > 300 ? 300000 : atol(ra) * 1000;
	return d;
}

/* ------------------------------------------------------------- calls */

static void
prepare(struct ip_req *r)
{
	struct call *k = r->ud;
	int body = r->body != NULL;

	ip_req_clear_headers(r);
	ip_req_header(r, "Authorization: Bearer %s", k->c->token);
	ip_req_header(r, "Accept: application/json");
	if (body)
		ip_req_header(r, "Content-Type: application/json");
	k->c->requests++;
}

static void
call_done(struct ip_req *r)
{
	struct call *k = r->ud;
	jv body = ip_json_parse_ids(r->resp, r->resp_len);
	const char *code = hc_error_code(body);

	note_limits(k->c, r);
	if (r->status == 409 && code && strcmp(code, "conflict") == 0 && k->conflicts < 3) {
		/* "the resource has changed during the request, please retry":
		 * nothing was done; hcloud-go and hcloud-python send it again */
		k->conflicts++;
		ip_info("%s: HTTP 409 conflict, sending it again", r->what);
		jv_free(body);
		ip_http_timer(k->c->h, 500L * k->conflicts, submit_now, k);
		return;
	}
	k->cb(k->ud, r, body);
	ip_req_free(r);
	free(k);
}

static void
submit_now(void *arg)
{
	struct call *k = arg;

	ip_http_submit(k->c->h, k->r);
}

static struct call *
call_new(struct hc *c, const char *method, const char *path, jv body)
{
	struct call *k = ip_xcalloc(1, sizeof(*k));
	char *url = ip_xasprintf("%s%s", c->base, path);
	const char *q = strchr(path, '?');

	k->c = c;
	k->r = ip_req_new(method, url);
	free(url);
	if (jv_is_valid(body))
		ip_req_json_body(k->r, body);
	else
		jv_free(body);
	snprintf(k->r->what, sizeof(k->r->what), "hetzner %s %.*s", method,
	    q ? (int)(q - path) : (int)strlen(path), path);
	k->r->ud = k;
	k->r->prepare = prepare;
	k->r->retry_delay = retry_delay;
	/* a create must never be sent twice behind our back */
	k->r->fresh_connect = strcmp(method, "POST") == 0;
	return k;
}

void
hc_call(struct hc *c, const char *method, const char *path, jv body, hc_cb cb, void *ud)
{
	struct call *k = call_new(c, method, path, body);
	long d = slot_delay(c);

	k->cb = cb;
	k->ud = ud;
	k->r->done = call_done;
	if (d > 0)
		ip_http_timer(c->h, d, submit_now, k);
	else
		submit_now(k);
}

jv
hc_call_sync(struct hc *c, const char *method, const char *path, jv body, struct ip_req **rp)
{
	struct call *k = call_new(c, method, path, body);
	struct ip_req *r = k->r;
	long d = slot_delay(c);
	jv out;

	if (d > 0) {
		long long until = ip_now_ms() + d;
		while (ip_now_ms() < until)
			ip_http_step(c->h, -1, NULL, (long)(until - ip_now_ms()));
	}
	ip_http_do(c->h, r);
	note_limits(c, r);
	out = ip_json_parse_ids(r->resp, r->resp_len);
	free(k);
	r->ud = NULL;
	r->retry_delay = NULL;
	r->prepare = NULL;
	*rp = r;
	return out;
}

/* -------------------------------------------------------------- lists */

struct list {
	struct hc *c;
	char *path, *key;
	jv items;
	int pages;
	hc_list_cb cb;
	void *ud;
};

static void list_page(struct list *l, long page);

static void
list_end(struct list *l, const char *err)
{
	if (err)
		l->cb(l->ud, jv_array(), err);
	else {
		l->cb(l->ud, l->items, NULL);
		l->items = jv_invalid();
	}
	jv_free(l->items);
	free(l->path);
	free(l->key);
	free(l);
}

static void
list_got(void *ud, struct ip_req *r, jv body)
{
	struct list *l = ud;
	jv arr = ip_get(body, l->key), meta, pg, next;
	long np = 0;

	if (r->status != 200 || jv_get_kind(arr) != JV_KIND_ARRAY) {
		char *e = r->status == 200 ?
		    ip_xasprintf("%s: no %s in the answer", r->what, l->key) : hc_error(r, body);
		jv_free(arr);
		jv_free(body);
		list_end(l, e);
		free(e);
		return;
	}
	jv_array_foreach(arr, i, it) {
		l->items = jv_array_append(l->items, it);
		(void)i;
	}
	jv_free(arr);
	l->pages++;
	meta = ip_get(body, "meta");
	pg = ip_get(meta, "pagination");
	next = ip_get(pg, "next_page");
	if (jv_get_kind(next) == JV_KIND_NUMBER)
		np = (long)jv_number_value(next);
	jv_free(next);
	jv_free(pg);
	jv_free(meta);
	jv_free(body);
	/* next_page null (or missing, or not ahead): that was the last page */
	if (np > l->pages && l->pages < MAX_PAGES)
		list_page(l, np);
	else
		list_end(l, NULL);
}

static void
list_page(struct list *l, long page)
{
	char *p = ip_xasprintf("%s%cpage=%ld&per_page=%d", l->path,
	    strchr(l->path, '?') ? '&' : '?', page, HC_PER_PAGE);

	hc_call(l->c, "GET", p, jv_invalid(), list_got, l);
	free(p);
}

void
hc_list(struct hc *c, const char *path, const char *key, hc_list_cb cb, void *ud)
{
	struct list *l = ip_xcalloc(1, sizeof(*l));

	l->c = c;
	l->path = ip_xstrdup(path);
	l->key = ip_xstrdup(key);
	l->items = jv_array();
	l->cb = cb;
	l->ud = ud;
	list_page(l, 1);
}

/* ------------------------------------------------------------ actions */

static void poll_actions(void *arg);

static void
schedule_poll(struct hc *c)
{
	if (c->polling || c->waiting == NULL)
		return;
	c->polling = 1;
	ip_http_timer(c->h, c->delay, poll_actions, c);
	/* slower as the wait goes on; new actions join the same polls */
	c->delay = c->delay * 3 / 2 > c->poll_ms * 4 ? c->poll_ms * 4 : c->delay * 3 / 2;
}

/* Take w out of the list and tell its owner. */
static void
waiter_end(struct hc *c, struct waiter *w, const char *err)
{
	struct waiter **pp;

	for (pp = &c->waiting; *pp && *pp != w; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = w->next;
	w->cb(w->ud, err);
	free(w->id);
	free(w);
}

/* An action's outcome as an error line, NULL when it succeeded, "" while
 * it still runs. */
static char *
action_outcome(jv a)
{
	const char *st = ip_get_str(a, "status"), *cmd = ip_get_str(a, "command");
	jv e;
	char *out;

	if (st && strcmp(st, "success") == 0)
		return NULL;
	if (st == NULL || strcmp(st, "running") == 0)
		return ip_xstrdup("");
	e = ip_get(a, "error");
	out = ip_xasprintf("action %s %s: %s%s%s", cmd ? cmd : "(unnamed)", st,
	    ip_get_str(e, "code") ? ip_get_str(e, "code") : "no error code",
	    ip_get_str(e, "message") ? ": " : "",
	    ip_get_str(e, "message") ? ip_get_str(e, "message") : "");
	jv_free(e);
	return out;
}

struct poll {
	struct hc *c;
	char *ids;		/* "id,id,..." asked in this poll */
};

static void
actions_got(void *ud, struct ip_req *r, jv body)
{
	struct poll *p = ud;
	struct hc *c = p->c;
	jv acts = ip_get(body, "actions");
	long long now = ip_now_ms();
	struct waiter *w, *next;

	c->polling = 0;
	if (r->status == 200 && jv_get_kind(acts) == JV_KIND_ARRAY) {
		jv_array_foreach(acts, i, a) {
			char *id = hc_id(ip_get(a, "id"));
			for (w = c->waiting; id && w; w = next) {
				next = w->next;
				if (strcmp(w->id, id) != 0)
					continue;
				w->seen = 1;
				char *o = action_outcome(a);
				if (o == NULL || *o)
					waiter_end(c, w, o);
				free(o);
				break;
			}
			free(id);
			jv_free(a);
			(void)i;
		}
		/* asked for but not in the answer: unknown to the API */
		for (w = c->waiting; w; w = next) {
			char key[32];
			next = w->next;
			snprintf(key, sizeof(key), ",%s,", w->id);
			if (strstr(p->ids, key) && !w->seen) {
				char *e = ip_xasprintf("action %s: not found", w->id);
				waiter_end(c, w, e);
				free(e);
			}
		}
	} else {
		char *e = hc_error(r, body);
		ip_debug("%s (the actions are asked again)", e);
		free(e);
	}
	for (w = c->waiting; w; w = next) {
		next = w->next;
		if (now >= w->deadline)
			waiter_end(c, w, "still running when the time was up");
	}
	jv_free(acts);
	jv_free(body);
	free(p->ids);
	free(p);
	schedule_poll(c);
}

static void
poll_actions(void *arg)
{
	struct hc *c = arg;
	struct poll *p = ip_xcalloc(1, sizeof(*p));
	char *path = ip_xstrdup("/actions?sort=id"), *t;
	int n = 0;

	p->c = c;
	p->ids = ip_xstrdup(",");
	for (struct waiter *w = c->waiting; w; w = w->next)
		w->seen = 0;
	for (struct waiter *w = c->waiting; w && n < ACTIONS_PER_POLL; w = w->next, n++) {
		t = ip_xasprintf("%s&id=%s", path, w->id);
		free(path);
		path = t;
		t = ip_xasprintf("%s%s,", p->ids, w->id);
		free(p->ids);
		p->ids = t;
	}
	hc_call(c, "GET", path, jv_invalid(), actions_got, p);
	free(path);
}

static void
action_now(void *arg)
{
	struct waiter *w = arg;

	w->cb(w->ud, w->outcome);
	free(w->outcome);
	free(w->id);
	free(w);
}

void
hc_wait_action(struct hc *c, jv action, long timeout_ms, hc_action_cb cb, void *ud)
{
	struct waiter *w = ip_xcalloc(1, sizeof(*w));
	char *o = action_outcome(action);

	w->cb = cb;
	w->ud = ud;
	w->id = hc_id(ip_get(action, "id"));
	jv_free(action);
	if (o == NULL || *o || w->id == NULL) {
		/* finished already, or nothing to ask about: answer from the
		 * loop, never from inside the caller */
		if (o && *o == '\0') {
			free(o);
			o = ip_xstrdup("no action id in the answer");
		}
		w->outcome = o;
		ip_http_timer(c->h, 0, action_now, w);
		return;
	}
	free(o);
	w->deadline = ip_now_ms() + timeout_ms;
	if (c->waiting == NULL && !c->polling)
		c->delay = c->poll_ms;
	/* oldest first: the first 25 polled are the longest waiting */
	struct waiter **pp = &c->waiting;
	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
	schedule_poll(c);
}
