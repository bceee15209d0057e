/* ip-table: server objects as the README's list tables (tabulate's psql grid). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli.h"
#include "log.h"
#include "stream.h"
#include "table.h"
#include "util.h"

static const char usage[] =
    "[-H] [-x] [-q] [-v] [-S create | delete | check | -p [-u file] | -s [--html file]] [file ...]\n"
    "  -H, --hide-orphans   do not print the ORPHANED INSTANCES and ORPHANED DOMAINS tables\n"
    "  -x, --expires        an Expires column: each instance's end time, if it has one\n"
    "  -S, --summary MODE   instead of tables, the summary of a create or delete run,\n"
    "                       or (check) what ip-instances check found\n"
    "  -p, --progress       follow the files as they grow: a line per server on stderr\n"
    "  -u, --until FILE     with --progress: stop once FILE exists and all is read\n"
    "  -s, --status         ip-check's results as a board and a summary line\n"
    "  --html FILE          with --status: also write the board as a page (--refresh S, default 10)";

#define MAXCOLS 6

/* What a create or delete run did, for the summary. */
struct summary {
	char **ok, **failed;
	size_t nok, nfailed;
};

static void
push(char ***list, size_t *n, char *s)
{
	*list = ip_xrealloc(*list, (*n + 1) * sizeof(char *));
	(*list)[(*n)++] = s;
}

struct table {
	const char *title;
	int ncols;
	const char *head[MAXCOLS];
	char **cells;	/* rows * ncols */
	size_t nrows;
};

static void
add_row(struct table *t, const char **vals)
{
	t->cells = ip_xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(char *));
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = ip_sanitize(vals[i]);
	t->nrows++;
}

static int
numeric(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static void
line(const size_t *w, int n, char l, char m, char r)
{
	putchar(l);
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < w[i] + 2; k++)
			putchar('-');
		putchar(i == n - 1 ? r : m);
	}
	putchar('\n');
}

static void
row(const size_t *w, const int *right, int n, char **vals)
{
	putchar('|');
	for (int i = 0; i < n; i++) {
		size_t pad = w[i] - width(vals[i]);
		putchar(' ');
		if (right[i])
			printf("%*s", (int)pad, "");
		fputs(vals[i], stdout);
		if (!right[i])
			printf("%*s", (int)pad, "");
		fputs(" |", stdout);
	}
	putchar('\n');
}

/* As python-tabulate's "psql" format: headers get two columns of slack,
 * all-integer columns are right-aligned, None prints as "". */
static void
print_table(struct table *t)
{
	size_t w[MAXCOLS];
	int right[MAXCOLS];

	if (t->title)
		printf("\n%s\n", t->title);
	for (int i = 0; i < t->ncols; i++) {
		w[i] = strlen(t->head[i]) + 2;
		right[i] = t->nrows > 0;
		for (size_t r = 0; r < t->nrows; r++) {
			const char *c = t->cells[r * t->ncols + i];
			if (width(c) > w[i])
				w[i] = width(c);
			if (!numeric(c))
				right[i] = 0;
		}
	}
	line(w, t->ncols, '+', '+', '+');
	row(w, right, t->ncols, (char **)t->head);
	line(w, t->ncols, '|', '+', '|');
	for (size_t r = 0; r < t->nrows; r++)
		row(w, right, t->ncols, &t->cells[r * t->ncols]);
	line(w, t->ncols, '+', '+', '+');
}

static void
free_table(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

static char *
error_line(jv o)
{
	const char *n = ip_get_str(o, "name"), *st = ip_get_str(o, "stage");
	const char *m = ip_get_str(o, "message");
	char *c = ip_sanitize(m ? m : "failed");
	char *line = ip_xasprintf("%s (%s): %s", n ? n : "(no name)", st ? st : "?", c);

	free(c);
	return line;
}

/* One object of a create run: a server that got through, or an error. */
static void
summary_create(struct summary *sm, jv o)
{
	jv prov = ip_get_obj(o, "provision");
	const char *st = ip_get_str(prov, "status");
	const char *dom = ip_get_str(o, "domain");

	if (ip_get_type(o, "error"))
		push(&sm->failed, &sm->nfailed, error_line(o));
	else if (st && strcmp(st, "ok") != 0)
		push(&sm->failed, &sm->nfailed, ip_xasprintf("%s (provision): %s",
		    dom ? dom : "?", st));
	else if (ip_get_type(o, "server") || ip_get_type(o, "instance"))
		push(&sm->ok, &sm->nok, ip_sanitize(dom ? dom : ip_get_str(o, "name")));
	jv_free(prov);
}

static void
summary_delete(struct summary *sm, jv o)
{
	jv del = ip_get_obj(o, "deleted"), inst = ip_get_obj(o, "instance");
	jv dry = jv_object_get(jv_copy(o), jv_string("dry_run"));
	const char *name = ip_get_str(o, "name"), *dom = ip_get_str(o, "domain");
	const char *iname = ip_get_str(inst, "instance");
	int records = 0, instance = 0;
	jv v;

	if (ip_get_type(o, "error")) {
		push(&sm->failed, &sm->nfailed, error_line(o));
		goto out;
	}
	if (jv_get_kind(del) != JV_KIND_OBJECT)
		goto out;
	v = jv_object_get(jv_copy(del), jv_string("records"));
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		records = (int)jv_number_value(v);
	jv_free(v);
	v = jv_object_get(jv_copy(del), jv_string("instance"));
	instance = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	char *what = ip_xasprintf("%s%s%s%s%s",
	    instance ? "instance " : "", instance && iname ? iname : "",
	    instance && records ? ", " : "", records ? "record " : "", records && dom ? dom : "");
	char *line = ip_xasprintf("%s %s: %s", jv_get_kind(dry) == JV_KIND_TRUE ?
	    "Would delete" : "Deleted", name ? name : "?", *what ? what : "nothing left to delete");
	push(&sm->ok, &sm->nok, ip_sanitize(line));
	free(line);
	free(what);
out:
	jv_free(dry);
	jv_free(del);
	jv_free(inst);
}

static void
print_list(jv o, const char *key)
{
	jv a = ip_get(o, key);

	if (jv_get_kind(a) == JV_KIND_ARRAY)
		jv_array_foreach(a, i, v) {
			if (jv_get_kind(v) == JV_KIND_STRING) {
				char *c = ip_sanitize(jv_string_value(v));
				printf("\t- %s\n", c);
				free(c);
			}
			jv_free(v);
			(void)i;
		}
	jv_free(a);
}

/* ip-instances check's object: what would be made, or why not. */
static int
summary_check(jv o)
{
	jv okv = jv_object_get(jv_copy(o), jv_string("ok")), a = ip_get(o, "domains");
	int ok = jv_get_kind(okv) == JV_KIND_TRUE;
	int n = jv_get_kind(a) == JV_KIND_ARRAY ? jv_array_length(jv_copy(a)) : 0;

	jv_free(okv);
	jv_free(a);
	if (ok) {
		const char *exp = ip_get_str(o, "expires");
		printf("The check passed; %d server%s would be created%s%s:\n", n, n == 1 ? "" : "s",
		    exp ? ", ending at " : "", exp ? exp : "");
		print_list(o, "domains");
	} else {
		printf("The check failed; nothing would be created:\n");
		print_list(o, "problems");
	}
	a = ip_get(o, "warnings");
	if (jv_get_kind(a) == JV_KIND_ARRAY && jv_array_length(jv_copy(a)) > 0) {
		printf("Warnings:\n");
		print_list(o, "warnings");
	}
	jv_free(a);
	return ok ? 0 : IP_EXIT_ITEM;
}

static int
print_summary(struct summary *sm, int create)
{
	size_t total = sm->nok + sm->nfailed;

	if (create) {
		/* the original tool's words */
		if (sm->nfailed == 0 && total > 0)
			printf("All servers have been created:\n");
		else if (sm->nok > 0)
			printf("%zu servers over %zu have been created:\n", sm->nok, total);
		else if (total > 0)
			printf("All servers have failed to create.\n");
		else
			printf("No server was created.\n");
		for (size_t i = 0; i < sm->nok; i++)
			printf("\t- %s\n", sm->ok[i]);
		if (sm->nfailed)
			printf("Failed (left in place for `install-party list`; not recreated):\n");
	} else {
		for (size_t i = 0; i < sm->nok; i++)
			printf("%s\n", sm->ok[i]);
		if (total == 0)
			printf("Nothing to delete.\n");
		if (sm->nfailed)
			printf("Failed:\n");
	}
	for (size_t i = 0; i < sm->nfailed; i++)
		printf("\t- %s\n", sm->failed[i]);
	for (size_t i = 0; i < sm->nok; i++)
		free(sm->ok[i]);
	for (size_t i = 0; i < sm->nfailed; i++)
		free(sm->failed[i]);
	free(sm->ok);
	free(sm->failed);
	return sm->nfailed || (create && total == 0) ? IP_EXIT_ITEM : 0;
}

/* A server object as a row of the main table, or of an orphans' table. */
static void
add_server(struct table *main_t, struct table *oi, struct table *od, jv o)
{
	jv inst = ip_get_obj(o, "instance"), rec = ip_get_obj(o, "record");
	const char *name = ip_get_str(o, "name");
	const char *iname = ip_get_str(inst, "instance");
	const char *status = ip_get_str(inst, "status");
	const char *ipv4 = ip_get_str(inst, "ipv4");
	const char *dom = ip_get_str(rec, "domain");
	const char *target = ip_get_str(rec, "target");
	const char *state = ip_get_str(o, "state");
	const char *exp = ip_get_str(inst, "expires");	/* a column with -x only */
	char *st = NULL;

	if (dom == NULL)
		dom = ip_get_str(o, "domain");
	if (state && strcmp(state, "mismatch") == 0)
		st = ip_xasprintf("%s (DNS points to %s)", status ? status : "?",
		    target ? target : "nothing");
	if (jv_get_kind(inst) == JV_KIND_OBJECT && jv_get_kind(rec) == JV_KIND_OBJECT)
		add_row(main_t, (const char *[]){ name, iname, dom, st ? st : status, ipv4, exp });
	else if (jv_get_kind(inst) == JV_KIND_OBJECT)
		add_row(oi, (const char *[]){ name, iname, status, ipv4, exp });
	else if (jv_get_kind(rec) == JV_KIND_OBJECT)
		add_row(od, (const char *[]){ name, dom, target });
	free(st);
	jv_free(inst);
	jv_free(rec);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "hide-orphans", no_argument, NULL, 'H' },
		{ "summary", required_argument, NULL, 'S' },
		{ "progress", no_argument, NULL, 'p' },
		{ "until", required_argument, NULL, 'u' },
		{ "status", no_argument, NULL, 's' },
		{ "html", required_argument, NULL, 1100 },
		{ "refresh", required_argument, NULL, 1101 },
		{ "expires", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct table main_t = { NULL, 5, { "Name", "Instance name", "Domain", "Status", "IPv4",
	    "Expires" }, NULL, 0 };
	struct table oi = { "ORPHANED INSTANCES", 4, { "Name", "Instance name", "Status", "IPv4",
	    "Expires" }, NULL, 0 };
	struct table od = { "ORPHANED DOMAINS", 3, { "Name", "Domain", "Target" }, NULL, 0 };
	struct summary sm = { 0 };
	int c, hide = 0, rval = 0, i, mode = 0;
	const char *until = NULL, *html = NULL;
	int refresh = 10;

	setlocale(LC_CTYPE, "C.UTF-8");
	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "HS:pu:sx", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		if (c == 'H')
			hide = 1;
		else if (c == 'S' && strcmp(optarg, "create") == 0)
			mode = 'c';
		else if (c == 'S' && strcmp(optarg, "delete") == 0)
			mode = 'd';
		else if (c == 'S' && strcmp(optarg, "check") == 0)
			mode = 'k';
		else if (c == 'p')
			mode = 'p';
		else if (c == 'u')
			until = optarg;
		else if (c == 's')
			mode = 's';
		else if (c == 1100)
			html = optarg;
		else if (c == 1101)
			refresh = (int)ip_cli_long("--refresh", optarg, 1, 86400);
		else if (c == 'x') {
			main_t.ncols = 6;	/* without -x, the original's tables */
			oi.ncols = 5;
		}
		else
			ip_usage_error(usage);
	}
	if (until && mode != 'p')
		ip_usage_error(usage);
	if ((html || refresh != 10) && mode != 's')
		ip_usage_error(usage);
	if (mode == 'p')
		return progress(argc - optind, argv + optind, until);
	if (mode == 's')
		return status_board(argc - optind, argv + optind, html, refresh);
	i = optind;
	do {
		struct ip_reader *r = ip_reader_open(i < argc ? argv[i] : "-");
		jv o;
		int rc;
		while ((rc = ip_reader_next(r, &o)) != IP_EOF) {
			if (rc != IP_ITEM) {
				rval = IP_EXIT_ITEM;
				continue;
			}
			if (mode == 'k') {
				if (ip_get_type(o, "check") && summary_check(o) != 0)
					rval = IP_EXIT_ITEM;
				jv_free(o);
				continue;
			}
			if (mode) {
				(mode == 'c' ? summary_create : summary_delete)(&sm, o);
			} else if (ip_get_type(o, "error")) {
				const char *n = ip_get_str(o, "name"), *m = ip_get_str(o, "message");
				ip_warn("%s: %s", n ? n : "(no name)", m ? m : "failed");
				rval = IP_EXIT_ITEM;
			} else if (ip_get_type(o, "server"))
				add_server(&main_t, &oi, &od, o);
			jv_free(o);
		}
		if (ip_reader_errors(r))
			rval = IP_EXIT_ITEM;
		ip_reader_close(r);
	} while (++i < argc);

	if (mode == 'k') {
		free_table(&main_t);
		free_table(&oi);
		free_table(&od);
		ip_stdout_close();
		return rval;
	}
	if (mode) {
		rval = print_summary(&sm, mode == 'c') || rval;
		free_table(&main_t);
		free_table(&oi);
		free_table(&od);
		ip_stdout_close();
		return rval ? IP_EXIT_ITEM : 0;
	}
	print_table(&main_t);
	if (!hide && oi.nrows)
		print_table(&oi);
	if (!hide && od.nrows)
		print_table(&od);
	free_table(&main_t);
	free_table(&oi);
	free_table(&od);
	ip_stdout_close();
	return rval;
}
