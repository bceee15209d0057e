/* element: the web client's release (version, URL) and its download, to
 * pin its SHA-256 in the servers' user data. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "element.h"
#include "http.h"
#include "log.h"

/* Release v1.7.15 renamed the assets riot-vX.tar.gz -> element-vX.tar.gz. */
#define RIOT_URL "https://github.com/vector-im/riot-web/releases/download/%s/riot-%s.tar.gz"
#define ELEMENT_URL "https://github.com/element-hq/element-web/releases/download/%s/element-%s.tar.gz"

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

int
ip_element_fetch_sha256(const struct ip_config *c, char out[65], char **err)
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
	out[0] = '\0';
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
			snprintf(out + 2 * i, 3, "%02x", md[i]);
		ip_debug("%s: SHA-256 %s", url, out);
		rc = 0;
	}
	ip_req_free(r);
	ip_http_free(h);
	free(url);
	return rc;
}
