/* log: messages on stderr, one write each, with secrets redacted. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

const char *ip_progname = "install-party";
int ip_verbosity = 1;

static char **secrets;
static size_t nsecrets;
/* Secrets may be registered from worker threads (derived passwords);
 * recursive, since dying of no memory inside logs through here again. */
static pthread_mutex_t secrets_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void
ip_log_init(const char *argv0)
{
	const char *s = strrchr(argv0, '/');

	ip_progname = s ? s + 1 : argv0;
}

void
ip_secret(const char *s)
{
	size_t i;

	/* Short values would redact ordinary words; they are still secret,
	 * but no message we write quotes config values anyway. */
	if (s == NULL || strlen(s) < 3)
		return;
	pthread_mutex_lock(&secrets_lock);
	for (i = 0; i < nsecrets && strcmp(secrets[i], s) != 0; i++)
		;
	if (i == nsecrets) {
		secrets = ip_xrealloc(secrets, (nsecrets + 1) * sizeof(*secrets));
		secrets[nsecrets++] = ip_xstrdup(s);
	}
	pthread_mutex_unlock(&secrets_lock);
}

char *
ip_redact(const char *s)
{
	char *out = ip_xstrdup(s), *p;
	size_t i;

	pthread_mutex_lock(&secrets_lock);
	for (i = 0; i < nsecrets; i++) {
		size_t n = strlen(secrets[i]);
		while ((p = strstr(out, secrets[i])) != NULL) {
			size_t pre = p - out;
			char *o = ip_xmalloc(strlen(out) - n + 4);
			memcpy(o, out, pre);
			memcpy(o + pre, "***", 3);
			strcpy(o + pre + 3, p + n);
			free(out);
			out = o;
		}
	}
	pthread_mutex_unlock(&secrets_lock);
	return out;
}

void
ip_vlog(int level, const char *fmt, va_list ap)
{
	char *msg, *red, *line;
	int e = errno;

	if (level > ip_verbosity)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	red = ip_redact(msg);
	if (asprintf(&line, "%s: %s\n", ip_progname, red) >= 0) {
		/* one write so lines from concurrent stages do not interleave */
		ssize_t w = write(2, line, strlen(line));
		(void)w;
		free(line);
	}
	free(red);
	free(msg);
	errno = e;
}

#define LOGFN(fn, level) \
	void fn(const char *fmt, ...) \
	{ va_list ap; va_start(ap, fmt); ip_vlog(level, fmt, ap); va_end(ap); }
LOGFN(ip_warn, 0)
LOGFN(ip_info, 1)
LOGFN(ip_debug, 2)

void
ip_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ip_vlog(0, fmt, ap);
	va_end(ap);
	/* A fatal exit frees nothing on purpose: _exit keeps leak checkers
	 * quiet about what was live at the time.  Flush what stdio holds. */
	fflush(stdout);
	_exit(code);
}

void *
ip_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		ip_die(IP_EXIT_FATAL, "out of memory");
	return p;
}

void *
ip_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		ip_die(IP_EXIT_FATAL, "out of memory");
	return p;
}

void *
ip_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		ip_die(IP_EXIT_FATAL, "out of memory");
	return p;
}

char *
ip_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		ip_die(IP_EXIT_FATAL, "out of memory");
	return p;
}

char *
ip_vxasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		ip_die(IP_EXIT_FATAL, "out of memory");
	return s;
}

char *
ip_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ip_vxasprintf(fmt, ap);
	va_end(ap);
	return s;
}
