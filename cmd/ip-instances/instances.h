/* instances: ip-instances's three commands on the configured provider. */
#ifndef IP_INSTANCES_H
#define IP_INSTANCES_H
#include "provider.h"
#include "runner.h"

struct inst_run {
	struct ip_run run;		/* shared with the provider */
	const struct ip_provider *P;
	void *pdata;
	struct ip_runner runner;
	char *tmpl;			/* create -u: the user data template */
	size_t tlen;
	char element_sha256[65];	/* pinned once for every server, or "" */
	int dry_run;
	int force;			/* check: the certificate budget only warns */
	jv taken;			/* create: instance names already used */
	long recent;			/* check: servers made in the last 7 days */
};

/* Find the provider, read and check the template (dies, exit 2). */
void inst_setup(struct inst_run *r, const char *udfile, int create);
int inst_ls(struct inst_run *r);	/* exit status */
int inst_create(struct inst_run *r);
int inst_delete(struct inst_run *r);
int inst_check(struct inst_run *r);
void inst_close(struct inst_run *r);

#endif
