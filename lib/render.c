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

#include "element.h"
#include "log.h"
#include "password.h"
#include "render.h"
#include "stream.h"
#include "util.h"

/* Element Releases <releases@riot.im> (element-hq/element-web docs/install.md) */
#define ELEMENT_KEY_FPR "712BFBEE92DCA45252DB17D7C7BE97EFA179B100"

/* The URLs setup.sh.in accepts (its URL_RE), by hand: libonig, linked for
 * jq, shadows POSIX regcomp.  What we render must pass the script's check:
 *   ^(https://[A-Za-z0-9.-]+|http://(localhost|127\.[0-9.]+))
 *    (:[0-9]{1,5})?(/[A-Za-z0-9._~%+/-]*)?$                              */
static int
url_rule_ok(const char *s)
{
	size_t n;

	if (strncmp(s, "https://", 8) == 0) {
		s += 8;
		for (n = 0; isalnum((unsigned char)s[n]) || s[n] == '.' || s[n] == '-'; n++)
			;
	} else if (strncmp(s, "http://", 7) == 0) {
		s += 7;
		if (strncmp(s, "localhost", 9) == 0)
			n = 9;
		else if (strncmp(s, "127.", 4) == 0)
			for (n = 4; isdigit((unsigned char)s[n]) || s[n] == '.'; n++)
				;
		else
			return 0;
	} else
		return 0;
	if (n == 0)
		return 0;
	s += n;
	if (*s == ':') {
		for (n = 1; isdigit((unsigned char)s[n]); n++)
			;
		if (n < 2 || n > 6)
			return 0;
		s += n;
	}
	if (*s == '/')
		s += strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~%+/-");
	return *s == '\0';
}

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

static void
put_quoted(struct buf *b, const char *s)
{
	char *q = ip_sh_quote(s);

	put(b, q, strlen(q));
	free(q);
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

char *
ip_render(const struct ip_config *c, const char *tmpl, size_t len, jv item,
    const char *element_sha256, size_t *outlen, char **err)
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
	sha = c->element_sha256 ? c->element_sha256 : element_sha256 ? element_sha256 : "";
	snprintf(port, sizeof(port), "%ld", c->homeserver_port);
	url = ip_element_url_for(c);
	if (!url_rule_ok(url)) {
		*err = ip_xstrdup("general.element_url: the URL (after {version}) is not "
		    "https://HOST[:PORT]/PATH in letters, digits and ._~%+/-");
		goto fail;
	}
	const char *acme = ip_config_str_or(c, "general.acme_ca", NULL);
	acme = acme ? ip_acme_ca_url(acme) : "";
	if (!acme || (*acme && !url_rule_ok(acme))) {
		*err = ip_xstrdup("general.acme_ca: not a known CA or directory URL");
		goto fail;
	}
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
		{ "ELEMENT_KEY_FPR", ip_config_str_or(c, "general.element_key_fingerprint",
		    ELEMENT_KEY_FPR) },
		{ "ACME_CA", acme },
		{ "ACME_EMAIL", ip_config_str_or(c, "general.acme_email", "") },
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
