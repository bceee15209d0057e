/* server: what the tools that reach a server agree on: its address in a
 * stream object and the host key ip-provision recorded for it. */
#ifndef IP_SERVER_H
#define IP_SERVER_H
#include <jv.h>

/* The address a server is reached at: ipv4, instance.ipv4, record.target,
 * target, then ipv6, instance.ipv6.  Malloc'd, or NULL.  item is borrowed. */
char *ip_server_address(jv item);

/* ip-provision's known_hosts (trust on first use): $IP_KNOWN_HOSTS, else
 * $XDG_STATE_HOME/install-party/NS/known_hosts, else
 * ~/.local/state/install-party/NS/known_hosts.  Malloc'd; dies without HOME. */
char *ip_known_hosts_path(const char *ns);

struct ip_host_key {
	char type[32];		/* "ssh-ed25519" */
	char fp[64];		/* "SHA256:" + 43 base64 characters, as OpenSSH shows it */
};

/* The key recorded in the OpenSSH known_hosts file for host (numeric) and
 * port ("host" for 22, "[host]:port" otherwise; hashed names too), of the
 * type ip-provision prefers when several are.  1 found, 0 none (or no
 * file), -1 with *err malloc'd when the file cannot be read. */
int ip_known_host_key(const char *path, const char *host, int port,
    struct ip_host_key *out, char **err);

#endif
