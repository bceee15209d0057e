/* provider.h: what ip-dns needs from a DNS provider.  Every operation is
 * asynchronous on the shared ip_http loop and ends with one callback.
 * Records are passed as jv objects:
 *   {"id": string, "subdomain": string, "rtype": "A"|"AAAA"|..., "target", "ttl"}
 * Providers never decide namespace membership: main.c does, exactly. */
#ifndef IP_DNS_PROVIDER_H
#define IP_DNS_PROVIDER_H
#include <jv.h>

#include "config.h"
#include "http.h"

/* err is NULL on success; recs (owned by the callee) is an array. */
typedef void (*dns_list_cb)(void *ud, jv recs, const char *err);
typedef void (*dns_rec_cb)(void *ud, jv rec, const char *err);
typedef void (*dns_done_cb)(void *ud, const char *err);

struct dns_provider {
	const char *name;
	const char *budget;	/* default requests budget (ip_rate_parse) */
	/* Read and check dns.args (dies with a located message). */
	void *(*open)(const struct ip_config *cfg, struct ip_http *h);
	/* Synchronous start-up: clock, credentials, zone.  0 or a message. */
	char *(*check)(void *p);
	/* Records of type rtype; sub (may be NULL) only narrows the search:
	 * the answer may hold other names and the caller must compare. */
	void (*list)(void *p, const char *rtype, const char *sub, dns_list_cb cb, void *ud);
	void (*create)(void *p, const char *sub, const char *rtype, const char *target,
	    long ttl, dns_rec_cb cb, void *ud);
	/* A record that is already gone counts as removed. */
	void (*remove)(void *p, const char *id, dns_done_cb cb, void *ud);
	/* Make the changes so far live (OVH: refresh the zone). */
	void (*commit)(void *p, dns_done_cb cb, void *ud);
	void (*close)(void *p);
	/* Debugging aid: the request signature, or NULL if not signed. */
	char *(*sign)(void *p, const char *method, const char *url, const char *body,
	    const char *ts);
};

/* One per line of lib/providers.def: ip_dns_provider_NAME. */
#define IP_INSTANCE_PROVIDER(name)
#define IP_DNS_PROVIDER(name) extern const struct dns_provider ip_dns_provider_##name;
#include "providers.def"
#undef IP_INSTANCE_PROVIDER
#undef IP_DNS_PROVIDER
/* tests/fuzz: the provider's answer parsers, without a network. */
jv ip_ovh_parse(const char *text, size_t len, int status);
jv ip_hetzner_dns_parse(const char *text, size_t len);

#endif
