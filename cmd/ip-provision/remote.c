/* remote: one server's work over SSH in a worker thread: log in (host
 * key checked), wait for the first-boot setup, run the organiser's script
 * or one command with its output streamed to a log or stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "password.h"
#include "provision.h"
#include "ssh.h"
#include "util.h"

double
prov_secs(long long from)
{
	return (double)(ip_now_ms() - from) / 1000.0;
}

/* Output of a remote command: to the log file, or line by line to stderr
 * as "NAME: line" (one write per line). */
struct sink {
	const char *name;
	int fd;
	char *part[2];
	size_t plen[2];
};

static void
sink_line(struct sink *k, const char *s, size_t n)
{
	char *raw = ip_xasprintf("%.*s", (int)n, s);
	char *red = ip_redact(raw);	/* a command could print the password */
	char *safe = ip_sanitize(red);	/* or escape sequences */
	char *line = ip_xasprintf("%s: %s\n", k->name, safe);
	ssize_t w = write(2, line, strlen(line));

	(void)w;
	free(line);
	free(safe);
	free(red);
	free(raw);
}

static void
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		buf += w;
		n -= w;
	}
}

/* Whole lines only, so stdout and stderr never mix within a line. */
static void
sink_out(void *ud, int stream, const char *buf, size_t n)
{
	struct sink *k = ud;

	k->part[stream] = ip_xrealloc(k->part[stream], k->plen[stream] + n + 1);
	memcpy(k->part[stream] + k->plen[stream], buf, n);
	k->plen[stream] += n;
	char *p = k->part[stream], *nl;
	size_t len = k->plen[stream];
	if (k->fd >= 0) {
		char *last = memrchr(p, '\n', len);
		if (last) {
			write_all(k->fd, p, last + 1 - p);
			len -= last + 1 - p;
			p = last + 1;
		}
	} else {
		while ((nl = memchr(p, '\n', len)) != NULL) {
			sink_line(k, p, nl - p);
			len -= nl + 1 - p;
			p = nl + 1;
		}
	}
	/* A very long line is passed on in pieces rather than held. */
	if (len > 65536) {
		if (k->fd >= 0)
			write_all(k->fd, p, len);
		else
			sink_line(k, p, len);
		len = 0;
	}
	memmove(k->part[stream], p, len);
	k->plen[stream] = len;
}

static void
sink_close(struct sink *k, int status)
{
	for (int i = 0; i < 2; i++) {
		if (k->plen[i] && k->fd >= 0) {
			write_all(k->fd, k->part[i], k->plen[i]);
			write_all(k->fd, "\n", 1);
		} else if (k->plen[i])
			sink_line(k, k->part[i], k->plen[i]);
		free(k->part[i]);
	}
	if (k->fd >= 0) {
		dprintf(k->fd, "==> exit status %d\n", status);
		close(k->fd);
	}
}

static void
sink_open(struct sink *k, struct job *j, const char *what)
{
	memset(k, 0, sizeof(*k));
	k->name = j->name;
	k->fd = -1;
	if (!j->o->log_dir)
		return;
	free(j->log_path);
	j->log_path = ip_xasprintf("%s/%s.log", j->o->log_dir, j->name);
	k->fd = open(j->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (k->fd < 0) {
		ip_warn("%s: %s: %s", j->name, j->log_path, strerror(errno));
		return;
	}
	time_t now = time(NULL);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	dprintf(k->fd, "==> %s %s\n", stamp, what);
}

static void
collect(void *ud, int stream, const char *buf, size_t n)
{
	char **s = ud;
	size_t have = *s ? strlen(*s) : 0;

	if (stream != 0 || have > 4096)
		return;
	*s = ip_xrealloc(*s, have + n + 1);
	memcpy(*s + have, buf, n);
	(*s)[have + n] = '\0';
}

int
prov_fail(struct job *j, const char *step, char *msg)
{
	j->step = step;
	j->msg = msg;
	return 0;
}

/* The first-boot setup: done, failed (its marker says where), or late. */
static int
wait_setup(struct job *j, struct ip_ssh *s)
{
	char *q = ip_sh_quote(j->o->setup_dir), *got = NULL, *err = NULL;
	/* cloud-init's own status is no verdict on the setup: Debian 12's
	 * `status --wait` returns "error" as soon as an earlier module failed
	 * (a missing locale), while the setup still runs.  The markers decide;
	 * with --cloud-init, result.json (cloud-init has finished) also ends
	 * the wait: then no marker means the setup never ran or died early. */
	char *cmd = ip_xasprintf(
	    "d=%s; n=%ld; ci=%d; i=0; r=/run/cloud-init/result.json\n"
	    "command -v cloud-init >/dev/null 2>&1 || ci=0\n"
	    "while :; do\n"
	    "  if [ -e \"$d/failed\" ]; then cat \"$d/failed\"; exit 3; fi\n"
	    "  if [ -e \"$d/done\" ]; then { [ $ci = 0 ] || [ -e $r ]; } && exit 0; fi\n"
	    "  if [ $ci = 1 ] && [ -e $r ] && [ ! -e \"$d/done\" ]; then\n"
	    "    sleep 2; [ -e \"$d/failed\" ] || [ -e \"$d/done\" ] && continue\n"
	    "    echo 'cloud-init=failed: cloud-init finished and the setup left no marker'; exit 3\n"
	    "  fi\n"
	    "  if [ \"$i\" -ge \"$n\" ]; then exit 124; fi\n"
	    "  sleep 1; i=$((i+1))\n"
	    "done\n", q, j->o->setup_s, j->o->cloud_init);
	int status, rc = ip_ssh_exec(s, cmd, NULL, 0, (j->o->setup_s + 60) * 1000, collect,
	    &got, &status, &err);

	free(cmd);
	free(q);
	if (rc == IP_SSH_OK && status == 0) {
		free(got);
		return 1;
	}
	if (rc != IP_SSH_OK)
		prov_fail(j, "setup", ip_xasprintf("waiting for the first-boot setup: %s", err));
	else if (status == 124)
		prov_fail(j, "setup", ip_xasprintf("the first-boot setup did not finish in %ld s",
		    j->o->setup_s));
	else {
		/* "step=NAME line=N status=S" written by the setup's ERR trap */
		char *nl = got ? strchr(got, '\n') : NULL;
		if (nl)
			*nl = '\0';
		prov_fail(j, "setup", ip_xasprintf("the first-boot setup failed: %s",
		    got && *got ? got : "(no detail)"));
	}
	free(got);
	free(err);
	return 0;
}

/* Upload the script to a private temporary file, run it with sudo. */
static int
run_script(struct job *j, struct ip_ssh *s)
{
	char *path = NULL, *err = NULL;
	int status, rc;

	rc = ip_ssh_exec(s, "umask 077 && f=$(mktemp /tmp/install-party-script.XXXXXX) && "
	    "cat >\"$f\" && printf '%s\\n' \"$f\"", j->o->script, j->o->script_len, 60000,
	    collect, &path, &status, &err);
	char *nl = path ? strchr(path, '\n') : NULL;
	if (rc != IP_SSH_OK || status != 0 || !nl || path[0] != '/') {
		prov_fail(j, "script", ip_xasprintf("upload failed: %s", err ? err :
		    "no temporary file on the server"));
		free(path);
		free(err);
		return 0;
	}
	*nl = '\0';
	char *q = ip_sh_quote(path);
	/* No #! line: run it with sh, as the original's template did. */
	int shebang = j->o->script_len >= 2 && j->o->script[0] == '#' && j->o->script[1] == '!';
	char *cmd = ip_xasprintf("f=%s; chmod 0700 \"$f\"; "
	    "if [ %d = 0 ] || [ \"$(id -u)\" = 0 ]; then %s\"$f\"; else sudo -n -- %s\"$f\"; fi; "
	    "rc=$?; rm -f \"$f\"; exit $rc", q, j->o->sudo, shebang ? "" : "/bin/sh ",
	    shebang ? "" : "/bin/sh ");
	struct sink k;
	sink_open(&k, j, "post-install script");
	rc = ip_ssh_exec(s, cmd, NULL, 0, j->o->script_s * 1000, sink_out, &k, &status, &err);
	j->script_status = status;
	sink_close(&k, status);
	free(cmd);
	free(q);
	free(path);
	if (rc != IP_SSH_OK) {
		prov_fail(j, "script", ip_xasprintf("the script did not end: %s", err));
		return 0;
	}
	free(err);
	if (status != 0)
		return prov_fail(j, "script", ip_xasprintf("the script exited with status %d%s%s",
		    status, j->log_path ? "; see " : "", j->log_path ? j->log_path : ""));
	return 1;
}

static int
run_command(struct job *j, struct ip_ssh *s)
{
	struct sink k;
	char *err = NULL;
	int status, rc;

	sink_open(&k, j, "command");
	rc = ip_ssh_exec(s, j->o->command, NULL, 0, j->o->script_s * 1000, sink_out, &k,
	    &status, &err);
	j->cmd_status = status;
	sink_close(&k, status);
	if (rc != IP_SSH_OK)
		return prov_fail(j, "command", ip_xasprintf("the command did not end: %s", err));
	free(err);
	if (status != 0)
		return prov_fail(j, "command", ip_xasprintf("the command exited with status %d",
		    status));
	return 1;
}


/* Does the domain resolve, and to this server? */
static const char *
dns_state(const char *domain, const char *addr)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	const char *st = "elsewhere";

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(domain, NULL, &hints, &res) != 0)
		return "pending";
	for (ai = res; ai; ai = ai->ai_next) {
		char buf[INET6_ADDRSTRLEN];
		const void *a = ai->ai_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		if (inet_ntop(ai->ai_family, a, buf, sizeof(buf)) && strcmp(buf, addr) == 0)
			st = "ok";
	}
	freeaddrinfo(res);
	return st;
}

void *
prov_worker(void *arg)
{
	struct job *j = arg;
	long long t;
	const struct prov_opts *o = j->o;
	struct ip_ssh_opts so = {
		.host = j->addr, .port = o->ssh_port, .user = j->o->user,
		.password = j->o->keyfile ? NULL : ip_password_for(j->o->cfg, j->name),
		.keyfile = j->o->keyfile,
		.known_hosts = j->o->known_hosts, .wait_ms = j->o->wait_ms,
	};
	struct ip_ssh *s = NULL;
	char *err = NULL;

	ip_debug("%s: connecting to %s port %d", j->name, j->addr, j->o->ssh_port);
	if (ip_ssh_open(&so, &s, &err) != IP_SSH_OK) {
		prov_fail(j, "ssh", err);
		goto out;
	}
	j->fp = ip_xstrdup(ip_ssh_fingerprint(s));
	j->t_ssh = prov_secs(j->t0);
	ip_info("%s: logged in over SSH (%s)", j->name, j->fp);
	if (j->o->command) {
		t = ip_now_ms();
		j->ok = run_command(j, s);
		j->t_script = prov_secs(t);
		goto out;
	}
	if (j->o->wait_setup) {
		t = ip_now_ms();
		if (!wait_setup(j, s))
			goto out;
		j->t_setup = prov_secs(t);
		ip_info("%s: first-boot setup finished", j->name);
	}
	if (j->o->script) {
		t = ip_now_ms();
		if (!run_script(j, s))
			goto out;
		j->t_script = prov_secs(t);
		ip_info("%s: post-install script done", j->name);
	}
	ip_ssh_close(s);
	s = NULL;
	if (j->o->web)
		j->dns = dns_state(j->domain, j->addr);	/* blocking: here, not in the loop */
	j->ok = 1;
out:
	ip_ssh_close(s);
	ssize_t w = write(j->done_fd, &j->id, sizeof(j->id));
	(void)w;
	return NULL;
}
