/* ip-provision: wait for each server's SSH and first-boot setup, run the
 * organiser's script, check the web server; or run one command everywhere. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "render.h"
#include "runner.h"
#include "schema.h"
#include "server.h"
#include "ssh.h"
#include "stream.h"
#include "util.h"

static const char usage[] =
    "[-c config] [-q] [-v] [-j N] [-u user] [-i keyfile] [-s script | -C command]\n"
    "       [--log-dir DIR] [--known-hosts FILE] [--ssh-port N] [--web-port N]\n"
    "       [--web-scheme https|http] [--ca-file FILE] [--no-wait-setup] [--cloud-init]\n"
    "       [--setup-dir DIR] [--setup-timeout S] [--script-timeout S] [--no-web] [--no-sudo]\n"
    "       [--render TEMPLATE]\n"
    "  -j, --jobs N          servers at once (default 8)\n"
    "  -u, --user NAME       log in as NAME (default: instances.user)\n"
    "  -i, --identity FILE   log in with this private key (ed25519) instead of the password\n"
    "  -s, --script FILE     upload FILE and run it with sudo after the first-boot setup\n"
    "  -C, --command CMD     only run CMD on every server (no setup wait, no web check)\n"
    "  --log-dir DIR         script/command output, one NAME.log per server\n"
    "  --known-hosts FILE    host keys (default $XDG_STATE_HOME/install-party/NS/known_hosts)\n"
    "  --ssh-port N          SSH port (default 22)\n"
    "  --web-port N, --web-scheme S   web check target (default https, 443)\n"
    "  --ca-file FILE        extra CA bundle for the web check\n"
    "  --no-wait-setup       do not wait for the first-boot setup's completion marker\n"
    "  --cloud-init          also wait with `cloud-init status --wait`\n"
    "  --setup-dir DIR       where the markers are (default /var/lib/install-party)\n"
    "  --setup-timeout S     wait that long for the setup (default 1800)\n"
    "  --script-timeout S    limit for -s and -C (default 3600)\n"
    "  --no-web              skip the web check\n"
    "  --no-sudo             run the -s script as the login user\n"
    "  --render TEMPLATE     print each object's rendered user data instead (no SSH)";

enum { O_LOGDIR = 1100, O_KH, O_SSHPORT, O_WEBPORT, O_WEBSCHEME, O_CAFILE, O_NOWAIT,
	O_CLOUDINIT, O_SETUPDIR, O_SETUPTO, O_SCRIPTTO, O_NOWEB, O_RENDER, O_NOSUDO };

/* Everything a worker reads: plain C strings, set before any thread runs. */
static struct {
	const struct ip_config *cfg;	/* its C strings only (see ip_password_for) */
	const char *user, *keyfile, *known_hosts, *log_dir;
	const char *web_scheme, *ca_file, *setup_dir, *command;
	char *script;
	size_t script_len;
	int ssh_port, web_port, wait_setup, cloud_init, web, sudo;
	long wait_ms, setup_s, script_s;
} opt;

struct job {
	jv item;		/* main thread only (jv is not thread-safe) */
	char *name, *domain, *addr;
	int id, ok;
	const char *step;
	char *msg, *log_path, *fp;
	double t_ssh, t_setup, t_script, t_web, t_total;
	int script_status, cmd_status;
	long web_status;
	const char *dns;
	pthread_t th;
};

static int done_pipe[2];

static double
secs(long long from)
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
	char *raw = ip_xasprintf("%s: %.*s\n", k->name, (int)n, s);
	char *line = ip_redact(raw);	/* a command could print the password */
	ssize_t w = write(2, line, strlen(line));

	(void)w;
	free(line);
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
	if (!opt.log_dir)
		return;
	free(j->log_path);
	j->log_path = ip_xasprintf("%s/%s.log", opt.log_dir, j->name);
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

static int
fail(struct job *j, const char *step, char *msg)
{
	j->step = step;
	j->msg = msg;
	return 0;
}

/* The first-boot setup: done, failed (its marker says where), or late. */
static int
wait_setup(struct job *j, struct ip_ssh *s)
{
	char *q = ip_sh_quote(opt.setup_dir), *got = NULL, *err = NULL;
	char *cmd = ip_xasprintf(
	    "d=%s; n=%ld; i=0\n"
	    "%s"
	    "while [ ! -e \"$d/done\" ] && [ ! -e \"$d/failed\" ]; do\n"
	    "  if [ \"$i\" -ge \"$n\" ]; then exit 124; fi\n"
	    "  sleep 1; i=$((i+1))\n"
	    "done\n"
	    "if [ -e \"$d/failed\" ]; then cat \"$d/failed\"; exit 3; fi\n",
	    q, opt.setup_s, opt.cloud_init ?
	    "cloud-init status --wait >/dev/null 2>&1 || [ $? = 2 ] || { echo cloud-init=failed; exit 3; }\n" : "");
	int status, rc = ip_ssh_exec(s, cmd, NULL, 0, (opt.setup_s + 60) * 1000, collect,
	    &got, &status, &err);

	free(cmd);
	free(q);
	if (rc == IP_SSH_OK && status == 0) {
		free(got);
		return 1;
	}
	if (rc != IP_SSH_OK)
		fail(j, "setup", ip_xasprintf("waiting for the first-boot setup: %s", err));
	else if (status == 124)
		fail(j, "setup", ip_xasprintf("the first-boot setup did not finish in %ld s",
		    opt.setup_s));
	else {
		/* "step=NAME line=N status=S" written by the setup's ERR trap */
		char *nl = got ? strchr(got, '\n') : NULL;
		if (nl)
			*nl = '\0';
		fail(j, "setup", ip_xasprintf("the first-boot setup failed: %s",
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
	    "cat >\"$f\" && printf '%s\\n' \"$f\"", opt.script, opt.script_len, 60000,
	    collect, &path, &status, &err);
	char *nl = path ? strchr(path, '\n') : NULL;
	if (rc != IP_SSH_OK || status != 0 || !nl || path[0] != '/') {
		fail(j, "script", ip_xasprintf("upload failed: %s", err ? err :
		    "no temporary file on the server"));
		free(path);
		free(err);
		return 0;
	}
	*nl = '\0';
	char *q = ip_sh_quote(path);
	/* No #! line: run it with sh, as the original's template did. */
	int shebang = opt.script_len >= 2 && opt.script[0] == '#' && opt.script[1] == '!';
	char *cmd = ip_xasprintf("f=%s; chmod 0700 \"$f\"; "
	    "if [ %d = 0 ] || [ \"$(id -u)\" = 0 ]; then %s\"$f\"; else sudo -n -- %s\"$f\"; fi; "
	    "rc=$?; rm -f \"$f\"; exit $rc", q, opt.sudo, shebang ? "" : "/bin/sh ",
	    shebang ? "" : "/bin/sh ");
	struct sink k;
	sink_open(&k, j, "post-install script");
	rc = ip_ssh_exec(s, cmd, NULL, 0, opt.script_s * 1000, sink_out, &k, &status, &err);
	j->script_status = status;
	sink_close(&k, status);
	free(cmd);
	free(q);
	free(path);
	if (rc != IP_SSH_OK) {
		fail(j, "script", ip_xasprintf("the script did not end: %s", err));
		return 0;
	}
	free(err);
	if (status != 0)
		return fail(j, "script", ip_xasprintf("the script exited with status %d%s%s",
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
	rc = ip_ssh_exec(s, opt.command, NULL, 0, opt.script_s * 1000, sink_out, &k,
	    &status, &err);
	j->cmd_status = status;
	sink_close(&k, status);
	if (rc != IP_SSH_OK)
		return fail(j, "command", ip_xasprintf("the command did not end: %s", err));
	free(err);
	if (status != 0)
		return fail(j, "command", ip_xasprintf("the command exited with status %d",
		    status));
	return 1;
}

static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
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

/* The web server, reached at the server's own address with the domain
 * pinned (a stale negative DNS answer cannot stall us), until it answers
 * 2xx/3xx or the connectivity timeout ends. */
static int
web_check(struct job *j)
{
	long long deadline = ip_now_ms() + opt.wait_ms;
	long delay = ip_backoff_first(1000);
	char *url = ip_xasprintf("%s://%s:%d/", opt.web_scheme, j->domain, opt.web_port);
	char *pin = ip_xasprintf(strchr(j->addr, ':') ? "%s:%d:[%s]" : "%s:%d:%s",
	    j->domain, opt.web_port, j->addr);
	struct curl_slist *resolve = curl_slist_append(NULL, pin);
	char ebuf[CURL_ERROR_SIZE];
	CURLcode cc = CURLE_OK;
	int tries = 0;

	j->dns = dns_state(j->domain, j->addr);
	for (;;) {
		CURL *c = curl_easy_init();
		ebuf[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_USERAGENT, "install-party/" IP_VERSION);
		if (opt.ca_file)
			curl_easy_setopt(c, CURLOPT_CAINFO, opt.ca_file);
		cc = curl_easy_perform(c);
		j->web_status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &j->web_status);
		curl_easy_cleanup(c);
		tries++;
		if (cc == CURLE_OK && j->web_status >= 200 && j->web_status < 400)
			break;
		long long left = deadline - ip_now_ms();
		if (left <= 0)
			break;
		struct timespec ts = { 0, 0 };
		long ms = delay < left ? delay : left;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		delay = ip_backoff_next(delay, 2, 1, 5000);
	}
	curl_slist_free_all(resolve);
	free(pin);
	if (cc == CURLE_OK && j->web_status >= 200 && j->web_status < 400) {
		free(url);
		return 1;
	}
	if (cc != CURLE_OK)
		fail(j, "web", ip_xasprintf("%s after %d tries: %s", url, tries,
		    *ebuf ? ebuf : curl_easy_strerror(cc)));
	else
		fail(j, "web", ip_xasprintf("%s answered HTTP %ld", url, j->web_status));
	free(url);
	return 0;
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	long long t0 = ip_now_ms(), t;
	struct ip_ssh_opts so = {
		.host = j->addr, .port = opt.ssh_port, .user = opt.user,
		.password = opt.keyfile ? NULL : ip_password_for(opt.cfg, j->name),
		.keyfile = opt.keyfile,
		.known_hosts = opt.known_hosts, .wait_ms = opt.wait_ms,
	};
	struct ip_ssh *s = NULL;
	char *err = NULL;

	ip_debug("%s: connecting to %s port %d", j->name, j->addr, opt.ssh_port);
	if (ip_ssh_open(&so, &s, &err) != IP_SSH_OK) {
		fail(j, "ssh", err);
		goto out;
	}
	j->fp = ip_xstrdup(ip_ssh_fingerprint(s));
	j->t_ssh = secs(t0);
	ip_info("%s: logged in over SSH (%s)", j->name, j->fp);
	if (opt.command) {
		t = ip_now_ms();
		j->ok = run_command(j, s);
		j->t_script = secs(t);
		goto out;
	}
	if (opt.wait_setup) {
		t = ip_now_ms();
		if (!wait_setup(j, s))
			goto out;
		j->t_setup = secs(t);
		ip_info("%s: first-boot setup finished", j->name);
	}
	if (opt.script) {
		t = ip_now_ms();
		if (!run_script(j, s))
			goto out;
		j->t_script = secs(t);
		ip_info("%s: post-install script done", j->name);
	}
	ip_ssh_close(s);
	s = NULL;
	if (opt.web) {
		t = ip_now_ms();
		if (!web_check(j))
			goto out;
		j->t_web = secs(t);
		ip_info("%s: web server answers (HTTP %ld, DNS %s)", j->name, j->web_status,
		    j->dns);
	}
	j->ok = 1;
out:
	ip_ssh_close(s);
	j->t_total = secs(t0);
	ssize_t w = write(done_pipe[1], &j->id, sizeof(j->id));
	(void)w;
	return NULL;
}

static jv
num(double v)
{
	return jv_number((double)(long long)(v * 1000 + 0.5) / 1000);
}

static void
finish(struct job *j)
{
	int ok = j->ok;

	if (!ok)
		ip_item_fail(j->item, "provision", "%s: %s", j->step, j->msg);
	else {
		jv p = JV_OBJECT(jv_string("status"), jv_string("ok"),
		    jv_string("address"), jv_string(j->addr),
		    jv_string("host_key"), jv_string(j->fp));
		jv t = JV_OBJECT(jv_string("ssh"), num(j->t_ssh), jv_string("total"), num(j->t_total));
		if (opt.command) {
			p = jv_object_set(p, jv_string("command"),
			    JV_OBJECT(jv_string("exit"), jv_number(j->cmd_status)));
			t = jv_object_set(t, jv_string("command"), num(j->t_script));
		} else {
			if (opt.wait_setup)
				t = jv_object_set(t, jv_string("setup"), num(j->t_setup));
			if (opt.script) {
				p = jv_object_set(p, jv_string("script"),
				    JV_OBJECT(jv_string("exit"), jv_number(j->script_status)));
				t = jv_object_set(t, jv_string("script"), num(j->t_script));
			}
			if (opt.web) {
				p = jv_object_set(p, jv_string("web"), JV_OBJECT(
				    jv_string("status"), jv_number(j->web_status),
				    jv_string("dns"), jv_string(j->dns)));
				t = jv_object_set(t, jv_string("web"), num(j->t_web));
			}
		}
		p = jv_object_set(p, jv_string("seconds"), t);
		p = jv_object_set(p, jv_string("log"), j->log_path ? jv_string(j->log_path) : jv_null());
		ip_emit(jv_object_set(j->item, jv_string("provision"), p));
		ip_info("%s: provisioned in %.1f s", j->name, j->t_total);
	}
	free(j->name);
	free(j->domain);
	free(j->addr);
	free(j->msg);
	free(j->log_path);
	free(j->fp);
	free(j);
}

static struct job **jobs_by_id;
static int njobs;

/* One server object in: a worker thread sees it through (1), or it is
 * failed at once (0). */
static int
start(void *ud, jv item)
{
	const char *name = ip_get_str(item, "name"), *domain = ip_get_str(item, "domain");
	char *addr = ip_server_address(item);
	sigset_t block, old;
	int e;

	(void)ud;
	if (!name || !domain || !addr) {
		ip_item_fail(item, "provision", "no %s to provision",
		    !name ? "name" : !domain ? "domain" : "address");
		free(addr);
		return 0;
	}
	struct job *j = ip_xcalloc(1, sizeof(*j));
	j->name = ip_xstrdup(name);
	j->domain = ip_xstrdup(domain);
	j->addr = addr;
	j->item = item;
	j->id = njobs++;
	jobs_by_id = ip_xrealloc(jobs_by_id, njobs * sizeof(*jobs_by_id));
	jobs_by_id[j->id] = j;
	/* Signals go to the main thread only (workers block them). */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(&j->th, NULL, worker, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		ip_die(IP_EXIT_FATAL, "cannot start a thread: %s", strerror(e));
	return 1;
}

/* A worker wrote its job's id on the done-pipe: emit its result. */
static void
reap(void *ud)
{
	struct ip_runner *run = ud;
	int id;

	if (read(done_pipe[0], &id, sizeof(id)) != sizeof(id))
		return;
	struct job *j = jobs_by_id[id];
	pthread_join(j->th, NULL);
	jobs_by_id[id] = NULL;
	finish(j);
	ip_runner_done(run);
}

static int
render_all(struct ip_config *cfg, const char *tpath)
{
	size_t len, outlen;
	char *tmpl = ip_read_file(tpath, 16u << 20, &len), *err;
	struct ip_reader *r = ip_reader_open("-");
	int bad = 0, rc;
	jv item;

	while ((rc = ip_reader_next(r, &item)) != IP_EOF) {
		if (rc != IP_ITEM)
			continue;
		char *out = ip_render(cfg, tmpl, len, item, NULL, &outlen, &err);
		if (!out) {
			ip_warn("%s: %s", ip_reader_where(r), err);
			free(err);
			bad = 1;
			continue;
		}
		ip_write(out, outlen);
		free(out);
	}
	bad |= ip_reader_errors(r) > 0;
	ip_reader_close(r);
	free(tmpl);
	return bad ? IP_EXIT_ITEM : IP_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "jobs", required_argument, NULL, 'j' },
		{ "identity", required_argument, NULL, 'i' },
		{ "user", required_argument, NULL, 'u' },
		{ "script", required_argument, NULL, 's' },
		{ "command", required_argument, NULL, 'C' },
		{ "log-dir", required_argument, NULL, O_LOGDIR },
		{ "known-hosts", required_argument, NULL, O_KH },
		{ "ssh-port", required_argument, NULL, O_SSHPORT },
		{ "web-port", required_argument, NULL, O_WEBPORT },
		{ "web-scheme", required_argument, NULL, O_WEBSCHEME },
		{ "ca-file", required_argument, NULL, O_CAFILE },
		{ "no-wait-setup", no_argument, NULL, O_NOWAIT },
		{ "cloud-init", no_argument, NULL, O_CLOUDINIT },
		{ "setup-dir", required_argument, NULL, O_SETUPDIR },
		{ "setup-timeout", required_argument, NULL, O_SETUPTO },
		{ "script-timeout", required_argument, NULL, O_SCRIPTTO },
		{ "no-web", no_argument, NULL, O_NOWEB },
		{ "no-sudo", no_argument, NULL, O_NOSUDO },
		{ "render", required_argument, NULL, O_RENDER },
		{ NULL, 0, NULL, 0 },
	};
	const char *script_path = NULL, *kh = NULL, *render = NULL;
	long jobs = 8;
	int c, web_port = -1;

	ip_log_init(argv[0]);
	opt.ssh_port = 22;
	opt.web_scheme = "https";
	opt.wait_setup = 1;
	opt.web = 1;
	opt.sudo = 1;
	opt.setup_dir = "/var/lib/install-party";
	opt.setup_s = 1800;
	opt.script_s = 3600;
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:i:u:s:C:", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		switch (c) {
		case 'j': jobs = ip_cli_long("-j", optarg, 1, 1000); break;
		case 'i': opt.keyfile = optarg; break;
		case 'u': opt.user = optarg; break;
		case 's': script_path = optarg; break;
		case 'C': opt.command = optarg; break;
		case O_LOGDIR: opt.log_dir = optarg; break;
		case O_KH: kh = optarg; break;
		case O_SSHPORT: opt.ssh_port = ip_cli_long("--ssh-port", optarg, 1, 65535); break;
		case O_WEBPORT: web_port = ip_cli_long("--web-port", optarg, 1, 65535); break;
		case O_WEBSCHEME:
			if (strcmp(optarg, "http") && strcmp(optarg, "https")) {
				ip_warn("--web-scheme: expected http or https");
				ip_usage_error(usage);
			}
			opt.web_scheme = optarg;
			break;
		case O_CAFILE: opt.ca_file = optarg; break;
		case O_NOWAIT: opt.wait_setup = 0; break;
		case O_CLOUDINIT: opt.cloud_init = 1; break;
		case O_SETUPDIR: opt.setup_dir = optarg; break;
		case O_SETUPTO: opt.setup_s = ip_cli_long("--setup-timeout", optarg, 1, 86400); break;
		case O_SCRIPTTO: opt.script_s = ip_cli_long("--script-timeout", optarg, 1, 86400); break;
		case O_NOWEB: opt.web = 0; break;
		case O_NOSUDO: opt.sudo = 0; break;
		case O_RENDER: render = optarg; break;
		default: ip_usage_error(usage);
		}
	}
	if (optind != argc || (script_path && opt.command)) {
		if (script_path && opt.command)
			ip_warn("-s and -C cannot be used together");
		ip_usage_error(usage);
	}
	opt.web_port = web_port > 0 ? web_port : strcmp(opt.web_scheme, "https") ? 80 : 443;

	struct ip_config *cfg = ip_config_load(ip_config_path);
	if (render) {
		int rc = render_all(cfg, render);
		ip_config_free(cfg);
		return rc;
	}
	if (!opt.user)
		opt.user = cfg->user;
	opt.cfg = cfg;
	opt.wait_ms = cfg->connectivity_check_timeout * 1000;
	char *khpath = kh ? ip_xstrdup(kh) : ip_known_hosts_path(cfg->namespace);
	opt.known_hosts = khpath;
	if (script_path)
		opt.script = ip_read_file(script_path, 16u << 20, &opt.script_len);
	if (opt.keyfile && access(opt.keyfile, R_OK) != 0)
		ip_die(IP_EXIT_FATAL, "%s: %s", opt.keyfile, strerror(errno));
	if (opt.log_dir && mkdir(opt.log_dir, 0700) != 0 && errno != EEXIST)
		ip_die(IP_EXIT_FATAL, "%s: %s", opt.log_dir, strerror(errno));
	if (pipe(done_pipe) != 0)
		ip_die(IP_EXIT_FATAL, "pipe: %s", strerror(errno));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ip_ssh_global_init();

	static const char *const types[] = { "instance", "record", "server", NULL };
	struct ip_runner run = { .types = types, .jobs = (int)jobs, .fd = done_pipe[0],
	    .start = start, .ready = reap, .ud = &run };
	int rc = ip_runner_run(&run);
	free(jobs_by_id);
	free(khpath);
	free(opt.script);
	close(done_pipe[0]);
	close(done_pipe[1]);
	ip_ssh_global_cleanup();
	curl_global_cleanup();
	ip_config_free(cfg);
	return rc;
}
