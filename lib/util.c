/* util: quoting, escaping, reading a file, backoff. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

char *
ip_sh_quote(const char *s)
{
	size_t n = 3;
	char *out, *p;

	for (const char *q = s; *q; q++)
		n += *q == '\'' ? 4 : 1;
	p = out = ip_xmalloc(n);
	*p++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else
			*p++ = *s;
	}
	*p++ = '\'';
	*p = '\0';
	return out;
}

char *
ip_printable(const char *s)
{
	char *o = ip_xstrdup(s ? s : "");

	for (char *p = o; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return o;
}

char *
ip_url_escape(const char *s)
{
	/* libcurl >= 7.82 escapes without a handle */
	char *e = curl_easy_escape(NULL, s, 0), *out;

	if (e == NULL)
		ip_die(IP_EXIT_FATAL, "out of memory");
	out = ip_xstrdup(e);
	curl_free(e);
	return out;
}

char *
ip_read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t k;

	if (fd < 0)
		ip_die(IP_EXIT_FATAL, "%s: %s", path, strerror(errno));
	buf = ip_xmalloc(cap + 1);
	while ((k = read(fd, buf + n, cap - n)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			ip_die(IP_EXIT_FATAL, "%s: %s", path, strerror(errno));
		}
		n += k;
		if (n > max)
			ip_die(IP_EXIT_FATAL, "%s: larger than %zu MiB", path, max >> 20);
		if (n == cap) {
			cap *= 2;
			buf = ip_xrealloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

long
ip_backoff_first(long dflt)
{
	static long env = -1;

	if (env < 0) {
		const char *e = getenv("IP_HTTP_BACKOFF_MS");
		env = e && atol(e) > 0 ? atol(e) : 0;
	}
	return env > 0 ? env : dflt;
}

long
ip_backoff_next(long delay, int num, int den, long max)
{
	long d = delay * num / den;

	return d > max ? max : d;
}
