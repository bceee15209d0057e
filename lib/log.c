/* log: messages on stderr, one write each, with secrets redacted. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

const char *ip_progname = "install-party";
void (*ip_die_hook)(int code);
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

void
ip_secrets_reset(void)
{
	for (size_t i = 0; i < nsecrets; i++) {
		explicit_bzero(secrets[i], strlen(secrets[i]));
		free(secrets[i]);
	}
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
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

/* Length of the UTF-8 sequence at s (1 to 4), or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s, unsigned *cp)
{
	size_t need, i;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		need = 1, *cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		need = 2, *cp = c & 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		need = 3, *cp = c & 0x07, min = 0x10000;
	else
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the terminating NUL */
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return need + 1;
}

char *
ip_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = ip_xmalloc(strlen((const char *)p) + 1), *o = out;

	while (*p) {
		unsigned cp;
		size_t n = utf8_len(p, &cp);
		if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			*o++ = '?';	/* C0, DEL, C1 (ESC, CSI...) and stray bytes */
			p += n ? n : 1;
		} else {
			memcpy(o, p, n);
			o += n;
			p += n;
		}
	}
	*o = '\0';
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
	free(msg);
	/* messages quote names, keys and API answers: no escape reaches a terminal */
	msg = ip_sanitize(red);
	free(red);
	red = msg;
	msg = NULL;
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
	if (ip_die_hook)
		ip_die_hook(code);	/* tests/fuzz: back to the next input */
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
