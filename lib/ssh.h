/* ssh: one blocking libssh2 session per thread: wait for the server,
 * check its host key against a known_hosts file (trust on first use),
 * log in, run commands with their input sent and their output streamed. */
#ifndef IP_SSH_H
#define IP_SSH_H
#include <stddef.h>

enum {
	IP_SSH_OK = 0,
	IP_SSH_ETIMEOUT = -1,	/* nothing answered in time */
	IP_SSH_EHOSTKEY = -2,	/* the host key changed: refused */
	IP_SSH_EAUTH = -3,	/* login refused */
	IP_SSH_EPROTO = -4,	/* anything else (message says what) */
};

struct ip_ssh_opts {
	const char *host;	/* numeric address */
	int port;
	const char *user;
	const char *password;	/* or NULL with keyfile */
	const char *keyfile;	/* private key (ed25519 works with OpenSSH 9) */
	const char *known_hosts;/* file; created (and its directory) as needed */
	long wait_ms;		/* keep trying to connect and log in this long */
	long io_timeout_ms;	/* one blocking call (default 30000) */
};

struct ip_ssh;

/* Call once from the main thread before any thread uses ssh. */
void ip_ssh_global_init(void);
void ip_ssh_global_cleanup(void);

/* Connect and log in, retrying with backoff within o->wait_ms (a server
 * that is booting refuses connections, then logins until its user
 * exists).  Returns IP_SSH_OK with *out set, or an error with *err. */
int ip_ssh_open(const struct ip_ssh_opts *o, struct ip_ssh **out, char **err);
void ip_ssh_close(struct ip_ssh *s);

/* Output sink: called with each chunk; stream 0 stdout, 1 stderr. */
typedef void (*ip_ssh_out)(void *ud, int stream, const char *buf, size_t n);

/* Run cmd (by the remote user's shell) with in/inlen as its standard input
 * (may be NULL), at most timeout_ms (0: no limit).  Returns IP_SSH_OK and
 * *status = its exit status (143 when a signal ended it, *err naming the
 * signal), IP_SSH_ETIMEOUT, or an error. */
int ip_ssh_exec(struct ip_ssh *s, const char *cmd, const char *in, size_t inlen,
    long timeout_ms, ip_ssh_out out, void *ud, int *status, char **err);

/* Without logging in: connect, key exchange, within timeout_ms in all.
 * IP_SSH_OK with *banner (the server's identification line, malloc'd),
 * *type ("ssh-ed25519") and fp ("SHA256:...", 64 bytes), else an error
 * with *err.  For status checks; known_hosts is not touched. */
int ip_ssh_probe(const char *host, int port, long timeout_ms, char **banner,
    const char **type, char fp[64], char **err);

/* "SHA256:..." of the server's host key (valid while s is open). */
const char *ip_ssh_fingerprint(const struct ip_ssh *s);

#endif
