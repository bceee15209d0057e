/* server: a server's address and its recorded host key.  known_hosts is
 * read line by line (a bad line is skipped, never the rest of the file). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "server.h"
#include "stream.h"

char *
ip_server_address(jv item)
{
	const char *a = ip_get_str(item, "ipv4");
	char *out = NULL;

	if (a)
		return ip_xstrdup(a);
	const char *keys[][2] = { { "instance", "ipv4" }, { "record", "target" } };
	for (int i = 0; i < 2 && !out; i++) {
		jv sub = ip_get_obj(item, keys[i][0]);
		if (jv_get_kind(sub) == JV_KIND_OBJECT && (a = ip_get_str(sub, keys[i][1])))
			out = ip_xstrdup(a);
		jv_free(sub);
	}
	if (!out && (a = ip_get_str(item, "target")))
		out = ip_xstrdup(a);
	if (!out && (a = ip_get_str(item, "ipv6")))
		out = ip_xstrdup(a);
	if (!out) {
		jv sub = ip_get_obj(item, "instance");
		if (jv_get_kind(sub) == JV_KIND_OBJECT && (a = ip_get_str(sub, "ipv6")))
			out = ip_xstrdup(a);
		jv_free(sub);
	}
	return out;
}

char *
ip_known_hosts_path(const char *ns)
{
	const char *e = getenv("IP_KNOWN_HOSTS"), *x = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (e && *e)
		return ip_xstrdup(e);
	if (x && *x == '/')
		return ip_xasprintf("%s/install-party/%s/known_hosts", x, ns);
	if (!home || !*home)
		ip_die(IP_EXIT_FATAL, "HOME is not set: use --known-hosts FILE");
	return ip_xasprintf("%s/.local/state/install-party/%s/known_hosts", home, ns);
}

/* Base64 to bytes; -1 when s is not base64.  out holds 3 * strlen(s) / 4. */
static int
unbase64(const char *s, unsigned char *out)
{
	size_t n = strlen(s);
	int len;

	if (n == 0 || n % 4 != 0 || (len = EVP_DecodeBlock(out, (const unsigned char *)s,
	    (int)n)) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as bytes. */
	for (size_t i = n; i > 0 && s[i - 1] == '='; i--)
		len--;
	return len;
}

/* |1|SALT|HASH: HMAC-SHA1 of the host spec keyed with the salt. */
static int
hashed_match(const char *pat, const char *spec)
{
	char *dup = ip_xstrdup(pat + 3), *bar = strchr(dup, '|');
	unsigned char salt[64], want[64], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int slen, wlen, ok = 0;

	if (bar) {
		*bar = '\0';
		/* unbase64 writes 3/4 of its input's length */
		if (strlen(dup) > 80 || strlen(bar + 1) > 80) {
			free(dup);
			return 0;
		}
		slen = unbase64(dup, salt);
		wlen = unbase64(bar + 1, want);
		ok = slen > 0 && wlen == 20 && HMAC(EVP_sha1(), salt, slen,
		    (const unsigned char *)spec, strlen(spec), md, &mdlen) && mdlen == 20 &&
		    memcmp(md, want, 20) == 0;
	}
	free(dup);
	return ok;
}

static int
hosts_match(char *hosts, const char *spec)
{
	char *save = NULL;

	for (char *h = strtok_r(hosts, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
		if (strncmp(h, "|1|", 3) == 0 ? hashed_match(h, spec) : strcasecmp(h, spec) == 0)
			return 1;
	}
	return 0;
}

/* ip-provision's order (lib/ssh.c): the key it was shown first. */
static int
type_rank(const char *t)
{
	static const char *const order[] = { "ssh-ed25519", "ecdsa-sha2-nistp256",
	    "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa", NULL };

	for (int i = 0; order[i]; i++)
		if (strcmp(order[i], t) == 0)
			return i;
	return 99;
}

int
ip_known_host_key(const char *path, const char *host, int port,
    struct ip_host_key *out, char **err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *spec;
	size_t cap = 0;
	int best = -1;

	*err = NULL;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		*err = ip_xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	spec = port == 22 ? ip_xstrdup(host) : ip_xasprintf("[%s]:%d", host, port);
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL;
		char *hosts = strtok_r(line, " \t\r\n", &save);
		if (!hosts || hosts[0] == '#' || hosts[0] == '@')
			continue;	/* comments; @revoked and @cert-authority lines */
		char *type = strtok_r(NULL, " \t\r\n", &save);
		char *blob = strtok_r(NULL, " \t\r\n", &save);
		if (!type || !blob || strlen(type) >= sizeof(out->type) || !hosts_match(hosts, spec))
			continue;
		int rank = type_rank(type);
		if (best >= 0 && rank >= best)
			continue;
		unsigned char *raw = ip_xmalloc(strlen(blob)), md[EVP_MAX_MD_SIZE];
		unsigned char b64[48];
		unsigned int mdlen = 0;
		int n = unbase64(blob, raw);
		if (n > 0 && EVP_Digest(raw, n, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32) {
			EVP_EncodeBlock(b64, md, 32);
			b64[43] = '\0';		/* OpenSSH shows it without '=' padding */
			snprintf(out->fp, sizeof(out->fp), "SHA256:%s", b64);
			snprintf(out->type, sizeof(out->type), "%s", type);
			best = rank;
		}
		free(raw);
	}
	if (ferror(f)) {
		*err = ip_xasprintf("%s: %s", path, strerror(errno));
		best = -2;
	}
	free(line);
	free(spec);
	fclose(f);
	return best == -2 ? -1 : best >= 0;
}
