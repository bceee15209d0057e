/* ip-table --progress: a live view of a create run, one line per server,
 * built from the stages' output streams as they grow (not from log text). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stream.h"
#include "table.h"
#include "util.h"

/* How far a server got; it only moves forward. */
enum { WAITING, ADDRESS, DNS, READY, FAILED };
static const char *const phase_name[] = {
	"creating the instance", "instance up", "DNS record made, setting up", "ready", "FAILED"
};

struct srv {
	char *name;
	int phase;
	char *detail;
};

static struct srv *srvs;
static size_t nsrvs;
static int drawn;	/* lines drawn last time (tty) */

static struct srv *
find(const char *name)
{
	for (size_t i = 0; i < nsrvs; i++)
		if (strcmp(srvs[i].name, name) == 0)
			return &srvs[i];
	srvs = ip_xrealloc(srvs, (nsrvs + 1) * sizeof(*srvs));
	srvs[nsrvs] = (struct srv){ ip_sanitize(name), WAITING, NULL };
	return &srvs[nsrvs++];
}

/* One object of any stage: returns 1 when a server moved. */
static int
update(jv o, int tty)
{
	const char *name = ip_get_str(o, "name");
	jv prov = ip_get_obj(o, "provision"), inst = ip_get_obj(o, "instance");
	const char *st = ip_get_str(prov, "status");
	const char *ipv4 = ip_get_str(o, "ipv4");
	int phase = -1;
	char *detail = NULL;

	if (ipv4 == NULL)
		ipv4 = ip_get_str(inst, "ipv4");
	if (name == NULL)
		goto out;
	if (ip_get_type(o, "error")) {
		const char *m = ip_get_str(o, "message"), *stage = ip_get_str(o, "stage");
		phase = FAILED;
		detail = ip_xasprintf("%s: %s", stage ? stage : "?", m ? m : "failed");
	} else if (ip_get_type(o, "name")) {
		phase = WAITING;
	} else if (ip_get_type(o, "instance")) {
		phase = ADDRESS;
		detail = ip_xstrdup(ipv4 ? ipv4 : "");
	} else if (ip_get_type(o, "server") && st == NULL) {
		phase = DNS;
		detail = ip_xstrdup(ipv4 ? ipv4 : "");
	} else if (ip_get_type(o, "server")) {
		phase = strcmp(st, "ok") == 0 ? READY : FAILED;
		const char *dom = ip_get_str(o, "domain");
		detail = ip_xstrdup(dom ? dom : "");
	}
	size_t before = nsrvs;
	struct srv *s = find(name);
	/* forward only; a new server is news even in its first phase */
	if (phase < 0 || (phase <= s->phase && nsrvs == before)) {
		free(detail);
		phase = -1;
		goto out;
	}
	s->phase = phase;
	free(s->detail);
	s->detail = detail ? ip_sanitize(detail) : NULL;
	free(detail);
	if (!tty)
		ip_info("%s: %s%s%s", s->name, phase_name[phase], s->detail ? " " : "",
		    s->detail ? s->detail : "");
out:
	jv_free(prov);
	jv_free(inst);
	return phase >= 0;
}

static int
rows(void)
{
	struct winsize ws;

	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4)
		return ws.ws_row;
	return 24;
}

/* Redraw the block in place: up over the last drawing, clear, draw. */
static void
draw(void)
{
	int count[FAILED + 1] = { 0 };
	size_t nw = 4;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	for (size_t i = 0; i < nsrvs; i++) {
		count[srvs[i].phase]++;
		if (width(srvs[i].name) > nw)
			nw = width(srvs[i].name);
	}
	if (drawn > 0)
		fprintf(f, "\r\033[%dA", drawn);
	fprintf(f, "\r\033[J");
	drawn = 0;
	fprintf(f, "%zu server(s): %d ready, %d failed, %zu in progress\n", nsrvs,
	    count[READY], count[FAILED], nsrvs - count[READY] - count[FAILED]);
	drawn++;
	/* more servers than the screen holds: the counts are the view */
	if ((int)nsrvs <= rows() - 2) {
		for (size_t i = 0; i < nsrvs; i++) {
			fprintf(f, "  %s%*s  %s%s%s\n", srvs[i].name,
			    (int)(nw - width(srvs[i].name)), "", phase_name[srvs[i].phase],
			    srvs[i].detail && *srvs[i].detail ? ": " : "",
			    srvs[i].detail ? srvs[i].detail : "");
			drawn++;
		}
	}
	fclose(f);
	/* one write: the block never tears */
	for (size_t off = 0; off < len; ) {
		ssize_t w = write(2, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += w;
	}
	free(buf);
}

int
progress(int nfiles, char **files, const char *until)
{
	struct ip_reader **r = ip_xcalloc(nfiles, sizeof(*r));
	int tty = isatty(2) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
	int finishing = 0, bad = 0;

	for (int i = 0; i < nfiles; i++) {
		r[i] = ip_reader_open(files[i]);
		ip_reader_follow(r[i], 1);
	}
	for (;;) {
		int changed = 0, rc;
		jv o;
		/* the until file is looked at before the last read, so nothing
		 * written before it appeared is missed */
		if (!finishing && until && access(until, F_OK) == 0) {
			finishing = 1;
			for (int i = 0; i < nfiles; i++)
				ip_reader_follow(r[i], 0);
		}
		for (int i = 0; i < nfiles; i++) {
			while ((rc = ip_reader_next(r[i], &o)) != IP_EOF && rc != IP_AGAIN) {
				if (rc == IP_BAD) {
					bad = 1;
					continue;
				}
				changed |= update(o, tty);
				jv_free(o);
			}
		}
		if (tty && changed)
			draw();
		if (finishing || until == NULL)
			break;
		nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	}
	for (int i = 0; i < nfiles; i++)
		ip_reader_close(r[i]);
	free(r);
	for (size_t i = 0; i < nsrvs; i++) {
		free(srvs[i].name);
		free(srvs[i].detail);
	}
	free(srvs);
	return bad ? IP_EXIT_ITEM : 0;
}
