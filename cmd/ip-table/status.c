/* ip-table --status: ip-check's results as a board, a row per server, a
 * summary line; --html FILE: the same board as one self-contained page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "stream.h"
#include "table.h"
#include "util.h"

static const char *const checks[] = { "dns", "ssh", "https", "element", "client_api",
	"well_known", "federation", "keys" };
static const char *const heads[] = { "DNS", "SSH", "HTTPS", "Element", "Client",
	"Well-known", "Fed", "Keys" };
#define NCHECK 8
#define NCOL (NCHECK + 4)

struct srow {
	char *cell[NCOL];	/* Name, Domain, marks..., Homeserver, Stage */
	int state[NCHECK];	/* 1 ok, 0 failed, -1 not yet, -2 missing */
	char *detail[NCHECK];
	char *stage;
	int hs, element;
};

static const char *
mark(int st)
{
	return st == 1 ? "ok" : st == 0 ? "FAIL" : st == -1 ? "-" : "?";
}

static void
load(struct srow *r, jv o)
{
	jv c = ip_get_obj(o, "check");
	const char *name = ip_get_str(o, "name"), *dom = ip_get_str(o, "domain");
	const char *st = jv_get_kind(c) == JV_KIND_OBJECT ? ip_get_str(c, "stage") : NULL;
	char *hs = NULL;

	r->cell[0] = ip_sanitize(name);
	r->cell[1] = ip_sanitize(dom);
	for (int i = 0; i < NCHECK; i++) {
		jv one = jv_get_kind(c) == JV_KIND_OBJECT ? ip_get_obj(c, checks[i]) : jv_null();
		jv ok = jv_get_kind(one) == JV_KIND_OBJECT ?
		    jv_object_get(jv_copy(one), jv_string("ok")) : jv_invalid();
		const char *d = jv_get_kind(one) == JV_KIND_OBJECT ? ip_get_str(one, "detail") : NULL;
		r->state[i] = jv_get_kind(ok) == JV_KIND_TRUE ? 1 : jv_get_kind(ok) == JV_KIND_FALSE ?
		    0 : jv_get_kind(ok) == JV_KIND_NULL ? -1 : -2;
		r->detail[i] = ip_sanitize(d ? d : "");
		r->cell[2 + i] = ip_xstrdup(mark(r->state[i]));
		if (i == 6 && r->state[i] == 1) {
			jv srv = ip_get_obj(one, "server");
			const char *n = ip_get_str(srv, "name"), *v = ip_get_str(srv, "version");
			if (n)
				hs = ip_xasprintf("%s%s%s", n, v ? " " : "", v ? v : "");
			jv_free(srv);
		}
		jv_free(ok);
		jv_free(one);
	}
	r->cell[NCOL - 2] = ip_sanitize(hs ? hs : "");
	r->cell[NCOL - 1] = ip_sanitize(st ? st : "?");
	r->stage = ip_xstrdup(st ? st : "none");
	r->hs = r->state[4] == 1;
	r->element = r->state[3] == 1;
	free(hs);
	jv_free(c);
}

static int
by_name(const void *a, const void *b)
{
	const struct srow *x = a, *y = b;

	return strverscmp(x->cell[0], y->cell[0]);	/* s2 before s10 */
}

static void
rule(const size_t *w)
{
	putchar('+');
	for (int i = 0; i < NCOL; i++) {
		for (size_t k = 0; k < w[i] + 2; k++)
			putchar('-');
		putchar('+');
	}
	putchar('\n');
}

static void
print_row(const size_t *w, char *const *vals)
{
	putchar('|');
	for (int i = 0; i < NCOL; i++)
		printf(" %s%*s |", vals[i], (int)(w[i] - width(vals[i])), "");
	putchar('\n');
}

static void
html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* One page, no script, no outside resource: the browser reloads it. */
static int
write_html(const char *path, struct srow *rows, size_t n, const char *summary, int refresh)
{
	char *tmp = ip_xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	char stamp[64];
	time_t now = time(NULL);

	if (!f) {
		ip_warn("%s: cannot write the page", path);
		free(tmp);
		return -1;
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	fprintf(f, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"%d\">\n<title>install-party status</title>\n"
	    "<style>body{font:16px sans-serif;margin:1em}table{border-collapse:collapse}"
	    "td,th{border:1px solid #999;padding:.2em .5em}td.ok{background:#bfb}"
	    "td.FAIL{background:#f99}td.na{background:#eee}p.sum{font-size:1.4em}</style>\n"
	    "</head><body>\n<h1>install-party status</h1>\n<p class=\"sum\">", refresh);
	html_text(f, summary);
	fprintf(f, "</p>\n<table>\n<tr><th>Name</th><th>Domain</th>");
	for (int i = 0; i < NCHECK; i++)
		fprintf(f, "<th>%s</th>", heads[i]);
	fprintf(f, "<th>Homeserver</th><th>Stage</th></tr>\n");
	for (size_t r = 0; r < n; r++) {
		fputs("<tr><td>", f);
		html_text(f, rows[r].cell[0]);
		fputs("</td><td>", f);
		html_text(f, rows[r].cell[1]);
		fputs("</td>", f);
		for (int i = 0; i < NCHECK; i++) {
			int st = rows[r].state[i];
			fprintf(f, "<td class=\"%s\" title=\"", st == 1 ? "ok" : st == 0 ? "FAIL" : "na");
			html_text(f, rows[r].detail[i]);
			fprintf(f, "\">%s</td>", mark(st));
		}
		fputs("<td>", f);
		html_text(f, rows[r].cell[NCOL - 2]);
		fputs("</td><td>", f);
		html_text(f, rows[r].cell[NCOL - 1]);
		fputs("</td></tr>\n", f);
	}
	fprintf(f, "</table>\n<p>Checked %s; this page reloads every %d s.</p>\n</body></html>\n",
	    stamp, refresh);
	int bad = ferror(f) | (fclose(f) != 0);
	if (bad || rename(tmp, path) != 0) {
		ip_warn("%s: cannot write the page", path);
		remove(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
status_board(int nfiles, char **files, const char *html, int refresh)
{
	struct srow *rows = NULL;
	size_t n = 0, fed = 0, hs = 0, el = 0;
	int rval = 0, i = 0;

	do {
		struct ip_reader *r = ip_reader_open(i < nfiles ? files[i] : "-");
		jv o;
		int rc;
		while ((rc = ip_reader_next(r, &o)) != IP_EOF) {
			if (rc != IP_ITEM) {
				rval = IP_EXIT_ITEM;
				continue;
			}
			if (ip_get_type(o, "error")) {
				const char *nm = ip_get_str(o, "name"), *m = ip_get_str(o, "message");
				char *cm = ip_sanitize(m ? m : "failed"), *cn = ip_sanitize(nm ? nm : "(no name)");
				ip_warn("%s: %s", cn, cm);
				free(cm);
				free(cn);
				rval = IP_EXIT_ITEM;
			} else if (ip_get_type(o, "server")) {
				rows = ip_xrealloc(rows, (n + 1) * sizeof(*rows));
				memset(&rows[n], 0, sizeof(*rows));
				load(&rows[n++], o);
			}
			jv_free(o);
		}
		ip_reader_close(r);
	} while (++i < nfiles);
	if (n > 0)
		qsort(rows, n, sizeof(*rows), by_name);

	size_t w[NCOL];
	char *head[NCOL] = { "Name", "Domain" };
	for (int c = 0; c < NCHECK; c++)
		head[2 + c] = (char *)heads[c];
	head[NCOL - 2] = "Homeserver";
	head[NCOL - 1] = "Stage";
	for (int c = 0; c < NCOL; c++) {
		w[c] = width(head[c]);
		for (size_t r = 0; r < n; r++)
			if (width(rows[r].cell[c]) > w[c])
				w[c] = width(rows[r].cell[c]);
	}
	for (size_t r = 0; r < n; r++) {
		fed += strcmp(rows[r].stage, "federation") == 0;
		hs += rows[r].hs;
		el += rows[r].element;
	}
	rule(w);
	print_row(w, head);
	rule(w);
	for (size_t r = 0; r < n; r++)
		print_row(w, rows[r].cell);
	rule(w);
	char *summary = ip_xasprintf("%zu/%zu federate, %zu/%zu have a homeserver, "
	    "%zu/%zu serve Element", fed, n, hs, n, el, n);
	printf("%s\n", summary);
	/* what to look at, server by server */
	for (size_t r = 0; r < n; r++)
		for (int c = 0; c < NCHECK; c++)
			if (rows[r].state[c] == 0)
				printf("  %s %s: %s\n", rows[r].cell[0], checks[c], rows[r].detail[c]);
	fflush(stdout);
	if (html && write_html(html, rows, n, summary, refresh) != 0)
		rval = IP_EXIT_FATAL;
	if (fed < n && rval == 0)
		rval = IP_EXIT_ITEM;
	for (size_t r = 0; r < n; r++) {
		for (int c = 0; c < NCOL; c++)
			free(rows[r].cell[c]);
		for (int c = 0; c < NCHECK; c++)
			free(rows[r].detail[c]);
		free(rows[r].stage);
	}
	free(rows);
	free(summary);
	return rval;
}
