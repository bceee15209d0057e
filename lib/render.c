/* render: a server's first-boot user data.  Every @NAME@ of the template
 * that we know is replaced by its value as ONE single-quoted shell word,
 * so no value can end the word or be expanded; unknown @...@ stay as they
 * are.  The password is sent only as a crypt(3) SHA-512 hash with a fresh
 * salt per server.  See share/setup.sh.in and ip-provision(1). */
#include <crypt.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include <openssl/evp.h>

#include "http.h"
#include "password.h"
#include "render.h"
#include "stream.h"

/* Release v1.7.15 renamed the assets riot-vX.tar.gz -> element-vX.tar.gz. */
#define RIOT_URL "https://github.com/vector-im/riot-web/releases/download/%s/riot-%s.tar.gz"
#define ELEMENT_URL "https://github.com/element-hq/element-web/releases/download/%s/element-%s.tar.gz"

struct buf {
	char *p;
	size_t len, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = ip_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* 'it'\''s': inside single quotes nothing is special but the quote itself. */
static void
put_quoted(struct buf *b, const char *s)
{
	put(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			put(b, "'\\''", 4);
		else
			put(b, s, 1);
	}
	put(b, "'", 1);
}

/* Is the version (v)X.Y.Z older than 1.7.15?  Missing parts count as 0. */
static int
riot_era(const char *v)
{
	long part[3] = { 0, 0, 0 };
	const char *s = v + (*v == 'v');

	for (int i = 0; i < 3 && isdigit((unsigned char)*s); i++) {
		char *end;
		part[i] = strtol(s, &end, 10);
		s = end;
		if (*s != '.')
			break;
		s++;
	}
	if (part[0] != 1)
		return part[0] < 1;
	if (part[1] != 7)
		return part[1] < 7;
	return part[2] < 15;
}

char *
ip_element_url(const char *version)
{
	return ip_xasprintf(riot_era(version) ? RIOT_URL : ELEMENT_URL, version, version);
}

int
ip_element_is_riot(const char *version)
{
	return riot_era(version);
}

const char *
ip_element_version(const struct ip_config *c)
{
	const char *v = ip_config_str_or(c, "general.element_version", NULL);

	return v ? v : c->riot_version;
}

char *
ip_element_url_for(const struct ip_config *c)
{
	const char *v = ip_element_version(c);
	const char *tmpl = ip_config_str_or(c, "general.element_url", NULL);
	const char *at;
	char *url;

	if (tmpl == NULL)
		return ip_element_url(v);
	if ((at = strstr(tmpl, "{version}")) == NULL)
		return ip_xstrdup(tmpl);
	url = ip_xasprintf("%.*s%s%s", (int)(at - tmpl), tmpl, v, at + 9);
	return url;
}

static char pinned_sha[65];

int
ip_render_pin_element(const struct ip_config *c, char **err)
{
	struct ip_http_opts o = { .parallel = 1, .timeout_ms = 300000, .retries = 2,
	    .ca_file = NULL };
	char *url = ip_element_url_for(c);
	struct ip_http *h;
	struct ip_req *r;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = -1;

	*err = NULL;
	if (*ip_config_str_or(c, "general.element_sha256", "") != '\0') {
		free(url);
		return 0;
	}
	h = ip_http_new(&o);
	r = ip_req_new("GET", url);
	r->follow = 1;
	ip_http_do(h, r);
	if (r->cc != CURLE_OK || r->status != 200)
		*err = ip_xasprintf("%s: %s", url, ip_req_error(r));
	else if (r->resp_len == 0)
		*err = ip_xasprintf("%s: empty answer", url);
	else if (!EVP_Digest(r->resp, r->resp_len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		*err = ip_xstrdup("SHA-256 failed");
	else {
		for (unsigned int i = 0; i < mdlen; i++)
			snprintf(pinned_sha + 2 * i, 3, "%02x", md[i]);
		ip_debug("%s: SHA-256 %s", url, pinned_sha);
		rc = 0;
	}
	ip_req_free(r);
	ip_http_free(h);
	free(url);
	return rc;
}

char *
ip_password_hash(const char *password)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	char *out = NULL;

	/* NULL random bytes: libxcrypt reads them from the kernel itself. */
	if (!crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof(salt)))
		return NULL;
	cd = ip_xcalloc(1, sizeof(*cd));
	const char *h = crypt_rn(password, salt, cd, sizeof(*cd));
	if (h && h[0] == '$')
		out = ip_xstrdup(h);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return out;
}

static int
hex64(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n == 64;
}

char *
ip_render(const struct ip_config *c, const char *tmpl, size_t len, jv item,
    size_t *outlen, char **err)
{
	const char *domain = ip_get_str(item, "domain");
	const char *version, *sha;
	char *url = NULL, *hash = NULL, port[16];
	struct buf b = { NULL, 0, 0 };

	*err = NULL;
	if (!domain || !*domain) {
		*err = ip_xstrdup("the object has no domain");
		goto fail;
	}
	jv d = jv_object_get(jv_copy(item), jv_string("domain"));
	size_t dlen = (size_t)jv_string_length_bytes(d);
	if (dlen != strlen(domain)) {
		*err = ip_xstrdup("the domain holds a NUL byte");
		goto fail;
	}
	if (memchr(tmpl, '\0', len)) {
		*err = ip_xstrdup("the template holds a NUL byte");
		goto fail;
	}
	version = ip_element_version(c);
	sha = ip_config_str_or(c, "general.element_sha256", "");
	if (*sha == '\0')
		sha = pinned_sha;
	if (*sha && !hex64(sha)) {
		*err = ip_xstrdup("general.element_sha256: expected 64 hexadecimal digits");
		goto fail;
	}
	snprintf(port, sizeof(port), "%ld",
	    ip_config_int_or(c, "general.homeserver_port", 8008, 1, 65535));
	url = ip_element_url_for(c);
	const char *pw = ip_password_for(c, ip_get_str(item, "name"));
	if (!pw) {
		*err = ip_xstrdup("the object has no name (its password derives from it)");
		goto fail;
	}
	hash = ip_password_hash(pw);
	if (!hash) {
		*err = ip_xstrdup("crypt(3) could not hash the password with SHA-512");
		goto fail;
	}

	const struct { const char *name, *value; } vars[] = {
		{ "DOMAIN", domain },
		{ "ATTENDEE", c->user },
		{ "PWHASH", hash },
		{ "ELEMENT_VERSION", version },
		{ "ELEMENT_URL", url },
		{ "ELEMENT_SHA256", sha },
		{ "HS_PORT", port },
	};
	put(&b, "", 0);
	for (size_t i = 0; i < len;) {
		const char *at = memchr(tmpl + i, '@', len - i);
		if (!at) {
			put(&b, tmpl + i, len - i);
			break;
		}
		put(&b, tmpl + i, at - (tmpl + i));
		i = at - tmpl;
		size_t n = 1;
		while (i + n < len && (isupper((unsigned char)tmpl[i + n]) ||
		    isdigit((unsigned char)tmpl[i + n]) || tmpl[i + n] == '_'))
			n++;
		size_t k, nvars = sizeof(vars) / sizeof(vars[0]);
		for (k = 0; k < nvars; k++)
			if (i + n < len && tmpl[i + n] == '@' && n - 1 == strlen(vars[k].name) &&
			    memcmp(tmpl + i + 1, vars[k].name, n - 1) == 0)
				break;
		if (k < nvars) {
			put_quoted(&b, vars[k].value);
			i += n + 1;
		} else {
			put(&b, "@", 1);
			i++;
		}
	}
	free(url);
	free(hash);
	jv_free(item);
	*outlen = b.len;
	return b.p;
fail:
	free(url);
	free(hash);
	free(b.p);
	jv_free(item);
	return NULL;
}
