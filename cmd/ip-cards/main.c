/* ip-cards: a printable handout card per server (one self-contained HTML
 * file: domain, Element URL and its QR code, SSH login, password, host key),
 * or with --json the server objects with their password and host key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "password.h"
#include "server.h"
#include "stream.h"

static const char usage[] =
    "[-c config] [-q] [-v] [--json] [--paper a4|letter] [--known-hosts FILE]\n"
    "       [--ssh-port N] [file ...]\n"
    "  --json              print the server objects with password and host_key\n"
    "                      instead of HTML (the passwords in clear: keep it safe)\n"
    "  --paper SIZE        a4 (default) or letter; 8 cards a page either way\n"
    "  --known-hosts FILE  host keys as ip-provision recorded them\n"
    "                      (default $XDG_STATE_HOME/install-party/NS/known_hosts)\n"
    "  --ssh-port N        the servers' SSH port (default 22)\n"
    "  files: NDJSON streams of server objects, as ip-join writes them (default: stdin)";

enum { O_JSON = 1100, O_PAPER, O_KH, O_SSHPORT };

#define PER_PAGE 8

struct card {
	char *domain, *hostkey, *keytype;
	const char *password;	/* borrowed from lib/password.c; NULL when shared */
};

static struct {
	const struct ip_config *cfg;
	const char *known_hosts;
	int json, letter, ssh_port, hs_port;
} opt;

static struct card *cards;
static size_t ncards;
static int rval;

/* Text into HTML, element content and attribute values alike. */
static void
esc(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		case '\'': fputs("&#39;", stdout); break;
		default: putchar(*s);
		}
	}
}

/* A URL may wrap after its dots and slashes rather than anywhere. */
static void
esc_wbr(const char *s)
{
	for (char one[2] = { 0, 0 }; *s; s++) {
		one[0] = *s;
		esc(one);
		if ((*s == '.' || *s == '/') && s[1] && s[1] != '/')
			fputs("<wbr>", stdout);
	}
}

/* The QR code as inline SVG: one path, a run of dark modules per
 * subpath, with the 4-module quiet zone the standard asks for. */
static void
qr_svg(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);

	if (q == NULL) {
		fputs("<div class=\"noqr\">(no QR code: the URL is too long)</div>", stdout);
		return;
	}
	int w = q->width, side = w + 8;
	printf("<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code of the Element URL\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	    side, side, side, side);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			if (!(q->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (q->data[y * w + x + run] & 1))
				run++;
			printf("M%d %dh%dv1h-%dz", x + 4, y + 4, run, run);
			x += run;
		}
	}
	fputs("\"/></svg>", stdout);
	QRcode_free(q);
}

/* "ssh-ed25519" -> "ED25519", as ssh names it when it asks. */
static const char *
key_label(const char *type)
{
	if (strcmp(type, "ssh-ed25519") == 0)
		return "ED25519";
	if (strncmp(type, "ecdsa-", 6) == 0)
		return "ECDSA";
	if (strcmp(type, "ssh-rsa") == 0)
		return "RSA";
	return type;
}

static const char style[] =
    "*{box-sizing:border-box}\n"
    "html,body{margin:0;padding:0}\n"
    "body{background:#8a8a8a;color:#000;font:9pt/1.25 \"DejaVu Sans\",\"Liberation Sans\",Arial,sans-serif;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    ".page{width:%s;height:%s;margin:8mm auto;background:#fff;display:grid;"
    "grid-template-columns:repeat(2,100mm);grid-template-rows:repeat(4,66mm);"
    "justify-content:center;align-content:center;break-after:page;overflow:hidden}\n"
    ".page:last-child{break-after:auto}\n"
    /* cut lines: every card has its right and bottom edge, the first
     * column its left and the first row its top, so no line is doubled */
    ".card{border-right:.3mm dashed #888;border-bottom:.3mm dashed #888;padding:4.5mm 5mm;"
    "display:grid;grid-template-columns:1fr 25mm;grid-template-rows:auto auto 1fr;column-gap:3mm;"
    "overflow:hidden;break-inside:avoid}\n"
    ".card:nth-child(odd){border-left:.3mm dashed #888}\n"
    ".card:nth-child(-n+2){border-top:.3mm dashed #888}\n"
    ".head{grid-column:1/span 2;min-width:0}\n"
    ".top{grid-column:1;grid-row:2;min-width:0}\n"
    ".qr,.noqr{grid-column:2;grid-row:2;width:25mm;height:25mm}\n"
    ".bottom{grid-column:1/span 2;grid-row:3;min-width:0;margin-top:1mm}\n"
    ".event{font-size:6.5pt;color:#555;text-transform:uppercase;letter-spacing:.08em}\n"
    ".domain{font-size:11pt;font-weight:bold;overflow-wrap:anywhere;margin:.3mm 0 .5mm}\n"
    ".k{font-size:6pt;color:#555;text-transform:uppercase;letter-spacing:.06em;margin-top:1mm}\n"
    ".v{overflow-wrap:anywhere}\n"
    ".url,.bottom .mono{font-size:8pt}\n"
    ".url{font-size:7.5pt}\n"
    ".mono{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace}\n"
    ".pw{font-size:13pt;font-weight:bold;letter-spacing:.06em;white-space:nowrap}\n"
    ".given{font-style:italic}\n"
    ".fp{font-size:6.5pt;word-break:break-all}\n"
    ".note{font-size:6.5pt;color:#333;margin-top:1.2mm}\n"
    ".none{font-size:7pt;color:#555}\n"
    "@media print{body{background:none}.page{margin:0}}\n"
    "@page{size:%s;margin:0}\n";

static void
put_card(const struct card *c)
{
	const char *user = opt.cfg->user;
	char *url = ip_xasprintf("https://%s/", c->domain);

	fputs("<div class=\"card\">\n<div class=\"head\"><div class=\"event\">", stdout);
	esc(opt.cfg->namespace);
	fputs("</div>\n<div class=\"domain\">", stdout);
	esc(c->domain);
	fputs("</div></div>\n<div class=\"top\">", stdout);
	fputs("<div class=\"k\">Element (web client)</div><div class=\"v mono url\">", stdout);
	esc_wbr(url);
	fputs("</div>\n<div class=\"k\">Password</div>", stdout);
	if (c->password) {
		fputs("<div class=\"v mono pw\">", stdout);
		esc(c->password);
	} else
		fputs("<div class=\"v given\">the one given by the host", stdout);
	fputs("</div></div>\n", stdout);
	qr_svg(url);
	fputs("\n<div class=\"bottom\"><div class=\"k\">SSH login</div><div class=\"v mono\">ssh ", stdout);
	if (opt.ssh_port != 22)
		printf("-p %d ", opt.ssh_port);
	esc(user);
	putchar('@');
	esc(c->domain);
	fputs("</div>\n", stdout);
	if (c->hostkey) {
		fputs("<div class=\"k\">Host key", stdout);
		if (c->keytype) {
			fputs(" (", stdout);
			esc(key_label(c->keytype));
			putchar(')');
		}
		fputs(": ssh shows it at the first login; it must match</div>"
		    "<div class=\"v mono fp\">", stdout);
		esc(c->hostkey);
	} else
		fputs("<div class=\"k\">Host key</div><div class=\"v none\">"
		    "not recorded yet: ask the host before the first login", stdout);
	printf("</div>\n<div class=\"note\">Your homeserver: listen on 127.0.0.1:%d "
	    "(plain HTTP); Caddy forwards /_matrix/ on ports 443 and 8448 to it.</div>"
	    "</div>\n</div>\n", opt.hs_port);
	free(url);
}

static void
put_document(void)
{
	const char *w = opt.letter ? "215.9mm" : "210mm", *h = opt.letter ? "279.4mm" : "297mm";

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n<title>", stdout);
	esc(opt.cfg->namespace);
	fputs(": install party cards</title>\n<style>\n", stdout);
	printf(style, w, h, opt.letter ? "letter" : "A4");
	fputs("</style>\n</head>\n<body>\n", stdout);
	for (size_t i = 0; i < ncards; i++) {
		if (i % PER_PAGE == 0)
			fputs("<section class=\"page\">\n", stdout);
		put_card(&cards[i]);
		if (i % PER_PAGE == PER_PAGE - 1 || i + 1 == ncards)
			fputs("</section>\n", stdout);
	}
	fputs("</body>\n</html>\n", stdout);
}

/* The host key ip-provision recorded, else the one a create stream carries. */
static void
host_key(jv item, const char *name, struct card *c)
{
	char *addr = ip_server_address(item), *err = NULL;
	struct ip_host_key k;

	if (addr) {
		int rc = ip_known_host_key(opt.known_hosts, addr, opt.ssh_port, &k, &err);
		if (rc < 0) {
			ip_warn("%s: %s", name, err);
			free(err);
			rval = IP_EXIT_ITEM;
		} else if (rc > 0) {
			c->hostkey = ip_xstrdup(k.fp);
			c->keytype = ip_xstrdup(k.type);
		}
		free(addr);
	}
	if (!c->hostkey) {
		jv p = ip_get_obj(item, "provision");
		const char *fp = jv_get_kind(p) == JV_KIND_OBJECT ? ip_get_str(p, "host_key") : NULL;
		if (fp)
			c->hostkey = ip_xstrdup(fp);
		jv_free(p);
	}
	if (!c->hostkey)
		ip_debug("%s: no host key recorded in %s", name, opt.known_hosts);
}

static void
item(jv o, const char *where)
{
	int is_server = ip_get_type(o, "server");

	if (!is_server && !ip_get_type(o, "instance")) {
		if (opt.json)
			ip_emit(o);
		else
			jv_free(o);
		return;
	}
	const char *name = ip_get_str(o, "name"), *domain = ip_get_str(o, "domain");
	const char *state = is_server ? ip_get_str(o, "state") : NULL;
	if (!name || !*name || !domain || !*domain) {
		ip_warn("%s: %s: no %s: no card", where, name && *name ? name : "(no name)",
		    name && *name ? "domain" : "name");
		rval = IP_EXIT_ITEM;
		jv_free(o);
		return;
	}
	if (state && strcmp(state, "complete") != 0 && strcmp(state, "mismatch") != 0) {
		ip_info("%s: %s: no card", name, state);
		if (opt.json)
			ip_emit(o);
		else
			jv_free(o);
		return;
	}
	struct card c = { 0 };
	c.domain = ip_xstrdup(domain);
	if (opt.cfg->passwords == IP_PASSWORDS_PER_SERVER)
		c.password = ip_password_for(opt.cfg, name);
	host_key(o, name, &c);
	if (opt.json) {
		o = jv_object_set(o, jv_string("password"),
		    c.password ? jv_string(c.password) : jv_null());
		o = jv_object_set(o, jv_string("host_key"),
		    c.hostkey ? jv_string(c.hostkey) : jv_null());
		o = jv_object_set(o, jv_string("host_key_type"),
		    c.keytype ? jv_string(c.keytype) : jv_null());
		ip_emit(o);
		free(c.domain);
		free(c.hostkey);
		free(c.keytype);
		return;
	}
	jv_free(o);
	cards = ip_xrealloc(cards, (ncards + 1) * sizeof(*cards));
	cards[ncards++] = c;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "json", no_argument, NULL, O_JSON },
		{ "paper", required_argument, NULL, O_PAPER },
		{ "known-hosts", required_argument, NULL, O_KH },
		{ "ssh-port", required_argument, NULL, O_SSHPORT },
		{ NULL, 0, NULL, 0 },
	};
	const char *kh = NULL;
	int c;

	ip_log_init(argv[0]);
	opt.ssh_port = 22;
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT, longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		switch (c) {
		case O_JSON: opt.json = 1; break;
		case O_PAPER:
			if (strcmp(optarg, "a4") && strcmp(optarg, "A4") && strcmp(optarg, "letter")) {
				ip_warn("--paper: expected a4 or letter");
				ip_usage_error(usage);
			}
			opt.letter = strcmp(optarg, "letter") == 0;
			break;
		case O_KH: kh = optarg; break;
		case O_SSHPORT: opt.ssh_port = ip_cli_long("--ssh-port", optarg, 1, 65535); break;
		default: ip_usage_error(usage);
		}
	}
	struct ip_config *cfg = ip_config_load(ip_config_path);
	opt.cfg = cfg;
	opt.hs_port = ip_config_int_or(cfg, "general.homeserver_port", 8008, 1, 65535);
	char *khpath = kh ? ip_xstrdup(kh) : ip_known_hosts_path(cfg->namespace);
	opt.known_hosts = khpath;

	int nfiles = argc - optind;
	for (int i = 0; i < (nfiles > 0 ? nfiles : 1); i++) {
		struct ip_reader *r = ip_reader_open(nfiles > 0 ? argv[optind + i] : "-");
		jv o;
		int rc;
		while ((rc = ip_reader_next(r, &o)) != IP_EOF)
			if (rc == IP_ITEM)
				item(o, ip_reader_where(r));
		if (ip_reader_errors(r) > 0)
			rval = IP_EXIT_ITEM;
		ip_reader_close(r);
	}
	if (!opt.json) {
		if (ncards == 0) {
			ip_warn("no server to make a card for");
			rval = IP_EXIT_ITEM;
		}
		put_document();
		ip_info("%zu card(s) on %zu page(s)", ncards, (ncards + PER_PAGE - 1) / PER_PAGE);
	}
	for (size_t i = 0; i < ncards; i++) {
		free(cards[i].domain);
		free(cards[i].hostkey);
		free(cards[i].keytype);
	}
	free(cards);
	free(khpath);
	ip_config_free(cfg);
	if (fflush(stdout) != 0 || ferror(stdout))
		ip_die(IP_EXIT_FATAL, "standard output: %s", strerror(errno));
	return rval;
}
