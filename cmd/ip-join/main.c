/* ip-join: join instance and record objects by name into server objects. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"
#include "util.h"

static const char usage[] =
    "[-c config] [-q] [-v] [--all [--exclude name]... | --server name... | --expired] [file ...]\n"
    "  -a, --all             select every server of the namespace\n"
    "  -x, --expired         select the servers whose instance's end time has passed\n"
    "  -e, --exclude NAME    with --all: leave this server out (repeatable)\n"
    "  -s, --server NAME     select only this server (repeatable)\n"
    "  files: NDJSON streams of instance and record objects (default: stdin)";

struct entry {
	char *name;
	jv instances;	/* array: a name may (wrongly) be used twice */
	jv records;
};

static struct entry *entries;
static size_t nentries, capentries;
static jv byname;	/* name -> index in entries: jv objects are hash tables */
static const struct ip_config *cfg;
static int rval;

static struct entry *
entry(const char *name)
{
	jv i = jv_object_get(jv_copy(byname), jv_string(name));

	if (jv_get_kind(i) == JV_KIND_NUMBER) {
		size_t k = (size_t)jv_number_value(i);
		jv_free(i);
		return &entries[k];
	}
	jv_free(i);
	byname = jv_object_set(byname, jv_string(name), jv_number(nentries));
	if (nentries == capentries) {
		capentries = capentries ? capentries * 2 : 64;
		entries = ip_xrealloc(entries, capentries * sizeof(*entries));
	}
	entries[nentries] = (struct entry){ ip_xstrdup(name), jv_array(), jv_array() };
	return &entries[nentries++];
}

/* Where an object says it belongs must agree with its name and our namespace. */
static int
belongs(jv o, const char *where, int is_instance)
{
	const char *name = ip_get_str(o, "name");
	const char *inst = ip_get_str(o, "instance");
	const char *sub = ip_get_str(o, "subdomain");
	const char *ns = ip_get_str(o, "namespace");

	/* a field that is there but is no clean string (a NUL inside) is no
	 * proof of membership, nor is a missing instance name or subdomain */
	if ((jv_object_has(jv_copy(o), jv_string("namespace")) && ns == NULL) ||
	    (is_instance ? inst == NULL : sub == NULL))
		name = NULL;
	if (name == NULL || !ip_label_ok(name)) {
		ip_warn("%s: %s object without a valid name: ignored", where,
		    is_instance ? "instance" : "record");
		return 0;
	}
	if (ns != NULL && strcmp(ns, cfg->namespace) != 0) {
		ip_warn("%s: %s: belongs to another namespace: ignored", where, name);
		return 0;
	}
	if (is_instance) {
		const char *n = ip_name_of_instance(cfg->namespace, inst);
		if (n == NULL || strcmp(n, name) != 0) {
			ip_warn("%s: %s: instance name is not %s-%s: ignored", where, name,
			    cfg->namespace, name);
			return 0;
		}
	}
	if (!is_instance) {
		char *n = ip_name_of_subdomain(cfg->namespace, sub);
		int ok = n && strcmp(n, name) == 0;
		free(n);
		if (!ok) {
			ip_warn("%s: %s: record subdomain is not %s.%s: ignored", where, name,
			    name, cfg->namespace);
			return 0;
		}
	}
	return 1;
}

static void
read_input(const char *path)
{
	struct ip_reader *r = ip_reader_open(path);
	jv o;
	int rc;

	while ((rc = ip_reader_next(r, &o)) != IP_EOF) {
		if (rc != IP_ITEM) {
			rval = IP_EXIT_ITEM;
			continue;
		}
		if (ip_get_type(o, "instance") || ip_get_type(o, "record")) {
			int inst = ip_get_type(o, "instance");
			if (!belongs(o, ip_reader_where(r), inst)) {
				rval = IP_EXIT_ITEM;
				jv_free(o);
				continue;
			}
			struct entry *e = entry(ip_get_str(o, "name"));
			if (inst)
				e->instances = jv_array_append(e->instances, o);
			else
				e->records = jv_array_append(e->records, o);
		} else {
			/* errors and anything else flow on, as they come */
			if (ip_get_type(o, "error"))
				rval = IP_EXIT_ITEM;
			ip_emit(o);
		}
	}
	ip_reader_close(r);
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int
has(char **list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static jv
server(const struct entry *e, jv inst)
{
	jv s = jv_object(), rec = jv_null();
	const char *ipv4 = ip_get_str(inst, "ipv4"), *ipv6 = ip_get_str(inst, "ipv6");
	const char *state;
	int mismatch = 0;

	/* the record shown is the first A record, else the first of any kind */
	jv_array_foreach(e->records, i, r) {
		const char *t = ip_get_str(r, "rtype");
		if (jv_get_kind(rec) == JV_KIND_NULL && (t == NULL || strcmp(t, "A") == 0))
			rec = jv_copy(r);
		jv_free(r);
	}
	if (jv_get_kind(rec) == JV_KIND_NULL && jv_array_length(jv_copy(e->records)) > 0)
		rec = jv_array_get(jv_copy(e->records), 0);
	jv_array_foreach(e->records, i, r) {
		const char *t = ip_get_str(r, "rtype"), *target = ip_get_str(r, "target");
		const char *want = (t && strcmp(t, "AAAA") == 0) ? ipv6 : ipv4;
		if (target == NULL || want == NULL || strcmp(target, want) != 0)
			mismatch = 1;
		jv_free(r);
	}
	if (jv_get_kind(inst) == JV_KIND_NULL)
		state = "orphan-record";
	else if (jv_get_kind(rec) == JV_KIND_NULL)
		state = "orphan-instance";
	else
		state = mismatch ? "mismatch" : "complete";

	jv_free(s);
	return ip_server_obj(cfg->namespace, cfg->zone, e->name, state, inst, rec,
	    jv_copy(e->records));
}

/* The instance's end time (ip-instances create -x) has passed. */
static int
is_expired(jv inst, long long now)
{
	long long t = ip_parse_time(ip_get_str(inst, "expires"));

	return t >= 0 && t <= now;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "all", no_argument, NULL, 'a' },
		{ "exclude", required_argument, NULL, 'e' },
		{ "server", required_argument, NULL, 's' },
		{ "expired", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	char **servers = ip_xcalloc(argc, sizeof(char *));
	char **excludes = ip_xcalloc(argc, sizeof(char *));
	int nservers = 0, nexcludes = 0, all = 0, expired = 0, c, missing = 0;
	long long now = (long long)time(NULL);

	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "ae:s:x", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		const char *why;
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'x':
			expired = 1;
			break;
		case 'e':
		case 's':
			if ((why = ip_label_why(optarg)) != NULL) {
				ip_die(IP_EXIT_FATAL, "-%c: not a server name: %s", c, why);
			}
			if (c == 'e')
				excludes[nexcludes++] = optarg;
			else
				servers[nservers++] = optarg;
			break;
		default:
			ip_usage_error(usage);
		}
	}
	if (all && nservers) {
		ip_warn("--all and --server cannot be used together");
		ip_usage_error(usage);
	}
	if (expired && (all || nservers || nexcludes)) {
		ip_warn("--expired goes alone");
		ip_usage_error(usage);
	}
	if (nexcludes && !all) {
		ip_warn("--exclude goes with --all");
		ip_usage_error(usage);
	}
	cfg = ip_config_load(ip_config_path);
	byname = jv_object();

	if (optind == argc)
		read_input("-");
	for (int i = optind; i < argc; i++)
		read_input(argv[i]);

	if (nentries > 0)
		qsort(entries, nentries, sizeof(*entries), cmp_entry);
	for (int i = 0; i < nservers; i++) {
		int found = 0;
		for (size_t k = 0; k < nentries && !found; k++)
			found = strcmp(entries[k].name, servers[i]) == 0;
		if (!found) {
			ip_warn("%s: no such server in namespace %s", servers[i], cfg->namespace);
			missing = 1;
		}
	}
	for (int i = 0; i < nexcludes; i++) {
		int found = 0;
		for (size_t k = 0; k < nentries && !found; k++)
			found = strcmp(entries[k].name, excludes[i]) == 0;
		if (!found)
			ip_warn("%s: excluded, but there is no such server", excludes[i]);
	}
	/* An unknown --server selects nothing at all: a delete must not half-run. */
	for (size_t k = 0; k < nentries; k++) {
		struct entry *e = &entries[k];
		int take = !missing && (nservers ? has(servers, nservers, e->name) :
		    !has(excludes, nexcludes, e->name));
		if (take) {
			int n = jv_array_length(jv_copy(e->instances));
			if (n > 1)
				ip_warn("%s: %d instances have this name", e->name, n);
			if (n == 0 && !expired)	/* a record alone has no end time */
				ip_emit(server(e, jv_null()));
			jv_array_foreach(e->instances, i, inst) {
				if (!expired || is_expired(inst, now))
					ip_emit(server(e, inst));
				else
					jv_free(inst);
			}
		}
		free(e->name);
		jv_free(e->instances);
		jv_free(e->records);
	}
	jv_free(byname);
	free(entries);
	free(servers);
	free(excludes);
	ip_config_free((struct ip_config *)cfg);
	if (missing)
		return IP_EXIT_ITEM;
	return rval;
}
