/* hcloud: the Hetzner Cloud API (api.hetzner.cloud/v1) as both Hetzner
 * providers use it: Bearer token, Hetzner's error shape, page/per_page
 * pagination, actions waited for in batches, and a request budget (3600
 * requests an hour per project by default) paced from the RateLimit-*
 * headers.  No stream objects here: the providers turn answers into those. */
#ifndef IP_HCLOUD_H
#define IP_HCLOUD_H
#include <jv.h>

#include "http.h"

#define HC_ENDPOINT "https://api.hetzner.cloud/v1"
#define HC_PER_PAGE 50		/* the API's maximum */

struct hc;

/* endpoint without trailing slash is kept as given; poll_ms: first action
 * poll delay.  The token must already be registered with ip_secret(). */
struct hc *hc_new(struct ip_http *h, const char *endpoint, const char *token, long poll_ms);
/* Says, with -v, how many requests the run cost and what is left. */
void hc_free(struct hc *c);

/* The answer of one call, after retries: r (freed after the callback) and
 * its JSON body (owned by the callback; jv_invalid() when not JSON). */
typedef void (*hc_cb)(void *ud, struct ip_req *r, jv body);

/* A call on path (relative to the endpoint, may hold a query), paced.  A
 * POST goes on a fresh connection and is retried only when it surely did
 * not happen (no connection, 429, 503). */
void hc_call(struct hc *c, const char *method, const char *path, jv body, hc_cb cb, void *ud);
/* The same, run to its end; returns the body and leaves *r to free. */
jv hc_call_sync(struct hc *c, const char *method, const char *path, jv body, struct ip_req **r);

/* One line: "hetzner GET /servers: HTTP 401: unauthorized: unable to
 * authenticate", or the transport error. */
char *hc_error(const struct ip_req *r, jv body);
/* error.code of an answer, or NULL (borrowed from body). */
const char *hc_error_code(jv body);

/* Every page of path (which may hold a query): the items under key, in
 * order.  err is NULL on success (items is then an array, owned by cb). */
typedef void (*hc_list_cb)(void *ud, jv items, const char *err);
void hc_list(struct hc *c, const char *path, const char *key, hc_list_cb cb, void *ud);

/* Wait until an action (an object from an answer) is no longer running:
 * polled with every other action waited for, 25 ids a request (as
 * hcloud-go's action waiter does).  err: NULL when it succeeded. */
typedef void (*hc_action_cb)(void *ud, const char *err);
void hc_wait_action(struct hc *c, jv action, long timeout_ms, hc_action_cb cb, void *ud);

/* An id (number or string) as a decimal string, or NULL; v is consumed. */
char *hc_id(jv v);

#endif
