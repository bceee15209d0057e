/* element: the web client the servers install (general.riot_version,
 * element_version, element_url) and its one download to pin its hash. */
#ifndef IP_ELEMENT_H
#define IP_ELEMENT_H
#include "config.h"

/* The release tarball's URL: riot-web's before v1.7.15, Element's after. */
char *ip_element_url(const char *version);
/* The web client's version (element_version, else riot_version) and its
 * URL (general.element_url with {version} replaced, else the above). */
const char *ip_element_version(const struct ip_config *c);
char *ip_element_url_for(const struct ip_config *c);
/* Riot (before v1.7.15): signed by a key that expired in 2021. */
int ip_element_is_riot(const char *version);
/* Download the release once and put its SHA-256 (hex) in out, for
 * ip_render to pin in every server's user data (the servers then need no
 * signature check).  0, or -1 with *err malloc'd. */
int ip_element_fetch_sha256(const struct ip_config *c, char out[65], char **err);

#endif
