/* names: DNS labels, derived names and exact namespace membership. */
#ifndef IP_NAMES_H
#define IP_NAMES_H
#include <stddef.h>
#include <jv.h>

#define IP_LABEL_MAX 63
#define IP_DOMAIN_MAX 253

/* [a-z0-9]([a-z0-9-]*[a-z0-9])?, at most 63 bytes. */
int ip_label_ok(const char *s);
/* Why s is not a label, or NULL when it is. */
const char *ip_label_why(const char *s);

char *ip_instance_name(const char *ns, const char *name);	/* ns-name */
char *ip_subdomain(const char *ns, const char *name);		/* name.ns */
char *ip_domain(const char *ns, const char *name, const char *zone);

/* The server name when instance is exactly "{ns}-{name}" with name a label,
 * else NULL.  Returns a pointer into instance. */
const char *ip_name_of_instance(const char *ns, const char *instance);
/* The server name when sub is exactly "{name}.{ns}" with name one label,
 * letters compared without case (as DNS does); the name in lower case. */
char *ip_name_of_subdomain(const char *ns, const char *sub);

/* One random 5-letter name from getrandom(2); callers keep them distinct. */
void ip_random_name(char out[6]);

#endif
