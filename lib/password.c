/* password: shared or derived per server (HMAC-SHA-256, OpenSSL libcrypto).
 * Derived passwords are cached (each is derived once per process) and
 * registered as secrets at once, so redaction covers them everywhere. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "password.h"

#define CONTEXT "install-party password v1"

/* A short secret can be guessed offline by any attendee, who knows one
 * derived password and its inputs. */
int
ip_password_derive(const char *secret, const char *ns, const char *name,
    char out[IP_PASSWORD_LEN + 1])
{
	static const char ab[] = IP_PASSWORD_ALPHABET;
	size_t nslen = strlen(ns), nmlen = strlen(name), clen = sizeof(CONTEXT);
	size_t mlen = clen + nslen + 1 + nmlen;
	unsigned char *msg = ip_xmalloc(mlen), md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	/* NUL separators: "a-b"+"c" and "a"+"b-c" are different messages. */
	memcpy(msg, CONTEXT, clen);
	memcpy(msg + clen, ns, nslen + 1);
	memcpy(msg + clen + nslen + 1, name, nmlen);
	unsigned char *ok = HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, mlen,
	    md, &mdlen);
	free(msg);
	if (ok == NULL || mdlen != 32)
		return -1;
	/* 60 bits, big-endian, 5 at a time: 32 symbols, so no modulo bias. */
	unsigned long long bits = 0;
	for (int i = 0; i < 8; i++)
		bits = bits << 8 | md[i];
	bits >>= 4;
	char *p = out;
	for (int i = 0; i < 12; i++) {
		if (i > 0 && i % 4 == 0)
			*p++ = '-';
		*p++ = ab[(bits >> (5 * (11 - i))) & 31];
	}
	*p = '\0';
	explicit_bzero(md, sizeof(md));
	return 0;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct derived {
	char *name;
	char pw[IP_PASSWORD_LEN + 1];
} **cache;		/* each entry on its own: returned pointers stay valid */
static size_t ncache;

const char *
ip_password_for(const struct ip_config *c, const char *name)
{
	const char *pw = NULL;

	if (c->passwords != IP_PASSWORDS_PER_SERVER)
		return c->password;
	if (name == NULL || *name == '\0')
		return NULL;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ncache && !pw; i++)
		if (strcmp(cache[i]->name, name) == 0)
			pw = cache[i]->pw;
	if (!pw) {
		cache = ip_xrealloc(cache, (ncache + 1) * sizeof(*cache));
		struct derived *d = cache[ncache] = ip_xcalloc(1, sizeof(*d));
		if (ip_password_derive(c->password, c->namespace, name, d->pw) != 0)
			ip_die(IP_EXIT_FATAL, "%s: HMAC-SHA-256 failed (OpenSSL)", name);
		d->name = ip_xstrdup(name);
		ip_secret(d->pw);
		ncache++;
		pw = d->pw;
	}
	pthread_mutex_unlock(&lock);
	return pw;
}
