/* dns: ip-dns's three commands on the configured provider. */
#ifndef IP_DNS_H
#define IP_DNS_H
#include "config.h"
#include "http.h"
#include "provider.h"
#include "runner.h"

struct dns_run {
	const struct ip_config *cfg;
	const struct dns_provider *P;
	void *prov;
	struct ip_http *http;
	struct ip_runner runner;
	int ipv6, dry_run;
	/* create */
	jv seen;			/* names given so far */
	jv listing[2];			/* create: the namespace's A, AAAA records, listed once */
	struct dns_job *ready, **ready_tail;	/* records waiting for a refresh */
	int creating, nready, refreshing;
	long long oldest_ready;
	/* delete */
	int deleted_any;
	jv zone;			/* the zone's A and AAAA records by id */
	int zone_left, zone_failed;
};

/* The configured provider (dies with a located message, exit 2). */
const struct dns_provider *dns_provider_find(const struct ip_config *cfg);
int dns_ls(struct dns_run *d);		/* exit status */
int dns_create(struct dns_run *d);
int dns_delete(struct dns_run *d);

#endif
