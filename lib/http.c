/* http: bounded parallel transfers on one curl multi handle (the shape of
 * curl's 10-at-a-time example), retries with backoff, and timers. */
#include <ctype.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "config.h"
#include "http.h"
#include "util.h"
#include "log.h"
#include "stream.h"

struct timer {
	long long at;
	void (*fn)(void *);
	void *arg;
	struct timer *next;
};

struct watch {
	int fd;
	void (*fn)(void *);
	void *arg;
};

struct ip_http {
	CURLM *multi;
	struct watch *watch;
	int nwatch, capwatch;
	struct ip_http_opts o;
	struct ip_req *qhead, *qtail;	/* not started yet, or waiting to retry */
	int nqueued, running;
	struct timer *timers;
	int ntimers;
	/* the budget: when each of the last budget_n requests started (ms) */
	long long *ring;
	int ringpos;
	/* a 429 holds every request until then (monotonic ms) */
	long long hold_until;
	long throttled;
};

long long
ip_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ip_req *
ip_req_new(const char *method, const char *url)
{
	struct ip_req *r = ip_xcalloc(1, sizeof(*r));
	const char *path = strstr(url, "://");

	r->method = ip_xstrdup(method);
	r->url = ip_xstrdup(url);
	r->idempotent = !strcmp(method, "GET") || !strcmp(method, "HEAD") ||
	    !strcmp(method, "PUT") || !strcmp(method, "DELETE");
	r->resp_headers = jv_object();
	path = path ? strchr(path + 3, '/') : NULL;
	snprintf(r->what, sizeof(r->what), "%s %s", method, path ? path : url);
	/* the query may hold filters but never secrets; keep labels short */
	char *q = strchr(r->what, '?');
	if (q)
		*q = '\0';
	ip_req_clear_headers(r);
	return r;
}

void
ip_req_header(struct ip_req *r, const char *fmt, ...)
{
	va_list ap;
	char *h;

	va_start(ap, fmt);
	if (vasprintf(&h, fmt, ap) < 0)
		ip_die(IP_EXIT_FATAL, "out of memory");
	va_end(ap);
	struct curl_slist *n = curl_slist_append(r->headers, h);
	if (n == NULL)
		ip_die(IP_EXIT_FATAL, "out of memory");
	r->headers = n;
	free(h);
}

void
ip_req_clear_headers(struct ip_req *r)
{
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	/* no "Expect: 100-continue" round trip on larger bodies */
	ip_req_header(r, "Expect:");
}

void
ip_req_set_body(struct ip_req *r, const char *body, size_t len)
{
	free(r->body);
	r->body = ip_xmalloc(len + 1);
	memcpy(r->body, body, len);
	r->body[len] = '\0';
	r->body_len = len;
}

void
ip_req_json_body(struct ip_req *r, jv v)
{
	jv s = jv_dump_string(v, 0);

	ip_req_set_body(r, jv_string_value(s), jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
	ip_req_header(r, "Content-Type: application/json");
}

jv
ip_req_json(const struct ip_req *r)
{
	jv v;

	if (r->resp == NULL || r->resp_len == 0)
		return jv_invalid();
	v = ip_json_parse(r->resp, r->resp_len, NULL);
	return v;
}

const char *
ip_req_resp_header(const struct ip_req *r, const char *lname)
{
	jv v = jv_object_get(jv_copy(r->resp_headers), jv_string(lname));
	const char *s = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING)
		s = jv_string_value(v);	/* still held by resp_headers */
	jv_free(v);
	return s;
}

const char *
ip_req_error(const struct ip_req *r)
{
	static char buf[CURL_ERROR_SIZE + 64];

	if (r->cc == CURLE_OPERATION_TIMEDOUT && r->http) {
		/* libcurl's own words count from the request's last phase: one
		 * that waited for a shared connection says "after 0 milliseconds" */
		snprintf(buf, sizeof(buf), "timed out: no answer within %ld ms",
		    r->http->o.timeout_ms);
	} else if (r->cc != CURLE_OK) {
		const char *e = r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->cc);
		snprintf(buf, sizeof(buf), "%s", e);
	} else
		snprintf(buf, sizeof(buf), "HTTP %ld", r->status);
	return buf;
}

static void
reset_result(struct ip_req *r)
{
	free(r->resp);
	r->resp = NULL;
	r->resp_len = 0;
	jv_free(r->resp_headers);
	r->resp_headers = jv_object();
	r->status = 0;
	r->cc = CURLE_OK;
	r->errbuf[0] = '\0';
}

void
ip_req_resolve(struct ip_req *r, const char *host, int port, const char *addr)
{
	char *pin = ip_xasprintf(strchr(addr, ':') ? "%s:%d:[%s]" : "%s:%d:%s", host, port, addr);

	r->resolve = curl_slist_append(r->resolve, pin);
	free(pin);
	if (r->resolve == NULL)
		ip_die(IP_EXIT_FATAL, "out of memory");
}

void
ip_req_free(struct ip_req *r)
{
	if (r == NULL)
		return;
	if (r->easy)
		curl_easy_cleanup(r->easy);
	free(r->method);
	free(r->url);
	free(r->body);
	free(r->resp);
	curl_slist_free_all(r->headers);
	curl_slist_free_all(r->resolve);
	jv_free(r->resp_headers);
	free(r);
}

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct ip_req *r = ud;
	size_t len = sz * n;

	if (r->resp_len + len > 64u * 1024 * 1024)
		return 0;	/* no API answer of ours is that big */
	r->resp = ip_xrealloc(r->resp, r->resp_len + len + 1);
	memcpy(r->resp + r->resp_len, p, len);
	r->resp_len += len;
	r->resp[r->resp_len] = '\0';
	return len;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct ip_req *r = ud;
	size_t len = sz * n, k, v;
	char *name;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue or a redirect) */
		jv_free(r->resp_headers);
		r->resp_headers = jv_object();
		return len;
	}
	for (k = 0; k < len && p[k] != ':'; k++)
		;
	if (k == len || k == 0)
		return len;
	name = ip_xmalloc(k + 1);
	for (size_t i = 0; i < k; i++)
		name[i] = tolower((unsigned char)p[i]);
	name[k] = '\0';
	for (v = k + 1; v < len && (p[v] == ' ' || p[v] == '\t'); v++)
		;
	while (len > v && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' '))
		len--;
	r->resp_headers = jv_object_set(r->resp_headers, jv_string(name),
	    jv_string_sized(p + v, len - v));
	free(name);
	return sz * n;
}

struct ip_http *
ip_http_new(const struct ip_http_opts *o)
{
	struct ip_http *h = ip_xcalloc(1, sizeof(*h));

	if (o)
		h->o = *o;
	if (h->o.parallel <= 0)
		h->o.parallel = 8;
	if (h->o.timeout_ms <= 0)
		h->o.timeout_ms = 60000;
	if (h->o.connect_timeout_ms <= 0)
		h->o.connect_timeout_ms = 10000;
	/* zeroed options are the defaults: 0 retries means 4, < 0 none */
	if (h->o.retries < 0)
		h->o.retries = 0;
	else if (h->o.retries == 0)
		h->o.retries = 4;
	if (h->o.backoff_ms <= 0)
		h->o.backoff_ms = ip_backoff_first(500);
	if (h->o.backoff_ms <= 0)
		h->o.backoff_ms = 1;
	if (h->o.budget_n > 0 && h->o.budget_ms > 0) {
		h->ring = ip_xcalloc((size_t)h->o.budget_n, sizeof(*h->ring));
		/* a 5% margin: the network's jitter must not bring N + 1
		 * requests into one of the provider's windows */
		h->o.budget_ms += h->o.budget_ms / 20;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		ip_die(IP_EXIT_FATAL, "cannot initialise libcurl");
	h->multi = curl_multi_init();
	if (h->multi == NULL)
		ip_die(IP_EXIT_FATAL, "cannot initialise libcurl");
	return h;
}

void
ip_http_free(struct ip_http *h)
{
	struct ip_req *r, *n;
	struct timer *t, *tn;

	if (h == NULL)
		return;
	for (r = h->qhead; r; r = n) {
		n = r->next;
		ip_req_free(r);
	}
	for (t = h->timers; t; t = tn) {
		tn = t->next;
		free(t);
	}
	curl_multi_cleanup(h->multi);
	curl_global_cleanup();
	free(h->watch);
	free(h->ring);
	free(h);
}

static void
enqueue(struct ip_http *h, struct ip_req *r)
{
	r->next = NULL;
	if (h->qtail)
		h->qtail->next = r;
	else
		h->qhead = r;
	h->qtail = r;
	h->nqueued++;
}

void
ip_http_submit(struct ip_http *h, struct ip_req *r)
{
	r->http = h;
	r->attempts = 0;
	r->finished = 0;
	r->not_before = 0;
	enqueue(h, r);
}

static void
start(struct ip_http *h, struct ip_req *r)
{
	CURL *e;

	reset_result(r);
	if (r->prepare)
		r->prepare(r);
	if (r->easy == NULL && (r->easy = curl_easy_init()) == NULL)
		ip_die(IP_EXIT_FATAL, "cannot initialise libcurl");
	e = r->easy;
	curl_easy_reset(e);
	r->attempts++;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, h->o.user_agent ? h->o.user_agent :
	    "install-party/" IP_VERSION);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->o.ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->o.ca_file);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	if (r->resolve)
		curl_easy_setopt(e, CURLOPT_RESOLVE, r->resolve);
	if (r->follow) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	}
	if (r->fresh_connect)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	if (r->certinfo)
		curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
	if (r->pipewait)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (strcmp(r->method, "GET") == 0)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	else if (strcmp(r->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)r->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
	}
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		ip_die(IP_EXIT_FATAL, "curl_multi_add_handle failed");
	h->running++;
	ip_debug("%s (attempt %d)", r->what, r->attempts);
}

/* Whether the budget allows one more request now (and take it): a sliding
 * window, so no span of budget_ms ever holds more than budget_n starts
 * (a token bucket would allow twice that across a refill). */
static int
budget_take(struct ip_http *h, long long now)
{
	if (now < h->hold_until)
		return 0;
	if (h->ring == NULL)
		return 1;
	if (h->ring[h->ringpos] != 0 && h->ring[h->ringpos] + h->o.budget_ms > now)
		return 0;
	h->ring[h->ringpos] = now;
	h->ringpos = (h->ringpos + 1) % h->o.budget_n;
	return 1;
}

/* When the budget allows the next request (monotonic ms). */
static long long
budget_next(const struct ip_http *h, long long now)
{
	long long t = now;

	if (h->ring && h->ring[h->ringpos] != 0 && h->ring[h->ringpos] + h->o.budget_ms > now)
		t = h->ring[h->ringpos] + h->o.budget_ms;
	return t > h->hold_until ? t : h->hold_until;
}

static void
start_ready(struct ip_http *h)
{
	struct ip_req *r = h->qhead, *prev = NULL;
	long long now = ip_now_ms();

	while (r && h->running < h->o.parallel) {
		struct ip_req *next = r->next;
		if (r->not_before <= now && !budget_take(h, now))
			break;	/* the budget: every request waits its turn */
		if (r->not_before <= now) {
			if (prev)
				prev->next = next;
			else
				h->qhead = next;
			if (h->qtail == r)
				h->qtail = prev;
			h->nqueued--;
			start(h, r);
		} else
			prev = r;
		r = next;
	}
}

static long
retry_after_ms(const struct ip_req *r)
{
	const char *v = ip_req_resp_header(r, "retry-after");
	char *end;
	long s;

	if (v == NULL)
		return -1;
	s = strtol(v, &end, 10);
	if (end != v && *end == '\0' && s >= 0)
		return s > 300 ? 300000 : s * 1000;
	time_t t = curl_getdate(v, NULL);
	if (t > 0) {
		long d = (long)(t - time(NULL));
		return d < 0 ? 0 : d > 300 ? 300000 : d * 1000;
	}
	return -1;
}

static int
should_retry(const struct ip_req *r)
{
	switch (r->cc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return 1;	/* the request never left */
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return r->idempotent;
	default:
		return 0;	/* TLS and protocol errors do not heal */
	}
	if (r->status == 429 || r->status == 503)
		return 1;
	if (r->status == 413)
		return retry_after_ms(r) >= 0;
	if (r->status >= 500)
		return r->idempotent;
	return 0;
}

static void
finish(struct ip_http *h, struct ip_req *r)
{
	long delay;

	if (should_retry(r) && r->attempts <= h->o.retries) {
		delay = r->retry_delay ? r->retry_delay(r) : -1;
		if (delay < 0)
			delay = retry_after_ms(r);
		if (delay < 0) {
			unsigned short rnd = 0;
			long base = h->o.backoff_ms << (r->attempts - 1 > 6 ? 6 : r->attempts - 1);
			if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
				rnd = 32768;
			if (base > 30000)
				base = 30000;
			delay = base / 2 + (long)((base / 2) * (rnd / 65535.0));
		}
		r->not_before = ip_now_ms() + delay;
		if (r->status == 429) {
			/* the provider's limit is the account's, not this request's:
			 * every request waits, once, together */
			if (r->not_before > h->hold_until) {
				if (h->hold_until <= ip_now_ms())
					ip_warn("%s%sHTTP 429 (rate limited): every request waits %.1fs",
					    h->o.name ? h->o.name : "", h->o.name ? ": " : "",
					    delay / 1000.0);
				h->hold_until = r->not_before;
			}
			h->throttled++;
		} else
			ip_info("%s: %s, retrying in %.1fs", r->what, ip_req_error(r), delay / 1000.0);
		enqueue(h, r);
		return;
	}
	r->finished = 1;
	if (r->done)
		r->done(r);
}

static int
process_done(struct ip_http *h)
{
	CURLMsg *m;
	int q, n = 0;

	while ((m = curl_multi_info_read(h->multi, &q)) != NULL) {
		struct ip_req *r;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		r->cc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &r->status);
		curl_multi_remove_handle(h->multi, m->easy_handle);
		h->running--;
		n++;
		finish(h, r);
	}
	return n;
}

void
ip_http_timer(struct ip_http *h, long ms, void (*fn)(void *), void *arg)
{
	struct timer *t = ip_xcalloc(1, sizeof(*t)), **pp;

	t->at = ip_now_ms() + (ms < 0 ? 0 : ms);
	t->fn = fn;
	t->arg = arg;
	for (pp = &h->timers; *pp && (*pp)->at <= t->at; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	h->ntimers++;
}

static int
run_timers(struct ip_http *h)
{
	long long now = ip_now_ms();
	int n = 0;

	while (h->timers && h->timers->at <= now) {
		struct timer *t = h->timers;
		h->timers = t->next;
		h->ntimers--;
		t->fn(t->arg);
		free(t);
		n++;
	}
	return n;
}

int
ip_http_pending(const struct ip_http *h)
{
	return h->nqueued + h->running + h->ntimers + h->nwatch;
}

void
ip_http_watch(struct ip_http *h, int fd, void (*fn)(void *), void *arg)
{
	if (h->nwatch == h->capwatch) {
		h->capwatch = h->capwatch ? 2 * h->capwatch : 8;
		h->watch = ip_xrealloc(h->watch, h->capwatch * sizeof(*h->watch));
	}
	h->watch[h->nwatch].fd = fd;
	h->watch[h->nwatch].fn = fn;
	h->watch[h->nwatch].arg = arg;
	h->nwatch++;
}

void
ip_http_unwatch(struct ip_http *h, int fd)
{
	for (int i = 0; i < h->nwatch; i++)
		if (h->watch[i].fd == fd) {
			h->watch[i] = h->watch[--h->nwatch];
			return;
		}
}

int
ip_http_parallel(const struct ip_http *h)
{
	return h->o.parallel;
}

void
ip_http_step_fds(struct ip_http *h, struct curl_waitfd *fds, int nfds, long max_wait_ms)
{
	struct curl_waitfd *w;
	long long now, next;
	long wait = max_wait_ms;
	int still, acted, nw = 0, nwatch;

	for (int i = 0; i < nfds; i++)
		fds[i].revents = 0;
	start_ready(h);
	curl_multi_perform(h->multi, &still);
	acted = process_done(h);
	acted += run_timers(h);
	start_ready(h);
	if (acted)
		wait = 0;	/* callbacks may have queued work: come back soon */
	now = ip_now_ms();
	next = h->timers ? h->timers->at : -1;
	if (h->running < h->o.parallel && h->qhead) {
		long long b = budget_next(h, now);
		for (struct ip_req *r = h->qhead; r; r = r->next) {
			long long at = r->not_before > b ? r->not_before : b;
			if (next < 0 || at < next)
				next = at;
		}
	}
	if (next >= 0 && next - now < wait)
		wait = next - now < 0 ? 0 : (long)(next - now);
	if (wait < 0)
		wait = 0;
	/* the caller's fds, then the watched ones (counted now: the callbacks
	 * above may have added some) */
	w = ip_xcalloc((size_t)nfds + (size_t)h->nwatch + 1, sizeof(*w));
	memcpy(w, fds, (size_t)nfds * sizeof(*w));
	nw = nfds;
	nwatch = h->nwatch;
	for (int i = 0; i < nwatch; i++)
		w[nw++] = (struct curl_waitfd){ .fd = h->watch[i].fd, .events = CURL_WAIT_POLLIN };
	/* curl does not report POLLHUP: callers read non-blocking anyway */
	curl_multi_poll(h->multi, nw ? w : NULL, (unsigned)nw, (int)wait, NULL);
	for (int i = 0; i < nfds; i++)
		fds[i].revents = w[i].revents;
	/* a callback may unwatch: find each ready fd again before calling */
	for (int i = nfds; i < nw; i++)
		for (int k = 0; w[i].revents && k < h->nwatch; k++)
			if (h->watch[k].fd == w[i].fd) {
				h->watch[k].fn(h->watch[k].arg);
				break;
			}
	free(w);
	curl_multi_perform(h->multi, &still);
	process_done(h);
	run_timers(h);
}

void
ip_http_step(struct ip_http *h, int fd, int *fd_ready, long max_wait_ms)
{
	struct curl_waitfd w = { .fd = fd, .events = CURL_WAIT_POLLIN };

	ip_http_step_fds(h, &w, fd >= 0 ? 1 : 0, max_wait_ms);
	if (fd_ready)
		*fd_ready = fd >= 0 && w.revents != 0;
}

long
ip_http_do(struct ip_http *h, struct ip_req *r)
{
	ip_req_cb done = r->done;

	r->done = NULL;
	ip_http_submit(h, r);
	while (!r->finished)
		ip_http_step(h, -1, NULL, 1000);
	r->done = done;
	return r->status;
}

void
ip_http_run(struct ip_http *h)
{
	while (ip_http_pending(h) > 0)
		ip_http_step(h, -1, NULL, 1000);
}

int
ip_rate_parse(const char *s, int *n, long *ms)
{
	char *end;
	long k;

	if (s == NULL)
		return -1;
	k = strtol(s, &end, 10);
	if (end == s || k <= 0 || k > 100000 || *end != '/')
		return -1;
	end++;
	if (strcmp(end, "s") == 0)
		*ms = 1000;
	else if (strcmp(end, "min") == 0)
		*ms = 60000;
	else if (strcmp(end, "h") == 0)
		*ms = 3600000;
	else
		return -1;
	*n = (int)k;
	return 0;
}

void
ip_http_budget(struct ip_http_opts *o, const struct ip_config *cfg, const char *path,
    const char *name, const char *dflt)
{
	const char *s = ip_config_str_or(cfg, path, NULL);

	o->name = name;
	if (s == NULL)
		s = dflt;
	if (s && (strcmp(s, "none") == 0 || *s == '\0'))
		return;
	if (s && ip_rate_parse(s, &o->budget_n, &o->budget_ms) < 0)
		ip_config_die(cfg, path, "expected a request budget such as 60/min, 10/s or "
		    "3600/h, or none");
}

int
ip_url_ok(const char *url, const char **why)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	*why = "not a valid URL";
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (strcmp(scheme, "https") == 0)
			ok = 1;
		else if (strcmp(scheme, "http") == 0) {
			ok = strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
			    strcmp(host, "[::1]") == 0;
			if (!ok)
				*why = "http:// is only allowed for loopback addresses; use https://";
		} else
			*why = "expected an https:// URL";
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (ok)
		*why = NULL;
	return ok;
}
