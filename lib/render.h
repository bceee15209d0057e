/* render: a server's first-boot user data from a template, the config and
 * its stream object (owned by the provisioning work, see ip-provision(1)). */
#ifndef IP_RENDER_H
#define IP_RENDER_H
#include <stddef.h>
#include <jv.h>
#include "config.h"

/* Returns malloc'd bytes (*outlen set), or NULL with *err malloc'd. */
char *ip_render(const struct ip_config *c, const char *tmpl, size_t len,
    jv item, size_t *outlen, char **err);

/* The release tarball's URL: riot-web's before v1.7.15, Element's after. */
char *ip_element_url(const char *version);
/* The web client's version (element_version, else riot_version) and its
 * URL (general.element_url with {version} replaced, else the above). */
const char *ip_element_version(const struct ip_config *c);
char *ip_element_url_for(const struct ip_config *c);
/* Riot (before v1.7.15): signed by a key that expired in 2021. */
int ip_element_is_riot(const char *version);
/* Without general.element_sha256: download the release once, here, and
 * pin its SHA-256 in every server's user data (the servers then need no
 * signature check).  0, or -1 with *err malloc'd. */
int ip_render_pin_element(const struct ip_config *c, char **err);
/* crypt(3) SHA-512 ("$6$...") with a fresh random salt, or NULL. */
char *ip_password_hash(const char *password);

#endif
