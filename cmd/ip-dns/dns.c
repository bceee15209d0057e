/* dns: list, create and delete the namespace's records; membership is
 * decided here, exactly, never by a provider's loose filter. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"

/* Wait at most this long for creations in flight before refreshing. */
#define REFRESH_WAIT_MS 3000

/* The providers this build knows (lib/providers.def). */
#define IP_INSTANCE_PROVIDER(name)
#define IP_DNS_PROVIDER(name) &ip_dns_provider_##name,
static const struct dns_provider *const providers[] = {
#include "providers.def"
	NULL
};

const struct dns_provider *
dns_provider_find(const struct ip_config *cfg)
{
	for (int i = 0; providers[i]; i++)
		if (!strcmp(providers[i]->name, cfg->dns_provider))
			return providers[i];
	/* the loader accepted it: ip-dns-NAME is on PATH (ip-provider(7)) */
	return &ip_dns_provider_exec;
}

static const char *const rtypes[2] = { "A", "AAAA" };

static jv
record(struct dns_run *d, const char *name, jv rec)
{
	/* the configured name: an external provider's, not "exec" */
	return ip_record_obj(d->cfg->namespace, d->cfg->zone, name, rec, d->cfg->dns_provider);
}

/* ---------------------------------------------------------------- ls */

struct ls {
	struct dns_run *d;
	jv out;
	int failed;
	char *err;		/* the last failure, said once */
};

static void
ls_got(void *ud, jv recs, const char *err)
{
	struct ls *l = ud;

	if (err) {
		/* A and AAAA often fail alike: say it once */
		if (l->err == NULL || strcmp(l->err, err))
			ip_warn("%s", err);
		free(l->err);
		l->err = ip_xstrdup(err);
		l->failed = 1;
	} else {
		jv_array_foreach(recs, i, rec) {
			char *name = ip_name_of_subdomain(l->d->cfg->namespace,
			    ip_get_str(rec, "subdomain"));
			if (name)
				l->out = jv_array_append(l->out, record(l->d, name, jv_copy(rec)));
			free(name);
			jv_free(rec);
		}
	}
	jv_free(recs);
}

int
dns_ls(struct dns_run *d)
{
	struct ls l = { d, jv_array(), 0, NULL };

	d->P->list(d->prov, "A", NULL, ls_got, &l);
	d->P->list(d->prov, "AAAA", NULL, ls_got, &l);
	ip_http_run(d->http);
	/* a partial list would make later stages see orphans: all or nothing */
	if (l.failed)
		ip_run_failed();
	else
		jv_array_foreach(l.out, i, o)
			ip_emit(o);
	jv_free(l.out);
	free(l.err);
	return ip_exit_status();
}

/* ------------------------------------------------------------ create */

struct dns_job {
	struct dns_run *d;
	jv item;		/* the instance object */
	char *name, *sub;
	char *addr[2];		/* A, AAAA targets (AAAA may be NULL) */
	jv rec[2];
	int left;		/* provider calls still running */
	char *err;
	struct dns_job *next;
};

static void
job_free(struct dns_job *j)
{
	jv_free(j->item);
	free(j->name);
	free(j->sub);
	free(j->addr[0]);
	free(j->addr[1]);
	jv_free(j->rec[0]);
	jv_free(j->rec[1]);
	free(j->err);
	free(j);
}

static void
job_fail(struct dns_job *j, const char *fmt, const char *arg)
{
	if (j->err == NULL)
		j->err = ip_xasprintf(fmt, arg);
}

static jv
server(struct dns_job *j)
{
	struct dns_run *d = j->d;
	jv recs = jv_array();

	for (int t = 0; t < 2; t++)
		if (jv_get_kind(j->rec[t]) == JV_KIND_OBJECT)
			recs = jv_array_append(recs, record(d, j->name, jv_copy(j->rec[t])));
	return ip_server_obj(d->cfg->namespace, d->cfg->zone, j->name, "complete",
	    jv_copy(j->item), record(d, j->name, jv_copy(j->rec[0])), recs);
}

static long maybe_refresh(void *ud);

static void
refreshed(void *ud, const char *err)
{
	struct dns_job *j = ud, *n;
	struct dns_run *d = j->d;

	d->refreshing = 0;
	if (err)
		ip_warn("zone refresh: %s", err);
	for (; j; j = n) {
		n = j->next;
		if (err) {
			ip_item_fail(jv_copy(j->item), "dns-create",
			    "the record was added but the zone refresh failed: %s", err);
		} else {
			ip_info("%s: %s -> %s", j->name, j->sub, j->addr[0]);
			ip_emit(server(j));
		}
		job_free(j);
		ip_runner_done(&d->runner);
	}
	maybe_refresh(d);
}

/* Records arriving together share one refresh; none is emitted before it. */
static long
maybe_refresh(void *ud)
{
	struct dns_run *d = ud;
	long long now = ip_now_ms();

	if (d->refreshing || d->nready == 0)
		return d->nready ? 100 : -1;
	/* the runner calls again at least every 100 ms while some wait */
	if (d->creating > 0 && now - d->oldest_ready < REFRESH_WAIT_MS)
		return 100;
	struct dns_job *batch = d->ready;
	ip_debug("refreshing the zone for %d record set(s)", d->nready);
	d->ready = NULL;
	d->ready_tail = &d->ready;
	d->nready = 0;
	d->refreshing = 1;
	d->P->commit(d->prov, refreshed, batch);
	return -1;
}

static void
job_step_done(struct dns_job *j)
{
	struct dns_run *d = j->d;

	if (--j->left > 0)
		return;
	d->creating--;
	if (j->err) {
		ip_item_fail(jv_copy(j->item), "dns-create", "%s", j->err);
		job_free(j);
		ip_runner_done(&d->runner);
	} else {
		if (d->nready == 0)
			d->oldest_ready = ip_now_ms();
		*d->ready_tail = j;
		d->ready_tail = &j->next;
		d->nready++;
	}
	maybe_refresh(d);
}

struct part {
	struct dns_job *j;
	int t;
};

static void
created(void *ud, jv rec, const char *err)
{
	struct part *p = ud;
	struct dns_job *j = p->j;

	if (err)
		job_fail(j, "%s", err);
	else {
		jv_free(j->rec[p->t]);
		j->rec[p->t] = rec;
		rec = jv_invalid();
	}
	jv_free(rec);
	free(p);
	job_step_done(j);
}

/* What the zone already holds for the name decides: reuse, refuse or add. */
static void
listed(void *ud, jv recs, const char *err)
{
	struct part *p = ud;
	struct dns_job *j = p->j;
	struct dns_run *d = j->d;
	const char *want = j->addr[p->t];

	if (err) {
		job_fail(j, "%s", err);
		goto out;
	}
	jv_array_foreach(recs, i, rec) {
		if (strcasecmp(ip_get_str(rec, "subdomain"), j->sub) == 0 &&
		    strcmp(ip_get_str(rec, "rtype"), rtypes[p->t]) == 0) {
			if (strcmp(ip_get_str(rec, "target"), want) == 0 &&
			    jv_get_kind(j->rec[p->t]) != JV_KIND_OBJECT) {
				jv_free(j->rec[p->t]);
				j->rec[p->t] = jv_copy(rec);
			} else if (strcmp(ip_get_str(rec, "target"), want) != 0) {
				char *m = ip_xasprintf("%s already has an %s record pointing to %s "
				    "(id %s), not to %s", j->sub, rtypes[p->t],
				    ip_get_str(rec, "target"), ip_get_str(rec, "id"), want);
				job_fail(j, "%s", m);
				free(m);
			}
		}
		jv_free(rec);
	}
	if (j->err == NULL && jv_get_kind(j->rec[p->t]) != JV_KIND_OBJECT) {
		ip_debug("%s: adding %s %s", j->name, rtypes[p->t], want);
		d->P->create(d->prov, j->sub, rtypes[p->t], want, d->cfg->dns_ttl, created, p);
		jv_free(recs);
		return;
	}
	if (j->err == NULL)
		ip_debug("%s: %s record already there", j->name, rtypes[p->t]);
out:
	jv_free(recs);
	free(p);
	job_step_done(j);
}

static int
addr_ok(int af, const char *s)
{
	unsigned char buf[16];

	return s && inet_pton(af, s, buf) == 1;
}

static void from_listing(void *arg);

static int
create_item(void *ud, jv item)
{
	struct dns_run *d = ud;
	const char *ns = d->cfg->namespace;
	const char *name = ip_get_str(item, "name"), *ins = ip_get_str(item, "namespace");
	const char *v4 = ip_get_str(item, "ipv4"), *v6 = ip_get_str(item, "ipv6");
	struct dns_job *j;

	if (name == NULL || !ip_label_ok(name) || (ins && strcmp(ins, ns))) {
		ip_item_fail(item, "dns-create", "instance without a valid name in namespace %s", ns);
		return 0;
	}
	if (jv_object_has(jv_copy(d->seen), jv_string(name))) {
		/* two creations for one name would race to two records */
		ip_item_fail(item, "dns-create", "this name was already given in this run");
		return 0;
	}
	d->seen = jv_object_set(d->seen, jv_string(name), jv_true());
	if (!addr_ok(AF_INET, v4)) {
		ip_item_fail(item, "dns-create", "the instance has no IPv4 address");
		return 0;
	}
	j = ip_xcalloc(1, sizeof(*j));
	j->d = d;
	j->name = ip_xstrdup(name);
	j->sub = ip_subdomain(ns, name);
	j->addr[0] = ip_xstrdup(v4);
	if (d->ipv6 && addr_ok(AF_INET6, v6))
		j->addr[1] = ip_xstrdup(v6);
	else if (d->ipv6 && v6)
		ip_warn("%s: ipv6 is not an IPv6 address: no AAAA record", name);
	j->rec[0] = jv_null();
	j->rec[1] = jv_null();
	j->item = item;
	d->creating++;
	for (int t = 0; t < 2; t++) {
		if (j->addr[t] == NULL)
			continue;
		struct part *p = ip_xcalloc(1, sizeof(*p));
		p->j = j;
		p->t = t;
		j->left++;
		if (jv_get_kind(d->listing[t]) == JV_KIND_ARRAY)
			ip_http_timer(d->http, 0, from_listing, p);	/* never inside start() */
		else
			d->P->list(d->prov, rtypes[t], j->sub, listed, p);
	}
	return 1;
}

/* The run's one listing stands in for a look-up per server. */
static void
from_listing(void *arg)
{
	struct part *p = arg;

	listed(p, jv_copy(p->j->d->listing[p->t]), NULL);
}

struct listing_slot {
	struct dns_run *d;
	int t;
};

static void
listing_got(void *ud, jv recs, const char *err)
{
	struct listing_slot *z = ud;
	struct dns_run *d = z->d;

	if (err)
		ip_info("listing the zone's %s records: %s; looking each name up instead",
		    rtypes[z->t], err);
	else {
		d->listing[z->t] = jv_array();
		jv_array_foreach(recs, i, rec) {
			/* only the namespace's names can be ours to reuse or refuse */
			char *name = ip_name_of_subdomain(d->cfg->namespace,
			    ip_get_str(rec, "subdomain"));
			if (name)
				d->listing[z->t] = jv_array_append(d->listing[z->t], jv_copy(rec));
			free(name);
			jv_free(rec);
			(void)i;
		}
	}
	jv_free(recs);
}

int
dns_create(struct dns_run *d)
{
	static const char *const types[] = { "instance", NULL };
	int rc;

	d->seen = jv_object();
	d->ready_tail = &d->ready;
	/* The zone once, up front (the instances are still booting): then no
	 * name needs a look-up of its own on the way to its record. */
	struct listing_slot ls[2] = { { d, 0 }, { d, 1 } };
	d->listing[0] = d->listing[1] = jv_invalid();
	for (int t = 0; t < (d->ipv6 ? 2 : 1); t++)
		d->P->list(d->prov, rtypes[t], NULL, listing_got, &ls[t]);
	ip_http_run(d->http);
	d->runner = (struct ip_runner){ .types = types, .http = d->http, .fd = -1,
	    .start = create_item, .turn = maybe_refresh, .ud = d };
	rc = ip_runner_run(&d->runner);
	jv_free(d->seen);
	jv_free(d->listing[0]);
	jv_free(d->listing[1]);
	return rc;
}

/* ------------------------------------------------------------ delete */

struct del {
	struct dns_run *d;
	jv item;
	int left, n;
	char *err;
};

static void
del_emit(struct del *x)
{
	const char *name = ip_get_str(x->item, "name");

	if (x->err)
		ip_item_fail(x->item, "dns-delete", "%s", x->err);
	else {
		ip_info("%s: %s%d record(s) deleted", name ? name : "?",
		    x->d->dry_run ? "(dry run) " : "", x->n);
		ip_emit(ip_mark_deleted(x->item, "records", x->n, x->d->dry_run));
	}
	free(x->err);
	free(x);
}

static void
del_done(void *ud, const char *err)
{
	struct del *x = ud;

	if (err && x->err == NULL)
		x->err = ip_xstrdup(err);
	x->d->deleted_any = 1;
	if (--x->left == 0) {
		struct dns_run *d = x->d;
		del_emit(x);
		ip_runner_done(&d->runner);
	}
}

/* The zone's A and AAAA records, by id, listed once before deleting:
 * an id is deleted only when the zone says it is a record of that server. */
static void
zone_got(void *ud, jv recs, const char *err)
{
	struct dns_run *d = ud;

	d->zone_left--;
	if (err) {
		ip_warn("%s", err);
		d->zone_failed = 1;
	} else
		jv_array_foreach(recs, i, rec) {
			const char *id = ip_get_str(rec, "id");
			if (id)
				d->zone = jv_object_set(d->zone, jv_string(id), jv_copy(rec));
			jv_free(rec);
			(void)i;
		}
	jv_free(recs);
}

static void
zone_list(struct dns_run *d)
{
	d->zone = jv_object();
	d->zone_left = 2;
	d->P->list(d->prov, "A", NULL, zone_got, d);
	d->P->list(d->prov, "AAAA", NULL, zone_got, d);
	ip_http_run(d->http);
	if (d->zone_failed)
		ip_die(IP_EXIT_FATAL, "could not list the zone's records: nothing deleted");
}

/* Is the zone's record id one of server name's?  NULL when it is (or is
 * gone: *gone set), else why not. */
static const char *
zone_check(const struct dns_run *d, const char *id, const char *name, int *gone)
{
	jv rec = jv_object_get(jv_copy(d->zone), jv_string(id));
	const char *why = NULL;
	char *owner;

	*gone = 0;
	if (!jv_is_valid(rec)) {
		jv_free(rec);
		*gone = 1;	/* not an A or AAAA record of the zone (now) */
		return NULL;
	}
	owner = ip_name_of_subdomain(d->cfg->namespace, ip_get_str(rec, "subdomain"));
	if (owner == NULL)
		why = "the zone's record with this id is outside the namespace";
	else if (name == NULL || strcmp(owner, name) != 0)
		why = "the zone's record with this id is another server's";
	free(owner);
	jv_free(rec);
	return why;
}

/* The records of item, each checked to be exactly one of ours. */
static jv
records_of(const struct dns_run *d, jv item, char **why)
{
	jv recs, out = jv_array();

	if (ip_get_type(item, "record"))
		recs = jv_array_append(jv_array(), jv_copy(item));
	else {
		recs = jv_object_get(jv_copy(item), jv_string("records"));
		if (jv_get_kind(recs) != JV_KIND_ARRAY) {
			jv r = ip_get_obj(item, "record");
			jv_free(recs);
			recs = jv_array();
			if (jv_get_kind(r) == JV_KIND_OBJECT)
				recs = jv_array_append(recs, r);
			else
				jv_free(r);
		}
	}
	jv_array_foreach(recs, i, r) {
		const char *id = jv_get_kind(r) == JV_KIND_OBJECT ? ip_get_str(r, "id") : NULL;
		const char *sub = id ? ip_get_str(r, "subdomain") : NULL;
		const char *zone = id ? ip_get_str(r, "zone") : NULL;
		char *name = ip_name_of_subdomain(d->cfg->namespace, sub);
		/* ids are the provider's (OVH: digits, Hetzner: "name/TYPE"),
		 * each provider checks its own; nothing that would bend a URL */
		if (id == NULL || *id == '\0' || strlen(id) > 300 ||
		    strcspn(id, " \t\r\n?#%") != strlen(id))
			*why = ip_xstrdup("a record without a valid id");
		else if (name == NULL)
			*why = ip_xstrdup("a record outside the namespace");
		else if (zone && strcasecmp(zone, d->cfg->zone))
			*why = ip_xstrdup("a record of another zone");
		else if (d->dry_run)	/* sends nothing: what the input says */
			out = jv_array_append(out, jv_string(id));
		else {
			int gone;
			const char *no = zone_check(d, id, ip_get_str(item, "name"), &gone);
			if (no)
				*why = ip_xstrdup(no);
			else if (!gone)
				out = jv_array_append(out, jv_string(id));
			else
				ip_debug("%s: record %s is not in the zone (any more)", name, id);
		}
		free(name);
		jv_free(r);
		if (*why)
			break;
	}
	jv_free(recs);
	return out;
}

static int
delete_item(void *ud, jv item)
{
	struct dns_run *d = ud;
	char *why = NULL;
	jv ids = records_of(d, item, &why);
	struct del *x;

	if (why) {
		ip_item_fail(item, "dns-delete", "%s: nothing deleted", why);
		free(why);
		jv_free(ids);
		return 0;
	}
	if (jv_array_length(jv_copy(ids)) == 0) {
		jv_free(ids);
		ip_emit(item);	/* a server without records: nothing to do here */
		return 0;
	}
	x = ip_xcalloc(1, sizeof(*x));
	x->d = d;
	x->item = item;
	x->n = jv_array_length(jv_copy(ids));
	if (d->dry_run) {
		jv_free(ids);
		del_emit(x);
		return 0;
	}
	x->left = x->n;
	jv_array_foreach(ids, i, id) {
		d->P->remove(d->prov, jv_string_value(id), del_done, x);
		jv_free(id);
	}
	jv_free(ids);
	return 1;
}

static void
final_refreshed(void *ud, const char *err)
{
	(void)ud;
	if (err) {
		ip_warn("zone refresh: %s (deleted records are still served until the zone is refreshed)", err);
		ip_run_failed();
	}
}

int
dns_delete(struct dns_run *d)
{
	static const char *const types[] = { "record", "server", NULL };
	int rc;

	d->zone = jv_null();
	if (!d->dry_run)
		zone_list(d);
	d->runner = (struct ip_runner){ .types = types, .http = d->http, .fd = -1,
	    .start = delete_item, .ud = d };
	rc = ip_runner_run(&d->runner);
	jv_free(d->zone);
	if (d->deleted_any) {
		/* one refresh for the whole run */
		d->P->commit(d->prov, final_refreshed, NULL);
		ip_http_run(d->http);
		if (rc == IP_EXIT_OK)
			rc = ip_exit_status();
	}
	return rc;
}
