/* ssh: libssh2 sessions for ip-provision, one per thread.  The host key
 * check is enforced (libssh2's examples skip it); known_hosts is read
 * line by line because libssh2_knownhost_readfile stops at the first bad
 * line; RSA user keys do not work with OpenSSH 9 (libssh2 1.10 has no
 * rsa-sha2), ed25519 keys do. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>
#include <openssl/evp.h>

#include "http.h"
#include "log.h"
#include "ssh.h"
#include "util.h"

struct ip_ssh {
	int sock;
	LIBSSH2_SESSION *sess;
	char fp[64];	/* "SHA256:" + 43 */
};

/* Threads of one process take turns on known_hosts (flock covers others). */
static pthread_mutex_t kh_lock = PTHREAD_MUTEX_INITIALIZER;

void
ip_ssh_global_init(void)
{
	if (libssh2_init(0) != 0)
		ip_die(IP_EXIT_FATAL, "libssh2 could not be initialised");
}

void
ip_ssh_global_cleanup(void)
{
	libssh2_exit();
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static char *
sess_error(LIBSSH2_SESSION *sess, const char *what)
{
	char *msg = NULL;

	libssh2_session_last_error(sess, &msg, NULL, 0);
	return ip_xasprintf("%s: %s", what, msg && *msg ? msg : "failed");
}

/* A TCP connection within ms, or -1 with *err. */
static int
tcp_connect(const char *host, int port, long ms, char **err)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	char svc[16];
	int fd = -1, e = ETIMEDOUT;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(svc, sizeof(svc), "%d", port);
	int rc = getaddrinfo(host, svc, &hints, &res);
	if (rc != 0) {
		*err = ip_xasprintf("cannot resolve the address: %s", gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			struct pollfd p = { fd, POLLOUT, 0 };
			socklen_t len = sizeof(e);
			if (poll(&p, 1, ms) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
				break;
			if (e == 0)
				e = ETIMEDOUT;
		} else
			e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*err = ip_xasprintf("connect: %s", strerror(e));
		return -1;
	}
	/* libssh2 runs blocking (with its own timeout) except in exec. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int
knownhost_type(int hostkey_type)
{
	switch (hostkey_type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default: return -1;
	}
}

static int
mkdirs(const char *file)
{
	char *d = ip_xstrdup(file);

	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			free(d);
			return -1;
		}
		*p = '/';
	}
	free(d);
	return 0;
}

/* Trust on first use: a known key must match; an unknown host is added. */
static int
check_host_key(struct ip_ssh *s, const struct ip_ssh_opts *o, char **err)
{
	size_t keylen;
	int type, rc = IP_SSH_OK;
	const char *key = libssh2_session_hostkey(s->sess, &keylen, &type);
	const char *hash = libssh2_hostkey_hash(s->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
	unsigned char b64[48];
	int kt = knownhost_type(type);

	if (!key || !hash || kt < 0) {
		*err = ip_xstrdup("host key: none or of an unknown type");
		return IP_SSH_EPROTO;
	}
	EVP_EncodeBlock(b64, (const unsigned char *)hash, 32);
	b64[43] = '\0';		/* OpenSSH shows it without '=' padding */
	snprintf(s->fp, sizeof(s->fp), "SHA256:%s", b64);

	pthread_mutex_lock(&kh_lock);
	if (mkdirs(o->known_hosts) != 0) {
		*err = ip_xasprintf("%s: cannot create its directory: %s", o->known_hosts,
		    strerror(errno));
		pthread_mutex_unlock(&kh_lock);
		return IP_SSH_EPROTO;
	}
	int fd = open(o->known_hosts, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = ip_xasprintf("%s: %s", o->known_hosts, strerror(errno));
		pthread_mutex_unlock(&kh_lock);
		return IP_SSH_EPROTO;
	}
	flock(fd, LOCK_EX);
	LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(s->sess);
	FILE *f = fdopen(dup(fd), "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while (f && (n = getline(&line, &cap, f)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		/* A line libssh2 cannot parse (a key type it lacks) is skipped. */
		libssh2_knownhost_readline(kh, line, n, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	}
	free(line);
	if (f)
		fclose(f);

	struct libssh2_knownhost *found = NULL;
	int mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kt;
	switch (libssh2_knownhost_checkp(kh, o->host, o->port, key, keylen, mask, &found)) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		break;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
		*err = ip_xasprintf("the host key of %s port %d CHANGED (it is now %s); refused. "
		    "If the server was re-created, remove its line from %s",
		    o->host, o->port, s->fp, o->known_hosts);
		rc = IP_SSH_EHOSTKEY;
		break;
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND: {
		char *spec = o->port == 22 ? ip_xstrdup(o->host) :
		    ip_xasprintf("[%s]:%d", o->host, o->port);
		struct libssh2_knownhost *added = NULL;
		char buf[8192];
		size_t len = 0;
		if (libssh2_knownhost_addc(kh, spec, NULL, key, keylen, "install-party", 13,
		    mask, &added) != 0 || libssh2_knownhost_writeline(kh, added, buf,
		    sizeof(buf), &len, LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0 ||
		    write(fd, buf, len) != (ssize_t)len) {
			*err = ip_xasprintf("%s: cannot add the host key", o->known_hosts);
			rc = IP_SSH_EPROTO;
		}
		free(spec);
		break;
	}
	default:
		*err = ip_xstrdup("host key check failed");
		rc = IP_SSH_EPROTO;
	}
	libssh2_knownhost_free(kh);
	flock(fd, LOCK_UN);
	close(fd);
	pthread_mutex_unlock(&kh_lock);
	return rc;
}

static void
drop(struct ip_ssh *s)
{
	if (s->sess) {
		libssh2_session_disconnect(s->sess, "bye");
		libssh2_session_free(s->sess);
	}
	if (s->sock >= 0)
		close(s->sock);
	free(s);
}

/* One try: connect, handshake, host key, login.  *stage: how far it got
 * (0 connect, 1 handshake, 2 login), so the most telling failure is kept. */
static int
attempt(const struct ip_ssh_opts *o, long connect_ms, struct ip_ssh **out, char **err,
    int *stage)
{
	struct ip_ssh *s = ip_xcalloc(1, sizeof(*s));
	int rc;

	*stage = 0;
	s->sock = tcp_connect(o->host, o->port, connect_ms, err);
	if (s->sock < 0) {
		drop(s);
		return IP_SSH_ETIMEOUT;
	}
	s->sess = libssh2_session_init();
	if (!s->sess) {
		*err = ip_xstrdup("libssh2_session_init failed");
		drop(s);
		return IP_SSH_EPROTO;
	}
	/* Handshake and login within this try's time; later calls get io_timeout. */
	long io = o->io_timeout_ms > 0 ? o->io_timeout_ms : 30000;
	libssh2_session_set_timeout(s->sess, connect_ms < io ? connect_ms : io);
	/* Always the same key type, so the known_hosts entry keeps matching. */
	libssh2_session_method_pref(s->sess, LIBSSH2_METHOD_HOSTKEY,
	    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa");
	*stage = 1;
	if (libssh2_session_handshake(s->sess, s->sock) != 0) {
		*err = sess_error(s->sess, "SSH handshake");
		drop(s);
		return IP_SSH_ETIMEOUT;	/* sshd starting up: try again */
	}
	if ((rc = check_host_key(s, o, err)) != IP_SSH_OK) {
		drop(s);
		return rc;
	}
	*stage = 2;
	if (o->keyfile)
		rc = libssh2_userauth_publickey_fromfile_ex(s->sess, o->user,
		    strlen(o->user), NULL, o->keyfile, NULL);
	else
		rc = libssh2_userauth_password_ex(s->sess, o->user, strlen(o->user),
		    o->password ? o->password : "", o->password ? strlen(o->password) : 0, NULL);
	if (rc != 0) {
		int e = libssh2_session_last_errno(s->sess);
		if (e == LIBSSH2_ERROR_FILE || e == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED) {
			*err = sess_error(s->sess, "key file");
			drop(s);
			return IP_SSH_EPROTO;
		}
		*err = ip_xasprintf("login refused for the user (%s)",
		    o->keyfile ? "key" : "password");
		drop(s);
		return IP_SSH_EAUTH;
	}
	libssh2_session_set_timeout(s->sess, io);
	*out = s;
	return IP_SSH_OK;
}

int
ip_ssh_open(const struct ip_ssh_opts *o, struct ip_ssh **out, char **err)
{
	long long deadline = ip_now_ms() + (o->wait_ms > 0 ? o->wait_ms : 0);
	long delay = ip_backoff_first(1000);
	int tries = 0, best_stage = -1, best_rc = IP_SSH_ETIMEOUT;

	*out = NULL;
	*err = NULL;
	for (;;) {
		long long left = deadline - ip_now_ms();
		char *e = NULL;
		int stage;
		int rc = attempt(o, left > 10000 ? 10000 : (left > 1000 ? left : 1000), out, &e,
		    &stage);
		tries++;
		if (rc == IP_SSH_OK) {
			free(*err);
			*err = NULL;
			return rc;
		}
		if (rc == IP_SSH_EHOSTKEY || rc == IP_SSH_EPROTO) {
			free(*err);
			*err = e;
			return rc;
		}
		/* A late try that timed out must not hide "login refused". */
		if (stage >= best_stage) {
			free(*err);
			*err = e;
			best_stage = stage;
			best_rc = rc;
		} else
			free(e);
		left = deadline - ip_now_ms();
		if (left <= 0) {
			char *m = ip_xasprintf("gave up after %d tries in %ld s: %s", tries,
			    o->wait_ms / 1000, *err);
			free(*err);
			*err = m;
			return best_rc;
		}
		sleep_ms(delay < left ? delay : left);
		delay = ip_backoff_next(delay, 2, 1, 5000);
	}
}

void
ip_ssh_close(struct ip_ssh *s)
{
	if (s)
		drop(s);
}

static const char *
hostkey_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
	case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
	default: return NULL;
	}
}

int
ip_ssh_probe(const char *host, int port, long timeout_ms, char **banner,
    const char **type, char fp[64], char **err)
{
	long long t0 = ip_now_ms();
	struct ip_ssh *s = ip_xcalloc(1, sizeof(*s));
	size_t keylen;
	int kt;

	*banner = NULL;
	s->sock = tcp_connect(host, port, timeout_ms, err);
	if (s->sock < 0) {
		drop(s);
		return IP_SSH_ETIMEOUT;
	}
	if (!(s->sess = libssh2_session_init())) {
		*err = ip_xstrdup("libssh2_session_init failed");
		drop(s);
		return IP_SSH_EPROTO;
	}
	long left = timeout_ms - (long)(ip_now_ms() - t0);
	libssh2_session_set_timeout(s->sess, left > 1 ? left : 1);
	/* ip-provision's preference, so the key is the one it recorded */
	libssh2_session_method_pref(s->sess, LIBSSH2_METHOD_HOSTKEY,
	    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa");
	if (libssh2_session_handshake(s->sess, s->sock) != 0) {
		int e = libssh2_session_last_errno(s->sess);
		*err = sess_error(s->sess, "SSH handshake");
		drop(s);
		return e == LIBSSH2_ERROR_TIMEOUT ? IP_SSH_ETIMEOUT : IP_SSH_EPROTO;
	}
	const char *b = libssh2_session_banner_get(s->sess);
	const char *hash = libssh2_hostkey_hash(s->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
	const char *key = libssh2_session_hostkey(s->sess, &keylen, &kt);
	*type = hostkey_name(kt);
	if (!key || !hash || !*type) {
		*err = ip_xstrdup("host key: none or of an unknown type");
		drop(s);
		return IP_SSH_EPROTO;
	}
	unsigned char b64[48];
	EVP_EncodeBlock(b64, (const unsigned char *)hash, 32);
	b64[43] = '\0';
	snprintf(fp, 64, "SHA256:%s", b64);
	*banner = ip_xstrdup(b ? b : "");
	drop(s);
	return IP_SSH_OK;
}

const char *
ip_ssh_fingerprint(const struct ip_ssh *s)
{
	return s->fp;
}

static void
wait_socket(struct ip_ssh *s, long ms)
{
	int dir = libssh2_session_block_directions(s->sess);
	struct pollfd p = { s->sock, 0, 0 };

	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (!p.events)
		p.events = POLLIN;
	poll(&p, 1, ms);
}

int
ip_ssh_exec(struct ip_ssh *s, const char *cmd, const char *in, size_t inlen,
    long timeout_ms, ip_ssh_out out, void *ud, int *status, char **err)
{
	long long deadline = timeout_ms > 0 ? ip_now_ms() + timeout_ms : 0;
	LIBSSH2_CHANNEL *ch;
	size_t sent = 0;
	int eof_sent = 0, rc = IP_SSH_OK;
	char buf[16384];

	*err = NULL;
	*status = -1;
	libssh2_session_set_blocking(s->sess, 1);
	ch = libssh2_channel_open_session(s->sess);
	if (!ch) {
		*err = sess_error(s->sess, "open channel");
		return IP_SSH_EPROTO;
	}
	if (libssh2_channel_exec(ch, cmd) != 0) {
		*err = sess_error(s->sess, "exec");
		libssh2_channel_free(ch);
		return IP_SSH_EPROTO;
	}
	/* Both outputs and our input at once: a blocking read of stdout while
	 * stderr fills its window would hang. */
	libssh2_session_set_blocking(s->sess, 0);
	for (;;) {
		int busy = 0;
		if (!eof_sent) {
			if (sent < inlen) {
				ssize_t w = libssh2_channel_write(ch, in + sent, inlen - sent);
				if (w > 0) {
					sent += w;
					busy = 1;
				} else if (w != LIBSSH2_ERROR_EAGAIN) {
					*err = sess_error(s->sess, "write");
					rc = IP_SSH_EPROTO;
					break;
				}
			}
			if (sent >= inlen && libssh2_channel_send_eof(ch) != LIBSSH2_ERROR_EAGAIN)
				eof_sent = 1;
		}
		for (int stream = 0; stream < 2; stream++) {
			ssize_t r;
			while ((r = libssh2_channel_read_ex(ch, stream, buf, sizeof(buf))) > 0) {
				busy = 1;
				if (out)
					out(ud, stream, buf, r);
			}
			if (r < 0 && r != LIBSSH2_ERROR_EAGAIN) {
				*err = sess_error(s->sess, "read");
				rc = IP_SSH_EPROTO;
				goto done;
			}
		}
		if (libssh2_channel_eof(ch))
			break;
		if (deadline && ip_now_ms() >= deadline) {
			*err = ip_xasprintf("no end after %ld s", timeout_ms / 1000);
			rc = IP_SSH_ETIMEOUT;
			break;
		}
		if (!busy)
			wait_socket(s, 500);
	}
done:
	libssh2_session_set_blocking(s->sess, 1);
	if (rc == IP_SSH_OK) {
		char *sig = NULL;
		libssh2_channel_close(ch);
		libssh2_channel_wait_closed(ch);
		*status = libssh2_channel_get_exit_status(ch);
		libssh2_channel_get_exit_signal(ch, &sig, NULL, NULL, NULL, NULL, NULL);
		if (sig) {
			*status = 128 + 15;
			*err = ip_xasprintf("killed by signal %s", sig);
			libssh2_free(s->sess, sig);
		}
	}
	libssh2_channel_free(ch);
	return rc;
}
