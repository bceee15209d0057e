/* ip-check: the checks of one server, apart from the loop that runs many. */
#ifndef IP_CHECK_H
#define IP_CHECK_H
#include <netinet/in.h>
#include <jv.h>

#include "http.h"

struct ck_opts {
	long timeout_ms;		/* each check */
	struct sockaddr_in ns;		/* --nameserver, or sin_family 0: the system's */
	int ssh_port, web_port;
	const char *known_hosts;	/* ip-provision's, or NULL: no key to compare */
};

struct ck_server;
/* Called once when every check of s is done, with the object to emit. */
typedef void (*ck_done_fn)(jv result, void *ud);

/* Start every check of item (consumed): the web ones on h, the blocking
 * ones (DNS, SSH) in threads that write a token to notify_fd when done;
 * pass each token read from it to ck_notified. */
void ck_start(struct ip_http *h, const struct ck_opts *o, jv item, int notify_fd,
    ck_done_fn done, void *ud);
void ck_notified(void *token);

#endif
