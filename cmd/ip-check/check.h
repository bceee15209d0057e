/* ip-check: the run (the runner with the checks' threads' done-pipe and
 * the web checks in one poll) and the checks of one server. */
#ifndef IP_CHECK_H
#define IP_CHECK_H
#include <netinet/in.h>

struct ck_opts {
	int jobs;			/* servers in flight at most */
	long timeout_ms;		/* each check */
	struct sockaddr_in ns;		/* --nameserver, or sin_family 0: the system's */
	int ssh_port, web_port;
	const char *ca_file;		/* extra CA bundle, or NULL */
	const char *known_hosts;	/* ip-provision's, or NULL: no key to compare */
};

/* Check every server object of input (a file, or "-"), write each back
 * with its check field, pass the rest on; the exit status of ip-check(1). */
int ck_run(const struct ck_opts *o, const char *input);

#endif
