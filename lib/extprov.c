/* extprov: run provider executables (see extprov.h and ip-provider(7)).
 * The request is written to a memfd that becomes the child's stdin, and
 * its stdout and stderr are memfds too, read once it has exited: nothing
 * can block on a full pipe, and secrets never touch argv, the environment
 * or the disk.  The loop watches a pidfd (readable at exit) and a timerfd
 * (the timeout); the child leads its own process group, so a timeout kills
 * whatever it started, and a terminal's Ctrl-C reaches only us. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "extprov.h"
#include "log.h"
#include "schema.h"
#include "stream.h"

#define OUT_MAX (64L << 20)	/* bytes of output read from one call */

struct ip_ext {
	struct ip_http *h;
	char *cmd;		/* path or name for execvp */
	char *label;		/* for messages: the command's base name */
	char *name;		/* the provider's name */
	jv args;
	const char *ns, *zone;
	long timeout_ms;
};

struct call {
	struct ip_ext *x;
	char *op;
	pid_t pid;
	int pidfd, timerfd, outfd, errfd;
	int exitpipe;		/* pidfd is not a pidfd but a pipe (below) */
	int timed_out;
	ip_ext_cb cb;
	void *ud;
};

char *
ip_ext_find(const char *tool, const char *name)
{
	const char *path = getenv("PATH");
	char *dirs, *sv = NULL, *out = NULL;

	if (name == NULL || *name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name))
		return NULL;
	dirs = ip_xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &sv); d && !out; d = strtok_r(NULL, ":", &sv)) {
		char *p = ip_xasprintf("%s/%s-%s", *d ? d : ".", tool, name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			out = p;
		else
			free(p);
	}
	free(dirs);
	return out;
}

struct ip_ext *
ip_ext_open(const struct ip_config *cfg, const char *section, const char *tool, struct ip_http *h)
{
	struct ip_ext *x = ip_xcalloc(1, sizeof(*x));
	char *prov = ip_xasprintf("%s.provider", section), *key, *args;
	const char *name = ip_config_str(cfg, prov);

	x->h = h;
	x->ns = cfg->namespace;
	x->zone = cfg->zone;
	if (strcmp(name, "exec") == 0) {
		key = ip_xasprintf("%s.args.command", section);
		const char *c = ip_config_str(cfg, key);
		if (strchr(c, '/') && access(c, X_OK) != 0)
			ip_config_die(cfg, key, "not an executable file");
		x->cmd = ip_xstrdup(c);
		free(key);
	} else if ((x->cmd = ip_ext_find(tool, name)) == NULL)
		ip_config_die(cfg, prov, "no %s-%s on PATH", tool, name);
	const char *base = strrchr(x->cmd, '/');
	x->label = ip_xstrdup(base ? base + 1 : x->cmd);
	x->name = ip_xstrdup(name);
	key = ip_xasprintf("%s.args.timeout", section);
	x->timeout_ms = 1000 * ip_config_int_or(cfg, key, 60, 1, 86400);
	free(key);
	args = ip_xasprintf("%s.args", section);
	x->args = ip_config_get(cfg, args);
	if (jv_get_kind(x->args) != JV_KIND_OBJECT) {
		jv_free(x->args);
		x->args = jv_object();
	}
	free(args);
	free(prov);
	return x;
}

void
ip_ext_close(struct ip_ext *x)
{
	if (x == NULL)
		return;
	jv_free(x->args);
	free(x->cmd);
	free(x->label);
	free(x->name);
	free(x);
}

const char *
ip_ext_name(const struct ip_ext *x)
{
	return x->name;
}

static int
memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		ip_die(IP_EXIT_FATAL, "memfd_create: %s", strerror(errno));
	return fd;
}

static char *
slurp_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = ip_xmalloc(cap);
	ssize_t r;

	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, buf + n, cap - n - 1)) > 0 || (r < 0 && errno == EINTR)) {
		if (r < 0)
			continue;
		n += (size_t)r;
		if ((long)n >= OUT_MAX)
			break;
		if (cap - n < 2)
			buf = ip_xrealloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The last non-empty line of the provider's stderr, for the message. */
static char *
last_line(const char *s)
{
	const char *end = s + strlen(s), *b;

	while (end > s && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
		end--;
	for (b = end; b > s && b[-1] != '\n'; b--)
		;
	return end > b ? ip_xasprintf("%.*s", (int)(end - b > 400 ? 400 : end - b), b) : NULL;
}

static void
finish(struct call *c, int st)
{
	struct ip_ext *x = c->x;
	size_t olen, elen;
	char *out = slurp_fd(c->outfd, &olen), *errs = slurp_fd(c->errfd, &elen);
	char *err = NULL, *emsg = NULL, *sv = NULL;
	jv objs = jv_array();
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : -1, lineno = 0;

	for (char *l = strtok_r(out, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv)) {
		lineno++;
		if (strspn(l, " \t\r") == strlen(l))
			continue;
		jv v = jv_parse(l);
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			jv_free(v);
			if (err == NULL)
				err = ip_xasprintf("%s %s: output line %d is not a JSON object",
				    x->label, c->op, lineno);
			continue;
		}
		if (ip_get_type(v, "error") && emsg == NULL && ip_get_str(v, "message"))
			emsg = ip_xstrdup(ip_get_str(v, "message"));
		objs = jv_array_append(objs, v);
	}
	/* its own messages: shown when it failed, with -v otherwise */
	sv = NULL;
	for (char *l = strtok_r(errs, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv))
		if (status != 0 || err)
			ip_warn("%s %s: %s", x->label, c->op, l);
		else
			ip_debug("%s %s: %s", x->label, c->op, l);
	if (c->timed_out) {
		free(err);
		err = ip_xasprintf("%s %s: no answer within %ld s (args.timeout); killed",
		    x->label, c->op, x->timeout_ms / 1000);
	} else if (status != 0) {
		char *why = emsg ? ip_xstrdup(emsg) : last_line(errs);
		free(err);
		if (status < 0)
			err = ip_xasprintf("%s %s: killed by signal %d", x->label, c->op,
			    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		else
			err = ip_xasprintf("%s %s: exit status %d%s%s", x->label, c->op, status,
			    why ? ": " : "", why ? why : "");
		free(why);
	}
	free(emsg);
	free(out);
	free(errs);
	c->cb(c->ud, objs, err, c->timed_out ? -1 : status);
	free(err);
}

static void
call_free(struct call *c)
{
	if (c->pidfd >= 0) {
		ip_http_unwatch(c->x->h, c->pidfd);
		close(c->pidfd);
	}
	if (c->timerfd >= 0) {
		ip_http_unwatch(c->x->h, c->timerfd);
		close(c->timerfd);
	}
	close(c->outfd);
	close(c->errfd);
	free(c->op);
	free(c);
}

static void
on_exit_fd(void *arg)
{
	struct call *c = arg;
	siginfo_t si = { 0 };
	int st = 0;

	if (c->exitpipe) {
		char b[64];
		ssize_t n = read(c->pidfd, b, sizeof(b));
		if (n != 0)
			return;		/* not at its end yet */
		/* every holder closed it: the child has exited, or closed fd 3 */
		if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			kill(-c->pid, SIGKILL);
	} else if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_pid == 0)
		return;		/* not yet: a stale wake-up */
	/* exited, not reaped yet: its process group cannot be reused meanwhile */
	/* whatever the provider started goes with it */
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	ip_http_unwatch(c->x->h, c->pidfd);
	finish(c, st);
	call_free(c);
}

static void
on_timer(void *arg)
{
	struct call *c = arg;
	unsigned long long n;

	if (read(c->timerfd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;		/* a stale wake-up */
	c->timed_out = 1;
	kill(-c->pid, SIGKILL);
	ip_http_unwatch(c->x->h, c->timerfd);
	close(c->timerfd);
	c->timerfd = -1;
}

/* The first call on a system without pidfds: wait for it by polling,
 * bounded by the timeout, then finish it as usual. */
static int
ip_ext_wait_first(struct call *c)
{
	long long end = ip_now_ms() + c->x->timeout_ms;
	siginfo_t si;
	int st = 0;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			return -1;
		if (si.si_pid != 0)
			break;
		if (ip_now_ms() >= end) {
			c->timed_out = 1;
			kill(-c->pid, SIGKILL);
		}
		usleep(10000);
	}
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	c->pidfd = -1;
	finish(c, st);
	call_free(c);
	return 0;
}

void
ip_ext_call(struct ip_ext *x, const char *op, jv req, ip_ext_cb cb, void *ud)
{
	struct call *c = ip_xcalloc(1, sizeof(*c));
	int in = memfd("ip-provider-request");
	jv line;
	const char *s;
	size_t len, done = 0;

	req = jv_object_set(req, jv_string("type"), jv_string("request"));
	req = jv_object_set(req, jv_string("op"), jv_string(op));
	req = jv_object_set(req, jv_string("namespace"), jv_string(x->ns));
	req = jv_object_set(req, jv_string("zone"), jv_string(x->zone));
	req = jv_object_set(req, jv_string("args"), jv_copy(x->args));
	line = jv_dump_string(req, 0);
	s = jv_string_value(line);
	len = strlen(s);
	while (done < len) {
		ssize_t w = write(in, s + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			ip_die(IP_EXIT_FATAL, "writing a provider request: %s", strerror(errno));
		done += (size_t)w;
	}
	if (write(in, "\n", 1) != 1)
		ip_die(IP_EXIT_FATAL, "writing a provider request: %s", strerror(errno));
	explicit_bzero((char *)s, len);	/* it holds the secrets */
	jv_free(line);
	lseek(in, 0, SEEK_SET);
	c->pidfd = c->timerfd = -1;
	c->x = x;
	c->op = ip_xstrdup(op);
	c->cb = cb;
	c->ud = ud;
	c->outfd = memfd("ip-provider-stdout");
	c->errfd = memfd("ip-provider-stderr");
	/* Without pidfds (valgrind 3.19, kernels before 5.3), the end of a pipe
	 * that only the child holds (as fd 3) says when it has exited. */
	static int no_pidfd;
	int ep[2] = { -1, -1 };
	if (no_pidfd && pipe2(ep, O_CLOEXEC | O_NONBLOCK) < 0)
		ip_die(IP_EXIT_FATAL, "pipe: %s", strerror(errno));
	pid_t parent = getpid();
	fflush(stdout);
	fflush(stderr);
	if ((c->pid = fork()) < 0)
		ip_die(IP_EXIT_FATAL, "fork: %s", strerror(errno));
	if (c->pid == 0) {
		sigset_t none;
		char *argv[] = { x->cmd, c->op, NULL };
		/* its own group (our Ctrl-C is not its), but it dies with us */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in, 0) < 0 || dup2(c->outfd, 1) < 0 || dup2(c->errfd, 2) < 0 ||
		    (ep[1] >= 0 && dup2(ep[1], 3) < 0))
			_exit(127);
		closefrom(ep[1] >= 0 ? 4 : 3);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(c->pid, c->pid);	/* either side may win the race */
	close(in);
	if (no_pidfd) {
		close(ep[1]);
		c->pidfd = ep[0];
		c->exitpipe = 1;
	} else if ((c->pidfd = pidfd_open(c->pid, 0)) < 0) {
		if (errno != ENOSYS)
			ip_die(IP_EXIT_FATAL, "pidfd_open: %s", strerror(errno));
		/* this child does not hold such a pipe: wait for it, then use
		 * pipes from now on */
		no_pidfd = 1;
		if (ip_ext_wait_first(c) < 0)
			ip_die(IP_EXIT_FATAL, "waitpid: %s", strerror(errno));
		return;
	}
	c->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->timerfd < 0)
		ip_die(IP_EXIT_FATAL, "timerfd_create: %s", strerror(errno));
	struct itimerspec its = { .it_value = { .tv_sec = x->timeout_ms / 1000,
	    .tv_nsec = (x->timeout_ms % 1000) * 1000000 } };
	timerfd_settime(c->timerfd, 0, &its, NULL);
	ip_http_watch(x->h, c->pidfd, on_exit_fd, c);
	ip_http_watch(x->h, c->timerfd, on_timer, c);
	ip_debug("%s %s: started (pid %d)", x->label, op, (int)c->pid);
}

struct sync {
	int done, status;
	jv out;
	char *err;
};

static void
sync_done(void *ud, jv out, const char *err, int status)
{
	struct sync *s = ud;

	s->done = 1;
	s->out = out;
	s->err = err ? ip_xstrdup(err) : NULL;
	s->status = status;
}

int
ip_ext_call_sync(struct ip_ext *x, const char *op, jv req, jv *out, char **err, int *status)
{
	struct sync s = { 0 };

	ip_ext_call(x, op, req, sync_done, &s);
	while (!s.done)
		ip_http_step(x->h, -1, NULL, 1000);
	if (out)
		*out = s.out;
	else
		jv_free(s.out);
	if (status)
		*status = s.status;
	*err = s.err;
	return s.err ? -1 : 0;
}
