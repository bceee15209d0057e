/* config: YAML -> jv with the location of every value, then validation. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "config.h"
#include "extprov.h"
#include "http.h"
#include "log.h"
#include "names.h"
#include "util.h"

#define IP_INSTANCE_PROVIDER(name) #name,
#define IP_DNS_PROVIDER(name)
const char *const ip_instance_providers[] = {
#include "providers.def"
	NULL
};
#undef IP_INSTANCE_PROVIDER
#undef IP_DNS_PROVIDER
#define IP_INSTANCE_PROVIDER(name)
#define IP_DNS_PROVIDER(name) #name,
const char *const ip_dns_providers[] = {
#include "providers.def"
	NULL
};
#undef IP_INSTANCE_PROVIDER
#undef IP_DNS_PROVIDER

/* Keys each section may hold; others are warned about (typos). */
static const char *const general_keys[] = {
	"namespace", "riot_version", "connectivity_check_timeout",
	"element_version", "element_url", "homeserver_port", "element_sha256",
	"lifetime", "certificate_budget", "acme_ca", "acme_email", "element_key_fingerprint",
	NULL };
static const char *const instances_keys[] = {
	"user", "password", "passwords", "provider", "args", NULL };
static const char *const dns_keys[] = {
	"zone", "provider", "args", "ttl", NULL };

#define MAX_DEPTH 32

struct loader {
	yaml_parser_t p;
	const char *file;
	jv marks;
};

static char where_buf[1024];

static noreturn void
die_at(const char *file, size_t line, size_t col, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path)
		ip_die(IP_EXIT_FATAL, "%s:%zu:%zu: %s: %s", file, line, col, path, msg);
	ip_die(IP_EXIT_FATAL, "%s:%zu:%zu: %s", file, line, col, msg);
}

static void
next_event(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->p, ev)) {
		/* libyaml marks are 0-based */
		yaml_mark_t m = l->p.problem_mark;
		die_at(l->file, m.line + 1, m.column + 1, NULL, "invalid YAML: %s%s%s",
		    l->p.problem ? l->p.problem : "syntax error",
		    l->p.context ? " " : "", l->p.context ? l->p.context : "");
	}
}

/* A mark is one number: line << 25 | column << 1 | quoted (exact in a double:
 * a bounded file has fewer than 2^24 lines and columns). */
#define MARK_LINE(m) ((long long)jv_number_value(m) >> 25)
#define MARK_COL(m) (((long long)jv_number_value(m) >> 1) & 0xffffff)
#define MARK_QUOTED(m) ((long long)jv_number_value(m) & 1)

/* Marks are kept only where a message can point: the sections, their keys,
 * and the providers' args down to list elements.  Deeper nodes (or those
 * under unknown keys) are reported at the nearest marked parent. */
static int
marked(const char *path, int depth)
{
	if (depth <= 2)
		return 1;
	return depth <= 4 && (!strncmp(path, "instances.args", 14) ||
	    !strncmp(path, "dns.args", 8));
}

static void
mark(struct loader *l, const char *path, int depth, yaml_mark_t m, int quoted)
{
	long long line = m.line + 1, col = m.column + 1;

	if (!marked(path, depth))
		return;
	if (line > 0xffffff)
		line = 0xffffff;
	if (col > 0xffffff)
		col = 0xffffff;
	l->marks = jv_object_set(l->marks, jv_string(path),
	    jv_number((double)(line << 25 | col << 1 | (quoted != 0))));
}

static int
is_null(const char *s, size_t n)
{
	return n == 0 || (n == 1 && *s == '~') || (n == 4 && (!strncmp(s, "null", 4) ||
	    !strncmp(s, "Null", 4) || !strncmp(s, "NULL", 4)));
}

/* Scalars stay strings (their text); typed getters interpret them. */
static jv
node(struct loader *l, yaml_event_t *ev, const char *path, int depth)
{
	jv v;

	if (depth > MAX_DEPTH)
		die_at(l->file, ev->start_mark.line + 1, ev->start_mark.column + 1, path,
		    "nested too deeply");
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		const char *s = (const char *)ev->data.scalar.value;
		size_t n = ev->data.scalar.length;
		int quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		mark(l, path, depth, ev->start_mark, quoted);
		if (memchr(s, '\0', n))
			die_at(l->file, ev->start_mark.line + 1, ev->start_mark.column + 1,
			    path, "NUL byte in value");
		if (!quoted && is_null(s, n))
			return jv_null();
		return jv_string_sized(s, n);
	}
	case YAML_ALIAS_EVENT:
		die_at(l->file, ev->start_mark.line + 1, ev->start_mark.column + 1, path,
		    "aliases are not supported");
	case YAML_SEQUENCE_START_EVENT: {
		yaml_event_t e;
		int i = 0;
		mark(l, path, depth, ev->start_mark, 0);
		v = jv_array();
		for (;;) {
			next_event(l, &e);
			if (e.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&e);
				return v;
			}
			char *sub = ip_xasprintf("%s[%d]", path, i++);
			v = jv_array_append(v, node(l, &e, sub, depth + 1));
			free(sub);
			yaml_event_delete(&e);
		}
	}
	case YAML_MAPPING_START_EVENT: {
		yaml_event_t k, e;
		mark(l, path, depth, ev->start_mark, 0);
		v = jv_object();
		for (;;) {
			next_event(l, &k);
			if (k.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&k);
				return v;
			}
			if (k.type != YAML_SCALAR_EVENT)
				die_at(l->file, k.start_mark.line + 1, k.start_mark.column + 1,
				    path, "keys must be plain strings");
			const char *key = (const char *)k.data.scalar.value;
			char *sub = *path ? ip_xasprintf("%s.%s", path, key) : ip_xstrdup(key);
			jv old = jv_object_get(jv_copy(v), jv_string(key));
			if (jv_is_valid(old))
				die_at(l->file, k.start_mark.line + 1, k.start_mark.column + 1,
				    sub, "duplicate key");
			jv_free(old);
			next_event(l, &e);
			jv val = node(l, &e, sub, depth + 1);
			/* Remember where the key was, for messages about it. */
			char *kp = ip_xasprintf("%s#key", sub);
			mark(l, kp, depth + 1, k.start_mark, 0);
			free(kp);
			v = jv_object_set(v, jv_string(key), val);
			free(sub);
			yaml_event_delete(&e);
			yaml_event_delete(&k);
		}
	}
	default:
		die_at(l->file, ev->start_mark.line + 1, ev->start_mark.column + 1, path,
		    "unexpected YAML event");
	}
}

/* A configuration is a few kilobytes; a bigger file is a mistake. */
#define CONFIG_MAX (1024 * 1024)

/* The whole file, at most CONFIG_MAX bytes (pipes too: no size to trust). */
static char *
read_config(const char *path, FILE *fp, size_t *len)
{
	size_t cap = 16384, n = 0, got;
	char *buf = ip_xmalloc(cap);

	while (n <= CONFIG_MAX && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap && cap <= CONFIG_MAX)
			buf = ip_xrealloc(buf, cap = cap * 2 > CONFIG_MAX + 1 ? CONFIG_MAX + 1 : cap * 2);
	}
	if (ferror(fp))
		ip_die(IP_EXIT_FATAL, "%s: %s", path, strerror(errno));
	if (n > CONFIG_MAX)
		ip_die(IP_EXIT_FATAL, "%s: larger than 1 MiB: not a configuration "
		    "(see install-party.yaml(5))", path);
	*len = n;
	return buf;
}

static jv
load_yaml(const char *file, const char *text, size_t len, jv *marks)
{
	struct loader l = { .file = file, .marks = jv_object() };
	yaml_event_t ev;
	jv root = jv_invalid();

	if (!yaml_parser_initialize(&l.p))
		ip_die(IP_EXIT_FATAL, "out of memory");
	yaml_parser_set_input_string(&l.p, (const unsigned char *)text, len);
	for (;;) {
		next_event(&l, &ev);
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && jv_is_valid(root))
			die_at(file, ev.start_mark.line + 1, ev.start_mark.column + 1, NULL,
			    "more than one YAML document");
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT ||
		    ev.type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		root = node(&l, &ev, "", 0);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&l.p);
	if (!jv_is_valid(root) || jv_get_kind(root) == JV_KIND_NULL) {
		jv_free(root);
		ip_die(IP_EXIT_FATAL, "%s: the file is empty; see install-party.yaml(5)", file);
	}
	if (jv_get_kind(root) != JV_KIND_OBJECT)
		die_at(file, 1, 1, NULL, "expected a mapping with general, instances and dns");
	*marks = l.marks;
	return root;
}

jv
ip_config_get(const struct ip_config *c, const char *path)
{
	jv v = jv_copy(c->root);
	char *p = ip_xstrdup(path), *save = NULL, *tok;

	for (tok = strtok_r(p, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			jv_free(v);
			free(p);
			return jv_invalid();
		}
		v = jv_object_get(v, jv_string(tok));
		if (!jv_is_valid(v))
			break;
	}
	free(p);
	return v;
}

static jv
find_mark(const struct ip_config *c, const char *path)
{
	char *p = ip_xstrdup(path);

	for (;;) {
		jv m = jv_object_get(jv_copy(c->marks), jv_string(p));
		if (jv_is_valid(m) || *p == '\0') {
			free(p);
			return m;
		}
		jv_free(m);
		char *dot = strrchr(p, '.');
		if (dot)
			*dot = '\0';
		else
			*p = '\0';
	}
}

const char *
ip_config_where(const struct ip_config *c, const char *path)
{
	jv m = find_mark(c, path);

	if (jv_get_kind(m) == JV_KIND_NUMBER)
		snprintf(where_buf, sizeof(where_buf), "%s:%lld:%lld", c->path,
		    MARK_LINE(m), MARK_COL(m));
	else
		snprintf(where_buf, sizeof(where_buf), "%s:1:1", c->path);
	jv_free(m);
	return where_buf;
}

static int
is_quoted(const struct ip_config *c, const char *path)
{
	jv m = jv_object_get(jv_copy(c->marks), jv_string(path));
	int q = 0;

	if (jv_get_kind(m) == JV_KIND_NUMBER)
		q = (int)MARK_QUOTED(m);
	jv_free(m);
	return q;
}

void
ip_config_die(const struct ip_config *c, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ip_die(IP_EXIT_FATAL, "%s: %s: %s", ip_config_where(c, path), path, msg);
}

void
ip_config_warn(const struct ip_config *c, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ip_warn("%s: %s: %s", ip_config_where(c, path), path, msg);
}

static const char *
kind_name(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_OBJECT: return "a mapping";
	case JV_KIND_ARRAY: return "a list";
	case JV_KIND_NULL: return "an empty value";
	default: return "a value";
	}
}

/* The string at path, or NULL when absent; dies when it is not a scalar. */
static const char *
str_at(const struct ip_config *c, const char *path, int required)
{
	jv v = ip_config_get(c, path);
	const char *s;

	if (!jv_is_valid(v)) {
		jv_free(v);
		if (!required)
			return NULL;
		const char *dot = strrchr(path, '.');
		char *parent = dot ? strndup(path, dot - path) : ip_xstrdup("");
		ip_die(IP_EXIT_FATAL, "%s: %s: missing key '%s'", ip_config_where(c, parent),
		    *parent ? parent : "(top level)", dot ? dot + 1 : path);
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		if (jv_get_kind(v) == JV_KIND_NULL && !required) {
			jv_free(v);
			return NULL;
		}
		ip_config_die(c, path, "expected a string, found %s", kind_name(v));
	}
	/* Borrowed from c->root, which holds another reference. */
	s = jv_string_value(v);
	jv_free(v);
	return s;
}

const char *
ip_config_str(const struct ip_config *c, const char *path)
{
	const char *s = str_at(c, path, 1);

	if (*s == '\0')
		ip_config_die(c, path, "must not be empty");
	return s;
}

const char *
ip_config_str_or(const struct ip_config *c, const char *path, const char *dflt)
{
	const char *s = str_at(c, path, 0);

	return s ? s : dflt;
}

long
ip_config_int_or(const struct ip_config *c, const char *path, long dflt, long min, long max)
{
	const char *s = str_at(c, path, 0);
	char *end;
	long n;

	if (s == NULL)
		return dflt;
	errno = 0;
	n = strtol(s, &end, 10);
	if (is_quoted(c, path) || *s == '\0' || *end != '\0' || errno != 0 ||
	    !((*s >= '0' && *s <= '9') || *s == '-' || *s == '+'))
		ip_config_die(c, path, "expected an integer");
	if (n < min || n > max)
		ip_config_die(c, path, "must be between %ld and %ld", min, max);
	return n;
}

int
ip_config_bool_or(const struct ip_config *c, const char *path, int dflt)
{
	const char *s = str_at(c, path, 0);
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "on", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no", "off", NULL };

	if (s == NULL)
		return dflt;
	for (int i = 0; !is_quoted(c, path) && yes[i]; i++) {
		if (strcmp(s, yes[i]) == 0)
			return 1;
		if (strcmp(s, no[i]) == 0)
			return 0;
	}
	ip_config_die(c, path, "expected true or false");
}

static void
need_mapping(const struct ip_config *c, const char *path)
{
	jv v = ip_config_get(c, path);

	if (!jv_is_valid(v)) {
		jv_free(v);
		str_at(c, path, 1);	/* reports the missing key */
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		ip_config_die(c, path, "expected a mapping, found %s", kind_name(v));
	jv_free(v);
}

static void
check_keys(const struct ip_config *c, const char *section, const char *const *known)
{
	jv v = ip_config_get(c, section);

	jv_object_foreach(v, k, val) {
		const char *key = jv_string_value(k);
		int i;
		for (i = 0; known[i] && strcmp(known[i], key) != 0; i++)
			;
		if (known[i] == NULL) {
			char *q = *section ? ip_xasprintf("%s.%s", section, key) : ip_xstrdup(key);
			char *p = ip_xasprintf("%s#key", q);
			ip_warn("%s: %s: unknown key (ignored)", ip_config_where(c, p), q);
			free(p);
			free(q);
		}
		jv_free(k);
		jv_free(val);
	}
	jv_free(v);
}

static int
secret_key(const char *k)
{
	/* a key's name or algorithm is not secret, and redacting a short or
	 * common one ("hmac-sha256") would garble messages */
	if (!strcmp(k, "key_name") || !strcmp(k, "key_algorithm"))
		return 0;
	return strstr(k, "password") || strstr(k, "secret") || strstr(k, "key") ||
	    strstr(k, "token") || strstr(k, "credential");
}

static void
register_secrets(const struct ip_config *c, const char *section)
{
	char *path = ip_xasprintf("%s.args", section);
	jv v = ip_config_get(c, path);

	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv_object_foreach(v, k, val) {
			if (secret_key(jv_string_value(k)) && jv_get_kind(val) == JV_KIND_STRING)
				ip_secret(jv_string_value(val));
			jv_free(k);
			jv_free(val);
		}
	}
	jv_free(v);
	free(path);
}

static const char *
provider(const struct ip_config *c, const char *path, const char *const *known)
{
	const char *s = ip_config_str(c, path);
	char list[256] = "";

	for (int i = 0; known[i]; i++) {
		if (strcmp(known[i], s) == 0)
			return s;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		    i ? ", " : "", known[i]);
	}
	/* an external provider: ip-instances-NAME or ip-dns-NAME on PATH */
	char *tool = ip_xasprintf("ip-%.*s", (int)strcspn(path, "."), path);
	char *ext = ip_ext_find(tool, s);
	if (ext) {
		free(ext);
		free(tool);
		return s;
	}
	ip_config_die(c, path, "unknown provider (known: %s, or an executable %s-NAME on PATH)", list, tool);
}

static int
user_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
zone_ok(const char *z)
{
	char *dup = ip_xstrdup(z), *save = NULL, *tok;
	int ok = strlen(z) <= IP_DOMAIN_MAX && *z != '.' && z[strlen(z) - 1] != '.' &&
	    strstr(z, "..") == NULL;

	for (tok = strtok_r(dup, ".", &save); ok && tok; tok = strtok_r(NULL, ".", &save))
		ok = ip_label_ok(tok);
	free(dup);
	return ok;
}

static int
version_ok(const char *s)
{
	if (*s == 'v')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || *s == '.' || *s == '-'))
			return 0;
	return 1;
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

/* instances.passwords: shared, or per-server (password.c derives them
 * from instances.password, which must then be a real secret). */
#define SECRET_MIN 16
static int
passwords_mode(const struct ip_config *c)
{
	const char *m = ip_config_str_or(c, "instances.passwords", "shared");

	if (strcmp(m, "shared") == 0)
		return IP_PASSWORDS_SHARED;
	if (strcmp(m, "per-server") != 0)
		ip_config_die(c, "instances.passwords", "expected shared or per-server");
	if (c->password && strlen(c->password) < SECRET_MIN)
		ip_config_warn(c, "instances.password", "with per-server passwords this is "
		    "the secret they all derive from: use at least %d random characters "
		    "(openssl rand -base64 24)", SECRET_MIN);
	return IP_PASSWORDS_PER_SERVER;
}

/* The rule setup.sh.in applies too: local@domain, no quoting, no spaces. */
static int
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254 || !zone_ok(at + 1) ||
	    !strchr(at + 1, '.'))
		return 0;
	for (const char *p = s; p < at; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._%+-", *p))
			return 0;
	return 1;
}

/* A directory URL for general.acme_ca: a name we know, or an https:// URL
 * in the characters setup.sh.in accepts; NULL when it is neither. */
const char *
ip_acme_ca_url(const char *v)
{
	static const char *const names[][2] = {
		{ "letsencrypt", IP_ACME_LETSENCRYPT },
		{ "letsencrypt-staging", IP_ACME_LETSENCRYPT_STAGING },
		{ "zerossl", IP_ACME_ZEROSSL },
	};
	const char *why;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i][0]) == 0)
			return names[i][1];
	if (strncmp(v, "https://", 8) != 0 || !ip_url_ok(v, &why))
		return NULL;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(":/._-~%+", *p))
			return NULL;
	return v;
}

static void
validate(struct ip_config *c)
{
	const char *why;

	check_keys(c, "", (const char *const[]){ "general", "instances", "dns", NULL });
	need_mapping(c, "general");
	need_mapping(c, "instances");
	need_mapping(c, "dns");
	check_keys(c, "general", general_keys);
	check_keys(c, "instances", instances_keys);
	check_keys(c, "dns", dns_keys);

	c->namespace = ip_config_str(c, "general.namespace");
	if ((why = ip_label_why(c->namespace)) != NULL)
		ip_config_die(c, "general.namespace", "not a DNS label: %s", why);
	c->riot_version = ip_config_str(c, "general.riot_version");
	if (!version_ok(c->riot_version))
		ip_config_die(c, "general.riot_version", "expected a version such as v1.11.85");
	const char *ev = ip_config_str_or(c, "general.element_version", NULL);
	if (ev && !version_ok(ev))
		ip_config_die(c, "general.element_version", "expected a version such as v1.11.85");
	const char *eu = ip_config_str_or(c, "general.element_url", NULL);
	if (eu) {
		if (!ip_url_ok(eu, &why))
			ip_config_die(c, "general.element_url", "%s", why);
		for (const char *p = eu; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr(":/._-{}~%+", *p))
				ip_config_die(c, "general.element_url",
				    "only letters, digits and :/._-{}~%%+ are allowed");
	}
	const char *ca = ip_config_str_or(c, "general.acme_ca", NULL);
	if (ca && !ip_acme_ca_url(ca))
		ip_config_die(c, "general.acme_ca", "expected letsencrypt, letsencrypt-staging, "
		    "zerossl or an https:// directory URL (letters, digits and :/._-~%%+)");
	const char *em = ip_config_str_or(c, "general.acme_email", NULL);
	if (em && !email_ok(em))
		ip_config_die(c, "general.acme_email", "not an e-mail address");
	if (ca && strcmp(ip_acme_ca_url(ca), IP_ACME_ZEROSSL) == 0 && !em)
		ip_config_die(c, "general.acme_ca", "zerossl needs general.acme_email");
	const char *fpr = ip_config_str_or(c, "general.element_key_fingerprint", NULL);
	if (fpr && (strlen(fpr) != 40 || strspn(fpr, "0123456789ABCDEF") != 40))
		ip_config_die(c, "general.element_key_fingerprint",
		    "expected 40 upper-case hexadecimal digits (an OpenPGP v4 fingerprint)");
	str_at(c, "general.connectivity_check_timeout", 1);	/* required */
	c->connectivity_check_timeout = ip_config_int_or(c,
	    "general.connectivity_check_timeout", 0, 1, 86400);
	c->homeserver_port = ip_config_int_or(c, "general.homeserver_port", 8008, 1, 65535);
	c->element_sha256 = ip_config_str_or(c, "general.element_sha256", "");
	if (*c->element_sha256 == '\0')
		c->element_sha256 = NULL;
	else if (!hex64(c->element_sha256))
		ip_config_die(c, "general.element_sha256", "expected 64 hexadecimal digits");
	const char *lt = ip_config_str_or(c, "general.lifetime", NULL);
	if (lt && (c->lifetime = ip_parse_duration(lt)) < 0)
		ip_config_die(c, "general.lifetime",
		    "expected a duration such as 8h or 3d (s, m, h, d, w)");
	c->certificate_budget = ip_config_int_or(c, "general.certificate_budget", 50, 0, 100000);

	c->user = ip_config_str(c, "instances.user");
	if (!user_ok(c->user))
		ip_config_die(c, "instances.user",
		    "not a valid user name (a-z, 0-9, '_', '-', starting with a letter)");
	if (strcmp(c->user, "root") == 0)
		ip_config_die(c, "instances.user", "must not be root");
	c->password = ip_config_str(c, "instances.password");
	if (strchr(c->password, '\n') || strchr(c->password, '\r'))
		ip_config_die(c, "instances.password", "must be a single line");
	ip_secret(c->password);
	c->passwords = passwords_mode(c);
	c->instances_provider = provider(c, "instances.provider", ip_instance_providers);
	need_mapping(c, "instances.args");

	c->zone = ip_config_str(c, "dns.zone");
	if (!zone_ok(c->zone))
		ip_config_die(c, "dns.zone", "not a DNS zone name (lower-case labels joined by dots)");
	c->dns_provider = provider(c, "dns.provider", ip_dns_providers);
	need_mapping(c, "dns.args");
	c->dns_ttl = ip_config_int_or(c, "dns.ttl", 60, 1, 86400);

	char *dom = ip_domain(c->namespace, "abcde", c->zone);
	if (strlen(dom) + IP_LABEL_MAX - 5 > IP_DOMAIN_MAX)
		ip_config_warn(c, "dns.zone", "namespace and zone leave little room for names");
	free(dom);
	register_secrets(c, "instances");
	register_secrets(c, "dns");
}

struct ip_config *
ip_config_load(const char *path)
{
	struct ip_config *c = ip_xcalloc(1, sizeof(*c));
	struct stat st;
	FILE *fp;

	if (path == NULL)
		path = getenv("INSTALL_PARTY_CONFIG");
	if (path == NULL || *path == '\0')
		path = "config.yaml";
	c->path = ip_xstrdup(path);
	fp = fopen(path, "r");
	if (fp == NULL)
		ip_die(IP_EXIT_FATAL, "%s: %s (give the configuration with -c FILE or "
		    "INSTALL_PARTY_CONFIG)", path, strerror(errno));
	if (fstat(fileno(fp), &st) == 0) {
		if (S_ISDIR(st.st_mode))
			ip_die(IP_EXIT_FATAL, "%s: is a directory", path);
		if (st.st_mode & (S_IRGRP | S_IROTH))
			ip_warn("%s: readable by group or others, yet it holds passwords "
			    "(chmod 600 %s)", path, path);
	}
	size_t len;
	char *text = read_config(path, fp, &len);
	fclose(fp);
	c->root = load_yaml(path, text, len, &c->marks);
	explicit_bzero(text, len);	/* it held the passwords */
	free(text);
	validate(c);
	return c;
}

void
ip_config_free(struct ip_config *c)
{
	if (c == NULL)
		return;
	jv_free(c->root);
	jv_free(c->marks);
	free(c->path);
	free(c);
}
