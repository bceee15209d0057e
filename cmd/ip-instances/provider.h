/* provider: what ip-instances asks of an instances provider.  One file per
 * provider in providers/ and one line in lib/providers.def (README,
 * "Adding support for a provider"). */
#ifndef IP_INSTANCES_PROVIDER_H
#define IP_INSTANCES_PROVIDER_H
#include <jv.h>

#include "config.h"
#include "http.h"

/* What main.c shares with the provider for one run. */
struct ip_run {
	const struct ip_config *cfg;
	struct ip_http *http;
	const char *ns;
	long timeout_ms;	/* create: until ACTIVE; delete --wait: until gone */
	long poll_ms;		/* first poll delay ($IP_POLL_MS), then backoff */
	int wait;		/* delete: wait until the server is gone */
	int ls_all;		/* ls: also servers tagged for another namespace */
	long long expires;	/* create: the end time to mark each server with
				 * (Unix seconds), 0: none */
};

/* A job is one input object being created or deleted.  The provider
 * calls j->done exactly once per job with the object to emit (create: an
 * instance object; delete: jv_null() for "deleted"; or an error object
 * with failed = 1), as DNS providers call their callbacks. */
struct ip_job {
	jv item;		/* the input object (owned by the job) */
	char *instance;		/* the instance name ("ns-name") */
	char *id;		/* delete: the server id */
	void (*done)(struct ip_job *j, jv out, int failed);
	void *ud;		/* the caller's */
	void *pdata;		/* the provider's */
};

struct ip_provider {
	const char *name;
	const char *budget;	/* default requests budget (ip_rate_parse) */
	/* Read and check args, authenticate: exits 2 when it cannot start. */
	void *(*open)(struct ip_run *run);
	/* Call each() for every instance of the namespace (an "instance" object
	 * built on ip_name_obj()); returns 0, or -1 after saying why. */
	int (*ls)(void *p, void (*each)(jv inst, void *ud), void *ud);
	/* Start creating j->instance with its user data (consumed); finishes
	 * with j->done (instance object or error). */
	void (*create)(void *p, struct ip_job *j, char *user_data, size_t len);
	/* Start deleting server j->id, named j->instance; finishes with j->done. */
	void (*delete)(void *p, struct ip_job *j);
	/* Pre-flight, nothing written: an object with
	 *   "limits": {"instances"|"cores"|"ram": {"max": N, "used": N}}, a
	 *     resource it cannot tell left out, -1 for unlimited; or null when
	 *     the provider has no quotas to tell, "limits_note" saying why;
	 *   "per_server": {"cores": N, "ram": MB} (the flavor), or null;
	 *   "image", "flavor": {"id", "name", ...} as found, or null;
	 *   "problems": [strings]: image or flavor missing, a call that failed.
	 * ip-instances check does the sums (instances.c). */
	jv (*check)(void *p);
	void (*close)(void *p);
};

/* One per line of lib/providers.def: ip_instance_provider_NAME. */
#define IP_INSTANCE_PROVIDER(name) extern const struct ip_provider ip_instance_provider_##name;
#define IP_DNS_PROVIDER(name)
#include "providers.def"
#undef IP_INSTANCE_PROVIDER
#undef IP_DNS_PROVIDER
/* tests/fuzz: the provider's answer parsers, without a network. */
jv ip_openstack_parse(const char *text, size_t len, const char *ns, const char *network,
    const char *region, char **endpoint);
jv ip_hetzner_parse(const char *text, size_t len, const char *ns);

#endif
