/* ip-dns: list, create and delete the namespace's DNS records. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "names.h"
#include "provider.h"
#include "stream.h"

static const char usage[] =
    "[-c config] [-q] [-v] [-j jobs] ls | create [-6] | delete [-n]\n"
    "  ls                list the namespace's A and AAAA records as record objects\n"
    "  create            read instance objects, add their records, emit server objects\n"
    "  delete            read record or server objects and delete their records\n"
    "  -6, --ipv6        create: add an AAAA record too when the instance has IPv6\n"
    "  -n, --dry-run     delete: say what would be deleted, send nothing\n"
    "  -j, --jobs N      requests at once (default 4: OVH limits request rates)\n"
    "  -c, --config F    configuration file (default $INSTALL_PARTY_CONFIG, ./config.yaml)";

/* Wait at most this long for creations in flight before refreshing. */
#define REFRESH_WAIT_MS 3000

static const struct dns_provider *const providers[] = { &dns_ovh, &dns_hetzner, NULL };

static const struct dns_provider *P;
static void *prov;
static struct ip_config *cfg;
static struct ip_http *http;
static int rval, ipv6, dry_run;
static long ttl;

/* A record of ours as a stream object. */
static jv
record_obj(const char *name, jv rec)
{
	char *dom = ip_domain(cfg->namespace, name, cfg->zone);
	jv o = jv_object();

	o = jv_object_set(o, jv_string("type"), jv_string("record"));
	o = jv_object_set(o, jv_string("name"), jv_string(name));
	o = jv_object_set(o, jv_string("namespace"), jv_string(cfg->namespace));
	o = jv_object_set(o, jv_string("subdomain"), jv_string(ip_get_str(rec, "subdomain")));
	o = jv_object_set(o, jv_string("domain"), jv_string(dom));
	o = jv_object_set(o, jv_string("zone"), jv_string(cfg->zone));
	o = jv_object_set(o, jv_string("id"), jv_string(ip_get_str(rec, "id")));
	o = jv_object_set(o, jv_string("rtype"), jv_string(ip_get_str(rec, "rtype")));
	o = jv_object_set(o, jv_string("target"), jv_string(ip_get_str(rec, "target")));
	o = jv_object_set(o, jv_string("ttl"), jv_object_get(jv_copy(rec), jv_string("ttl")));
	o = jv_object_set(o, jv_string("provider"), jv_string(P->name));
	free(dom);
	jv_free(rec);
	return o;
}

/* ---------------------------------------------------------------- ls */

static jv ls_out;
static int ls_left, ls_failed;

static void
ls_got(void *ud, jv recs, const char *err)
{
	(void)ud;
	ls_left--;
	if (err) {
		ip_warn("%s", err);
		ls_failed = 1;
	} else {
		jv_array_foreach(recs, i, rec) {
			/* the provider's filter is loose: membership is decided here */
			char *name = ip_name_of_subdomain(cfg->namespace, ip_get_str(rec, "subdomain"));
			if (name)
				ls_out = jv_array_append(ls_out, record_obj(name, jv_copy(rec)));
			free(name);
			jv_free(rec);
		}
	}
	jv_free(recs);
}

static void
cmd_ls(void)
{
	ls_out = jv_array();
	ls_left = 2;
	P->list(prov, "A", NULL, ls_got, NULL);
	P->list(prov, "AAAA", NULL, ls_got, NULL);
	ip_http_run(http);
	/* a partial list would make later stages see orphans: all or nothing */
	if (ls_failed)
		rval = IP_EXIT_ITEM;
	else
		jv_array_foreach(ls_out, i, o)
			ip_emit(o);
	jv_free(ls_out);
}

/* ------------------------------------------------------------ create */

struct job {
	jv item;		/* the instance object */
	char *name, *sub;
	char *addr[2];		/* A, AAAA targets (AAAA may be NULL) */
	jv rec[2];
	int left;		/* provider calls still running */
	char *err;
	struct job *next;
};

static int jobs_active;		/* listing or creating */
static struct job *ready_head, **ready_tail = &ready_head;	/* wait for refresh */
static int nready, refreshing;
static long long oldest_ready;

static const char *const rtypes[2] = { "A", "AAAA" };
static jv seen;			/* names given so far */

static void
job_free(struct job *j)
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
job_fail(struct job *j, const char *fmt, const char *arg)
{
	if (j->err == NULL)
		j->err = ip_xasprintf(fmt, arg);
}

static jv
server_obj(struct job *j)
{
	char *dom = ip_domain(cfg->namespace, j->name, cfg->zone);
	jv o = jv_object(), recs = jv_array();

	o = jv_object_set(o, jv_string("type"), jv_string("server"));
	o = jv_object_set(o, jv_string("name"), jv_string(j->name));
	o = jv_object_set(o, jv_string("namespace"), jv_string(cfg->namespace));
	o = jv_object_set(o, jv_string("domain"), jv_string(dom));
	o = jv_object_set(o, jv_string("subdomain"), jv_string(j->sub));
	o = jv_object_set(o, jv_string("zone"), jv_string(cfg->zone));
	o = jv_object_set(o, jv_string("state"), jv_string("complete"));
	o = jv_object_set(o, jv_string("instance"), jv_copy(j->item));
	o = jv_object_set(o, jv_string("record"), record_obj(j->name, jv_copy(j->rec[0])));
	for (int t = 0; t < 2; t++)
		if (jv_get_kind(j->rec[t]) == JV_KIND_OBJECT)
			recs = jv_array_append(recs, record_obj(j->name, jv_copy(j->rec[t])));
	o = jv_object_set(o, jv_string("records"), recs);
	free(dom);
	return o;
}

static void maybe_refresh(void);

static void
refreshed(void *ud, const char *err)
{
	struct job *j = ud, *n;

	refreshing = 0;
	if (err)
		ip_warn("zone refresh: %s", err);
	for (; j; j = n) {
		n = j->next;
		if (err) {
			ip_emit(ip_error_obj(jv_copy(j->item), "dns-create",
			    "the record was added but the zone refresh failed: %s", err));
			rval = IP_EXIT_ITEM;
		} else {
			ip_info("%s: %s -> %s", j->name, j->sub, j->addr[0]);
			ip_emit(server_obj(j));
		}
		job_free(j);
	}
	maybe_refresh();
}

/* Records arriving together share one refresh; none is emitted before it. */
static void
maybe_refresh(void)
{
	long long now = ip_now_ms();

	if (refreshing || nready == 0)
		return;
	/* the stream loop calls again at least every 100 ms while some wait */
	if (jobs_active > 0 && now - oldest_ready < REFRESH_WAIT_MS)
		return;
	struct job *batch = ready_head;
	ip_debug("refreshing the zone for %d record set(s)", nready);
	ready_head = NULL;
	ready_tail = &ready_head;
	nready = 0;
	refreshing = 1;
	P->commit(prov, refreshed, batch);
}

static void
job_step_done(struct job *j)
{
	if (--j->left > 0)
		return;
	jobs_active--;
	if (j->err) {
		ip_warn("%s: %s", j->name, j->err);
		ip_emit(ip_error_obj(jv_copy(j->item), "dns-create", "%s", j->err));
		rval = IP_EXIT_ITEM;
		job_free(j);
	} else {
		if (nready == 0)
			oldest_ready = ip_now_ms();
		*ready_tail = j;
		ready_tail = &j->next;
		nready++;
	}
	maybe_refresh();
}

struct part {
	struct job *j;
	int t;
};

static void
created(void *ud, jv rec, const char *err)
{
	struct part *p = ud;
	struct job *j = p->j;

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
	struct job *j = p->j;
	const char *want = j->addr[p->t];

	if (err) {
		job_fail(j, "%s", err);
		goto out;
	}
	jv_array_foreach(recs, i, rec) {
		if (strcmp(ip_get_str(rec, "subdomain"), j->sub) == 0 &&
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
		P->create(prov, j->sub, rtypes[p->t], want, ttl, created, p);
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

static void
create_item(jv item)
{
	const char *name = ip_get_str(item, "name"), *ns = ip_get_str(item, "namespace");
	const char *v4 = ip_get_str(item, "ipv4"), *v6 = ip_get_str(item, "ipv6");
	struct job *j;

	if (!ip_get_type(item, "instance")) {
		ip_emit(item);	/* not ours: pass it on */
		return;
	}
	if (name == NULL || !ip_label_ok(name) || (ns && strcmp(ns, cfg->namespace))) {
		ip_warn("%s: instance without a valid name in this namespace", name && ip_label_ok(name) ? name : "?");
		ip_emit(ip_error_obj(item, "dns-create", "instance without a valid name in namespace %s",
		    cfg->namespace));
		rval = IP_EXIT_ITEM;
		return;
	}
	if (jv_object_has(jv_copy(seen), jv_string(name))) {
		/* two creations for one name would race to two records */
		ip_warn("%s: given twice: the second one is skipped", name);
		ip_emit(ip_error_obj(item, "dns-create", "this name was already given in this run"));
		rval = IP_EXIT_ITEM;
		return;
	}
	seen = jv_object_set(seen, jv_string(name), jv_true());
	if (!addr_ok(AF_INET, v4)) {
		ip_warn("%s: the instance has no IPv4 address", name);
		ip_emit(ip_error_obj(item, "dns-create", "the instance has no IPv4 address"));
		rval = IP_EXIT_ITEM;
		return;
	}
	j = ip_xcalloc(1, sizeof(*j));
	j->name = ip_xstrdup(name);
	j->sub = ip_subdomain(cfg->namespace, name);
	j->addr[0] = ip_xstrdup(v4);
	if (ipv6 && addr_ok(AF_INET6, v6))
		j->addr[1] = ip_xstrdup(v6);
	else if (ipv6 && v6)
		ip_warn("%s: ipv6 is not an IPv6 address: no AAAA record", name);
	j->rec[0] = jv_null();
	j->rec[1] = jv_null();
	j->item = item;
	jobs_active++;
	for (int t = 0; t < 2; t++) {
		if (j->addr[t] == NULL)
			continue;
		struct part *p = ip_xcalloc(1, sizeof(*p));
		p->j = j;
		p->t = t;
		j->left++;
		P->list(prov, rtypes[t], j->sub, listed, p);
	}
}

/* ------------------------------------------------------------ delete */

struct del {
	jv item;
	int left, n;
	char *err;
};

static int deleted_any;

static void
del_emit(struct del *d)
{
	const char *name = ip_get_str(d->item, "name");

	if (d->err) {
		ip_warn("%s: %s", name ? name : "?", d->err);
		ip_emit(ip_error_obj(d->item, "dns-delete", "%s", d->err));
		rval = IP_EXIT_ITEM;
	} else {
		jv del = ip_get_obj(d->item, "deleted");
		if (jv_get_kind(del) != JV_KIND_OBJECT) {
			jv_free(del);
			del = jv_object();
		}
		del = jv_object_set(del, jv_string("records"), jv_number(d->n));
		ip_info("%s: %s%d record(s) deleted", name ? name : "?",
		    dry_run ? "(dry run) " : "", d->n);
		d->item = jv_object_set(d->item, jv_string("deleted"), del);
		if (dry_run)
			d->item = jv_object_set(d->item, jv_string("dry_run"), jv_true());
		ip_emit(d->item);
	}
	free(d->err);
	free(d);
}

static void
del_done(void *ud, const char *err)
{
	struct del *d = ud;

	if (err && d->err == NULL)
		d->err = ip_xstrdup(err);
	deleted_any = 1;
	if (--d->left == 0)
		del_emit(d);
}

/* The records of item, each checked to be exactly one of ours. */
static jv
records_of(jv item, char **why)
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
		char *name = ip_name_of_subdomain(cfg->namespace, sub);
		/* ids are the provider's (OVH: digits, Hetzner: "name/TYPE"),
		 * each provider checks its own; nothing that would bend a URL */
		if (id == NULL || *id == '\0' || strlen(id) > 300 ||
		    strcspn(id, " \t\r\n?#%") != strlen(id))
			*why = ip_xstrdup("a record without a valid id");
		else if (name == NULL)
			*why = ip_xstrdup("a record outside the namespace");
		else if (zone && strcmp(zone, cfg->zone))
			*why = ip_xstrdup("a record of another zone");
		else
			out = jv_array_append(out, jv_string(id));
		free(name);
		jv_free(r);
		if (*why)
			break;
	}
	jv_free(recs);
	return out;
}

static void
delete_item(jv item)
{
	char *why = NULL;
	jv ids;
	struct del *d;

	if (!ip_get_type(item, "record") && !ip_get_type(item, "server")) {
		ip_emit(item);
		return;
	}
	ids = records_of(item, &why);
	if (why) {
		const char *name = ip_get_str(item, "name");
		ip_warn("%s: %s: nothing deleted", name ? name : "?", why);
		ip_emit(ip_error_obj(item, "dns-delete", "%s: nothing deleted", why));
		rval = IP_EXIT_ITEM;
		free(why);
		jv_free(ids);
		return;
	}
	if (jv_array_length(jv_copy(ids)) == 0) {
		jv_free(ids);
		ip_emit(item);	/* a server without records: nothing to do here */
		return;
	}
	d = ip_xcalloc(1, sizeof(*d));
	d->item = item;
	d->n = jv_array_length(jv_copy(ids));
	if (dry_run) {
		jv_free(ids);
		del_emit(d);
		return;
	}
	d->left = d->n;
	jv_array_foreach(ids, i, id) {
		P->remove(prov, jv_string_value(id), del_done, d);
		jv_free(id);
	}
	jv_free(ids);
}

static int final_refresh_done;

static void
final_refreshed(void *ud, const char *err)
{
	(void)ud;
	final_refresh_done = 1;
	if (err) {
		ip_warn("zone refresh: %s (deleted records are still served until the zone is refreshed)", err);
		rval = IP_EXIT_ITEM;
	}
}

/* ------------------------------------------------------------ stream */

static void
stream(void (*per_item)(jv))
{
	struct ip_reader *rd = ip_reader_open("-");
	int eof = 0, ready;
	jv item;

	ip_reader_nonblock(rd);
	for (;;) {
		if (ip_interrupted && !eof) {
			ip_warn("interrupted: no more input is read; finishing the work in flight");
			eof = 1;
			rval = IP_EXIT_ITEM;
		}
		while (!eof) {
			int rc = ip_reader_next(rd, &item);
			if (rc == IP_ITEM)
				per_item(item);
			else if (rc == IP_EOF)
				eof = 1;
			else if (rc == IP_AGAIN)
				break;
		}
		maybe_refresh();
		if (eof && ip_http_pending(http) == 0 && nready == 0)
			break;
		ip_http_step(http, eof ? -1 : ip_reader_fd(rd), &ready, nready ? 100 : 1000);
	}
	if (ip_reader_errors(rd))
		rval = IP_EXIT_ITEM;
	ip_reader_close(rd);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "jobs", required_argument, NULL, 'j' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct ip_http_opts ho = { 0 };
	const char *cmd;
	int c;

	ip_log_init(argv[0]);
	ho.parallel = 4;
	/* GNU getopt permutes: options may come before or after the command */
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:6n", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		if (c == 'j')
			ho.parallel = (int)ip_cli_long("-j", optarg, 1, 64);
		else if (c == '6')
			ipv6 = 1;
		else if (c == 'n')
			dry_run = 1;
		else
			ip_usage_error(usage);
	}
	if (optind != argc - 1) {
		ip_warn(optind >= argc ? "no command given" : "unexpected argument after the command");
		ip_usage_error(usage);
	}
	cmd = argv[optind];
	if (strcmp(cmd, "ls") && strcmp(cmd, "create") && strcmp(cmd, "delete") &&
	    strcmp(cmd, "sign")) {
		ip_warn("unknown command (expected ls, create or delete)");
		ip_usage_error(usage);
	}
	if ((ipv6 && strcmp(cmd, "create")) || (dry_run && strcmp(cmd, "delete"))) {
		ip_warn("%s only applies to %s", ipv6 ? "-6" : "-n", ipv6 ? "create" : "delete");
		ip_usage_error(usage);
	}
	cfg = ip_config_load(ip_config_path);
	ttl = ip_config_int_or(cfg, "dns.ttl", 60, 1, 86400);
	for (int i = 0; providers[i]; i++)
		if (!strcmp(providers[i]->name, cfg->dns_provider))
			P = providers[i];
	if (P == NULL)
		ip_config_die(cfg, "dns.provider", "not supported by ip-dns");
	http = ip_http_new(&ho);
	prov = P->open(cfg, http);
	if (!strcmp(cmd, "sign")) {
		/* debugging aid: sign METHOD URL TIMESTAMP BODY read from stdin lines */
		char m[16], url[4096], ts[32], body[65536];
		if (!fgets(m, sizeof(m), stdin) || !fgets(url, sizeof(url), stdin) ||
		    !fgets(ts, sizeof(ts), stdin))
			ip_die(IP_EXIT_FATAL, "sign: expected METHOD, URL, TIMESTAMP and BODY lines");
		if (!fgets(body, sizeof(body), stdin))
			body[0] = '\0';
		m[strcspn(m, "\n")] = url[strcspn(url, "\n")] = ts[strcspn(ts, "\n")] = '\0';
		body[strcspn(body, "\n")] = '\0';
		char *sig = P->sign ? P->sign(prov, m, url, body, ts) : NULL;
		printf("%s\n", sig ? sig : "");
		free(sig);
	} else if (!(dry_run && !strcmp(cmd, "delete"))) {
		char *err = P->check(prov);
		if (err) {
			ip_warn("%s", err);
			free(err);
			exit(IP_EXIT_FATAL);
		}
	}
	if (!strcmp(cmd, "ls"))
		cmd_ls();
	else if (!strcmp(cmd, "create")) {
		seen = jv_object();
		ip_catch_interrupt();
		stream(create_item);
		jv_free(seen);
	}
	else if (!strcmp(cmd, "delete")) {
		ip_catch_interrupt();
		stream(delete_item);
		if (deleted_any) {
			/* one refresh for the whole run */
			P->commit(prov, final_refreshed, NULL);
			ip_http_run(http);
		}
	}
	P->close(prov);
	ip_http_free(http);
	ip_config_free(cfg);
	return rval;
}
