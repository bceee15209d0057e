/* names: DNS labels and the exact rules that decide namespace membership. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "log.h"
#include "names.h"

const char *
ip_label_why(const char *s)
{
	size_t n, i;

	if (s == NULL || *s == '\0')
		return "empty name";
	n = strlen(s);
	if (n > IP_LABEL_MAX)
		return "longer than 63 characters";
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return (c >= 'A' && c <= 'Z') ? "upper-case letters are not allowed"
			    : "only a-z, 0-9 and '-' are allowed";
	}
	if (s[0] == '-' || s[n - 1] == '-')
		return "must not start or end with '-'";
	return NULL;
}

int
ip_label_ok(const char *s)
{
	return ip_label_why(s) == NULL;
}

char *
ip_instance_name(const char *ns, const char *name)
{
	return ip_xasprintf("%s-%s", ns, name);
}

char *
ip_subdomain(const char *ns, const char *name)
{
	return ip_xasprintf("%s.%s", name, ns);
}

char *
ip_domain(const char *ns, const char *name, const char *zone)
{
	return ip_xasprintf("%s.%s.%s", name, ns, zone);
}

const char *
ip_name_of_instance(const char *ns, const char *instance)
{
	size_t n = strlen(ns);

	if (instance == NULL || strncmp(instance, ns, n) != 0 || instance[n] != '-')
		return NULL;
	return ip_label_ok(instance + n + 1) ? instance + n + 1 : NULL;
}

char *
ip_name_of_subdomain(const char *ns, const char *sub)
{
	size_t n, m;
	char *name;

	if (sub == NULL)
		return NULL;
	n = strlen(sub);
	m = strlen(ns);
	/* DNS names are case-insensitive: aaa.Party is member aaa's */
	if (n < m + 2 || strcasecmp(sub + n - m, ns) != 0 || sub[n - m - 1] != '.')
		return NULL;
	name = ip_xmalloc(n - m);
	for (size_t i = 0; i < n - m - 1; i++)
		name[i] = sub[i] >= 'A' && sub[i] <= 'Z' ? sub[i] - 'A' + 'a' : sub[i];
	name[n - m - 1] = '\0';
	if (!ip_label_ok(name)) {	/* also refuses "a.b" (one label deeper) */
		free(name);
		return NULL;
	}
	return name;
}

void
ip_random_name(char out[6])
{
	unsigned char b[5];
	size_t i;

	for (i = 0; i < 5; i++) {
		/* reject bytes >= 234 (9*26) so every letter is equally likely */
		for (;;) {
			ssize_t got = getrandom(&b[i], 1, 0);
			if (got < 0 && errno == EINTR)
				continue;
			if (got != 1)
				ip_die(IP_EXIT_FATAL, "getrandom: %s", strerror(errno));
			if (b[i] < 234)
				break;
		}
		out[i] = 'a' + b[i] % 26;
	}
	out[5] = '\0';
}
