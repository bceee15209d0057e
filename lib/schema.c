/* schema: every stream object the tools build (README, "The stream"). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"
#include "util.h"

static int failures;

static jv
set(jv o, const char *key, jv v)
{
	return jv_object_set(o, jv_string(key), v);
}

jv
ip_name_obj(const char *ns, const char *zone, const char *name)
{
	char *inst = ip_instance_name(ns, name);
	char *sub = ip_subdomain(ns, name);
	char *dom = ip_domain(ns, name, zone);
	jv o = jv_object();

	o = set(o, "type", jv_string("name"));
	o = set(o, "name", jv_string(name));
	o = set(o, "namespace", jv_string(ns));
	o = set(o, "instance", jv_string(inst));
	o = set(o, "subdomain", jv_string(sub));
	o = set(o, "domain", jv_string(dom));
	o = set(o, "zone", jv_string(zone));
	free(inst);
	free(sub);
	free(dom);
	return o;
}

static jv
str_or_null(jv obj, const char *key)
{
	const char *s = ip_get_str(obj, key);

	return s ? jv_string(s) : jv_null();
}

jv
ip_record_obj(const char *ns, const char *zone, const char *name, jv rec, const char *provider)
{
	char *dom = ip_domain(ns, name, zone);
	jv o = jv_object();

	o = set(o, "type", jv_string("record"));
	o = set(o, "name", jv_string(name));
	o = set(o, "namespace", jv_string(ns));
	o = set(o, "subdomain", str_or_null(rec, "subdomain"));
	o = set(o, "domain", jv_string(dom));
	o = set(o, "zone", jv_string(zone));
	o = set(o, "id", str_or_null(rec, "id"));
	o = set(o, "rtype", str_or_null(rec, "rtype"));
	o = set(o, "target", str_or_null(rec, "target"));
	o = set(o, "ttl", jv_get_kind(rec) == JV_KIND_OBJECT ?
	    jv_object_get(jv_copy(rec), jv_string("ttl")) : jv_null());
	o = set(o, "provider", jv_string(provider));
	free(dom);
	jv_free(rec);
	return o;
}

jv
ip_server_obj(const char *ns, const char *zone, const char *name, const char *state,
    jv inst, jv rec, jv recs)
{
	char *sub = ip_subdomain(ns, name);
	char *dom = ip_domain(ns, name, zone);
	jv s = jv_object();

	s = set(s, "type", jv_string("server"));
	s = set(s, "name", jv_string(name));
	s = set(s, "namespace", jv_string(ns));
	s = set(s, "subdomain", jv_string(sub));
	s = set(s, "domain", jv_string(dom));
	s = set(s, "zone", jv_string(zone));
	s = set(s, "state", jv_string(state));
	s = set(s, "instance", inst);
	s = set(s, "record", rec);
	s = set(s, "records", recs);
	free(sub);
	free(dom);
	return s;
}

static jv
verror_obj(jv item, const char *stage, char **msgp, const char *fmt, va_list ap)
{
	jv e = jv_object();
	const char *name = NULL;
	char *msg, *red;

	if (jv_get_kind(item) == JV_KIND_OBJECT)
		name = ip_get_str(item, "name");
	e = set(e, "type", jv_string("error"));
	e = set(e, "name", name ? jv_string(name) : jv_null());
	e = set(e, "stage", jv_string(stage));
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	red = ip_redact(msg ? msg : "?");
	e = set(e, "message", jv_string(red));
	free(red);
	if (msgp)
		*msgp = msg;
	else
		free(msg);
	jv_free(item);
	return e;
}

jv
ip_error_obj(jv item, const char *stage, const char *fmt, ...)
{
	va_list ap;
	jv e;

	va_start(ap, fmt);
	e = verror_obj(item, stage, NULL, fmt, ap);
	va_end(ap);
	return e;
}

void
ip_item_fail(jv item, const char *stage, const char *fmt, ...)
{
	const char *name = ip_get_str(item, "name");
	char *who = ip_xstrdup(name && ip_label_ok(name) ? name : "(no name)"), *msg;
	va_list ap;
	jv e;

	va_start(ap, fmt);
	e = verror_obj(item, stage, &msg, fmt, ap);
	va_end(ap);
	ip_warn("%s: %s", who, msg ? msg : "?");	/* ip_warn redacts */
	ip_emit(e);
	free(msg);
	free(who);
	failures++;
}

void
ip_run_failed(void)
{
	failures++;
}

int
ip_items_failed(void)
{
	return failures;
}

jv
ip_mark_deleted(jv item, const char *what, int n, int dry_run)
{
	jv d = ip_get_obj(item, "deleted");

	if (jv_get_kind(d) != JV_KIND_OBJECT) {
		jv_free(d);
		d = jv_object();
	}
	d = set(d, what, n < 0 ? jv_true() : jv_number(n));
	item = set(item, "deleted", d);
	if (dry_run)
		item = set(item, "dry_run", jv_true());
	return item;
}

jv
ip_check_obj(const char *ns, const char *provider, long asked, jv domains, jv facts,
    long budget, long recent, long long expires, jv problems, jv warnings)
{
	jv o = jv_object();
	char buf[21];

	o = set(o, "type", jv_string("check"));
	o = set(o, "namespace", jv_string(ns));
	o = set(o, "provider", jv_string(provider));
	o = set(o, "ok", jv_bool(jv_array_length(jv_copy(problems)) == 0));
	o = set(o, "asked", jv_number(asked));
	o = set(o, "domains", domains);
	o = set(o, "limits", ip_get(facts, "limits"));
	o = set(o, "per_server", ip_get(facts, "per_server"));
	o = set(o, "image", ip_get(facts, "image"));
	o = set(o, "flavor", ip_get(facts, "flavor"));
	o = set(o, "certificates", JV_OBJECT(jv_string("budget"), jv_number(budget),
	    jv_string("recent"), jv_number(recent), jv_string("after"), jv_number(recent + asked)));
	if (expires > 0)
		ip_time_iso(expires, buf);
	o = set(o, "expires", expires > 0 ? jv_string(buf) : jv_null());
	o = set(o, "problems", problems);
	o = set(o, "warnings", warnings);
	jv_free(facts);
	return o;
}
