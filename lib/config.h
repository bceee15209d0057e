/* config: the README's YAML file, loaded with libyaml, validated, located. */
#ifndef IP_CONFIG_H
#define IP_CONFIG_H
#include <stdnoreturn.h>
#include <jv.h>

struct ip_config {
	char *path;		/* as given, for messages */
	jv root;		/* the whole document as a jv object */
	jv marks;		/* "a.b.c" -> where its value is (see config.c) */
	/* validated fields of the README, borrowed from root */
	const char *namespace, *riot_version, *zone;
	long connectivity_check_timeout;
	long homeserver_port;		/* default 8008 */
	const char *element_sha256;	/* 64 hex digits, or NULL */
	long dns_ttl;			/* default 60 */
	long long lifetime;		/* general.lifetime, seconds; 0: none */
	long certificate_budget;	/* default 50 (Let's Encrypt); 0: no check */
	const char *user, *password;
	int passwords;		/* instances.passwords, below (see password.h) */
	const char *instances_provider, *dns_provider;
};

enum { IP_PASSWORDS_SHARED = 0, IP_PASSWORDS_PER_SERVER = 1 };

/* Instance and DNS provider names known to this build (providers.def). */
extern const char *const ip_instance_providers[];
extern const char *const ip_dns_providers[];

/* path: -c argument or NULL ($INSTALL_PARTY_CONFIG, then ./config.yaml).
 * Any error is reported as "FILE:LINE:COL: key.path: what" and exits 2.
 * Secrets (passwords, keys, tokens) are registered with ip_secret(). */
struct ip_config *ip_config_load(const char *path);

/* general.acme_ca: the names it takes, and the directory URL of a value. */
#define IP_ACME_LETSENCRYPT "https://acme-v02.api.letsencrypt.org/directory"
#define IP_ACME_LETSENCRYPT_STAGING "https://acme-staging-v02.api.letsencrypt.org/directory"
#define IP_ACME_ZEROSSL "https://acme.zerossl.com/v2/DV90"
const char *ip_acme_ca_url(const char *value);
void ip_config_free(struct ip_config *c);

/* Value at dotted path ("instances.args.auth_url"): a copy, or jv_invalid(). */
jv ip_config_get(const struct ip_config *c, const char *path);
/* "FILE:LINE:COL" of the value at path (or of the nearest parent). */
const char *ip_config_where(const struct ip_config *c, const char *path);

/* Typed access for provider args; each dies with a located message. */
const char *ip_config_str(const struct ip_config *c, const char *path);	/* required */
const char *ip_config_str_or(const struct ip_config *c, const char *path, const char *dflt);
long ip_config_int_or(const struct ip_config *c, const char *path, long dflt, long min, long max);
int ip_config_bool_or(const struct ip_config *c, const char *path, int dflt);

noreturn void ip_config_die(const struct ip_config *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ip_config_warn(const struct ip_config *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
