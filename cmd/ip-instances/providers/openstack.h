/* openstack: what the OpenStack provider's files share (openstack.c:
 * the operations; keystone.c: identity and the nova call layer). */
#ifndef IP_OPENSTACK_H
#define IP_OPENSTACK_H
#include <jv.h>

#include "../provider.h"
#include "boot.h"
#include "http.h"

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
	int v21;		/* sent without a microversion (2.1) */
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
	long long expires;	/* the token's end (epoch s), or -1 */
	const char *cache_key[9];	/* what names these credentials (lib/cache.h) */
	int gen;
	char *nova;		/* compute endpoint, no trailing slash */
	int authing;
	struct call *waiting;
	struct ip_boot boot;	/* create: when to poll */
};

/* One line from an OpenStack error body, else the HTTP status (malloc'd). */
char *os_api_error(const char *svc, const struct ip_req *r);
char *os_b64(const char *s, size_t n);
char *os_strip_slash(const char *s);
int os_ends_with(const char *s, const char *suf);
jv os_set_str(jv o, const char *k, const char *v);

/* Keystone: find the API version of auth_url, get a token and the
 * compute endpoint; exits 2 with a message that names the settings. */
void os_login(struct os *os, const char *auth_url);
struct ip_req *os_auth_req(struct os *os);
/* Take the token (and, first, the compute endpoint) from an answer. */
int os_auth_parse(struct os *os, struct ip_req *r, int first, char **err);
/* Start a nova call on path (relative to the endpoint) or a full URL;
 * cb runs once with the final answer (after at most one re-login). */
void os_nova(struct os *os, const char *method, const char *path, jv body,
    void (*cb)(struct call *, struct ip_req *), void *ud);
/* The same at microversion 2.1: for the image proxy API, gone from 2.36. */
void os_nova_v21(struct os *os, const char *method, const char *path,
    void (*cb)(struct call *, struct ip_req *), void *ud);

#endif
