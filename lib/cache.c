/* cache: small 0600 files under $XDG_RUNTIME_DIR/install-party. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cache.h"
#include "log.h"
#include "util.h"

#define CACHE_MAX 65536

/* The directory, made when missing; NULL when there is none to trust. */
static char *
cache_dir(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR"), *off = getenv("IP_CACHE");
	struct stat st;
	char *dir;

	if (off && strcmp(off, "off") == 0)
		return NULL;
	if (rt == NULL || rt[0] != '/')
		return NULL;
	dir = ip_xasprintf("%s/install-party", rt);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		ip_debug("cache: %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	/* ours, a real directory, nobody else's to read or replace */
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		ip_debug("cache: %s is not a private directory of ours: not used", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static char *
cache_path(const char *kind, const char *const *parts)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], *dir = cache_dir(), *p;
	EVP_MD_CTX *ctx;

	if (dir == NULL)
		return NULL;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		ip_die(IP_EXIT_FATAL, "SHA-256 is not available");
	EVP_DigestUpdate(ctx, kind, strlen(kind) + 1);
	for (; *parts; parts++)
		EVP_DigestUpdate(ctx, *parts, strlen(*parts) + 1);	/* NUL-separated */
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	p = ip_xasprintf("%s/%s-%.32s.json", dir, kind, hex);
	free(dir);
	return p;
}

jv
ip_cache_load(const char *kind, const char *const *parts, long margin)
{
	char *path = cache_path(kind, parts), buf[CACHE_MAX];
	struct stat st;
	ssize_t k;
	size_t n = 0;
	int fd;
	jv v, exp;

	if (path == NULL)
		return jv_invalid();
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return jv_invalid();
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		return jv_invalid();
	}
	while (n < sizeof(buf) && (k = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)k;
	close(fd);
	v = n > 0 && n < sizeof(buf) ? jv_parse_sized(buf, (int)n) : jv_invalid();
	explicit_bzero(buf, n);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);	/* its message would quote the file */
		return jv_invalid();
	}
	exp = jv_object_get(jv_copy(v), jv_string("expires"));
	if (jv_get_kind(exp) != JV_KIND_NUMBER ||
	    jv_number_value(exp) <= (double)time(NULL) + margin) {
		jv_free(exp);
		jv_free(v);
		return jv_invalid();
	}
	jv_free(exp);
	return v;
}

void
ip_cache_store(const char *kind, const char *const *parts, jv v, long long expires)
{
	char *path = cache_path(kind, parts), *tmp;
	jv s;
	int fd;

	if (path == NULL || jv_get_kind(v) != JV_KIND_OBJECT) {
		free(path);
		jv_free(v);
		return;
	}
	v = jv_object_set(v, jv_string("expires"), jv_number((double)expires));
	s = jv_dump_string(v, 0);
	tmp = ip_xasprintf("%s.%ld.tmp", path, (long)getpid());
	/* written whole, then renamed: a reader sees the old entry or the new */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		size_t len = (size_t)jv_string_length_bytes(jv_copy(s));
		int ok = write(fd, jv_string_value(s), len) == (ssize_t)len;
		if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
			ip_debug("cache: cannot write %s", path);
			unlink(tmp);
		}
	}
	jv_free(s);
	free(tmp);
	free(path);
}

void
ip_cache_drop(const char *kind, const char *const *parts)
{
	char *path = cache_path(kind, parts);

	if (path)
		unlink(path);
	free(path);
}

long long
ip_cache_iso_time(const char *s)
{
	struct tm tm;
	const char *end;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return -1;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	/* Keystone writes UTC ("Z"); an offset we do not trust: no expiry */
	if (strcmp(end, "Z") != 0 && strcmp(end, "") != 0 && strcmp(end, "+00:00") != 0)
		return -1;
	return (long long)timegm(&tm);
}
