/* util: quoting, escaping, reading a file, backoff, durations and times. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

long long
ip_parse_duration(const char *s)
{
	static const struct { char unit; long long secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
	};
	long long n = 0;
	const char *p = s;

	if (s == NULL || *s < '1' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 100000000LL)	/* over three years in seconds: a typo */
			return -1;
	}
	if (p[0] == '\0' || p[1] != '\0')
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (*p == units[i].unit)
			return n * units[i].secs > 100000000LL ? -1 : n * units[i].secs;
	return -1;
}

void
ip_time_iso(long long t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		strcpy(buf, "1970-01-01T00:00:00Z");
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

long long
ip_parse_time(const char *s)
{
	int y, mo, d, h, mi, se, n = 0, oh = 0, om = 0;
	long long t;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 ||
	    n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, k = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || oh > 23 || om > 59)
			return -1;
		oh *= sign;
		om *= sign;
		s += 6;
	} else if (*s != '\0')	/* nova's "2013-09-03T04:01:32" without a zone is UTC */
		return -1;
	if (*s != '\0')
		return -1;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	return t - oh * 3600 - om * 60;
}
