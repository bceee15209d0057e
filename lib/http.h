/* http: many HTTP requests at once on libcurl's multi interface, with a
 * concurrency bound, retries with backoff, timers, and JSON helpers. */
#ifndef IP_HTTP_H
#define IP_HTTP_H
#include <curl/curl.h>
#include <jv.h>

struct ip_http;
struct ip_req;
typedef void (*ip_req_cb)(struct ip_req *r);

struct ip_req {
	/* Set by the caller (owned by the request, freed by ip_req_free). */
	char *method, *url;
	char *body;
	size_t body_len;
	struct curl_slist *headers;
	struct curl_slist *resolve;	/* ip_req_resolve pins */
	/* Retry 5xx and timeouts too; default: GET, HEAD, PUT, DELETE.  A
	 * request that is not idempotent is retried only when it surely did not
	 * reach the server (no connection) or the server said so (429, 503). */
	int idempotent;
	/* Use a new connection: on a reused one that dies before answering,
	 * libcurl silently sends the request again (a second server...). */
	int fresh_connect;
	/* Called before every attempt (sign with a fresh timestamp, ...). */
	void (*prepare)(struct ip_req *r);
	/* How long to wait before retrying this answer (ms), or < 0 for the
	 * default (Retry-After, else backoff): APIs with their own rate-limit
	 * headers say better. */
	long (*retry_delay)(const struct ip_req *r);
	/* Follow redirects (https only), as release downloads need. */
	int follow;
	/* Keep the peer's certificate chain (CURLINFO_CERTINFO on r->easy,
	 * valid until ip_req_free). */
	int certinfo;
	/* Wait for a connection to the same host that can multiplex (HTTP/2)
	 * rather than open another: one TLS handshake for many requests. */
	int pipewait;
	ip_req_cb done;		/* called once, when finished for good */
	void *ud;
	char what[128];		/* label for messages: "nova GET /servers/detail" */

	/* Results. */
	long status;		/* HTTP status, 0 when no answer */
	CURLcode cc;
	char errbuf[CURL_ERROR_SIZE];
	char *resp;		/* NUL-terminated */
	size_t resp_len;
	jv resp_headers;	/* lower-cased name -> last value */
	int attempts;

	/* Private. */
	CURL *easy;
	struct ip_http *http;
	struct ip_req *next;
	long long not_before;	/* monotonic ms: retry waits until then */
	int finished;
};

struct ip_http_opts {
	int parallel;		/* transfers at once (-j), default 8 */
	long timeout_ms;	/* per attempt, default 60000 */
	long connect_timeout_ms;/* default 10000 */
	int retries;		/* extra attempts: 0 means the default 4, < 0 none */
	long backoff_ms;	/* first retry delay, default 500 ($IP_HTTP_BACKOFF_MS) */
	const char *ca_file;	/* extra CA bundle for private clouds */
	const char *user_agent;
	/* The provider's request budget (ip_rate_parse): at most budget_n
	 * requests started in any budget_ms; 0: none. */
	int budget_n;
	long budget_ms;
	const char *name;	/* the provider, for the 429 message */
};

/* "N/s", "N/min" or "N/h" (N a whole number, at most 100000) into *n and
 * *ms; -1 when it is not of that form. */
int ip_rate_parse(const char *s, int *n, long *ms);
struct ip_config;
/* o's budget from the config key at path (say "instances.args.rate_limit"),
 * else dflt; a bad value dies naming the key (exit 2). */
void ip_http_budget(struct ip_http_opts *o, const struct ip_config *cfg, const char *path,
    const char *name, const char *dflt);

struct ip_req *ip_req_new(const char *method, const char *url);
void ip_req_header(struct ip_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Replace headers (for prepare callbacks that re-sign). */
void ip_req_clear_headers(struct ip_req *r);
/* Connect to addr for host:port whatever DNS says (CURLOPT_RESOLVE). */
void ip_req_resolve(struct ip_req *r, const char *host, int port, const char *addr);
void ip_req_set_body(struct ip_req *r, const char *body, size_t len);
/* Body = compact JSON of v (consumed), with Content-Type. */
void ip_req_json_body(struct ip_req *r, jv v);
/* Parse the response as JSON: a value, or jv_invalid() when it is not JSON. */
jv ip_req_json(const struct ip_req *r);
const char *ip_req_resp_header(const struct ip_req *r, const char *lname);
/* One line for messages: "HTTP 404", "connection refused", ... */
const char *ip_req_error(const struct ip_req *r);
void ip_req_free(struct ip_req *r);

struct ip_http *ip_http_new(const struct ip_http_opts *o);
void ip_http_free(struct ip_http *h);
/* Queue r; its done callback runs from ip_http_step and owns r then. */
void ip_http_submit(struct ip_http *h, struct ip_req *r);
/* Run until r finishes (other requests progress too); r->done is not
 * called; the caller frees r.  Returns r->status. */
long ip_http_do(struct ip_http *h, struct ip_req *r);
/* Call fn(arg) from the loop after ms milliseconds. */
void ip_http_timer(struct ip_http *h, long ms, void (*fn)(void *), void *arg);
/* Requests queued, running or waiting, plus timers. */
int ip_http_pending(const struct ip_http *h);
/* One turn of the loop: wait for network activity, a timer, or fd (>= 0)
 * becoming readable (then *fd_ready = 1), at most max_wait_ms. */
void ip_http_step(struct ip_http *h, int fd, int *fd_ready, long max_wait_ms);
/* The same with several fds (their revents set). */
void ip_http_step_fds(struct ip_http *h, struct curl_waitfd *fds, int nfds, long max_wait_ms);
/* Run until nothing is pending. */
void ip_http_run(struct ip_http *h);
/* Also wait for fd: fn(arg) runs from the loop when it is readable.  A
 * watched fd counts as pending (a worker's done-pipe: ip_http_run waits). */
void ip_http_watch(struct ip_http *h, int fd, void (*fn)(void *), void *arg);
void ip_http_unwatch(struct ip_http *h, int fd);
/* The -j bound, for work that is not HTTP but shares it. */
int ip_http_parallel(const struct ip_http *h);

/* http:// is refused unless the host is loopback (tests, proxies). */
int ip_url_ok(const char *url, const char **why);
long long ip_now_ms(void);	/* monotonic */

#endif
