/* stream: NDJSON reading line by line and writing one line per write(2). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "stream.h"

struct ip_reader {
	char *name;
	int fd, eof, nonblock, skipping, follow;
	char *buf;
	size_t len, cap, off;
	unsigned long line;	/* number of the last line taken */
	int errors;
	char where[512];
};

struct ip_reader *
ip_reader_open(const char *path)
{
	struct ip_reader *r = ip_xcalloc(1, sizeof(*r));

	if (path == NULL || strcmp(path, "-") == 0) {
		r->fd = 0;
		r->name = ip_xstrdup("<stdin>");
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			ip_die(IP_EXIT_FATAL, "%s: %s", path, strerror(errno));
		r->name = ip_xstrdup(path);
	}
	r->cap = 65536;
	r->buf = ip_xmalloc(r->cap);
	return r;
}

void
ip_reader_nonblock(struct ip_reader *r)
{
	int fl = fcntl(r->fd, F_GETFL);

	if (fl >= 0)
		fcntl(r->fd, F_SETFL, fl | O_NONBLOCK);
	r->nonblock = 1;
}

int ip_reader_fd(const struct ip_reader *r) { return r->fd; }
void ip_reader_follow(struct ip_reader *r, int on) { r->follow = on; }
int ip_reader_errors(const struct ip_reader *r) { return r->errors; }

const char *
ip_reader_where(const struct ip_reader *r)
{
	return r->where;
}

static int
bad(struct ip_reader *r, const char *why)
{
	r->errors++;
	snprintf(r->where, sizeof(r->where), "%s:%lu", r->name, r->line);
	ip_warn("%s: %s", r->where, why);
	return IP_BAD;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, cp, min;
		if (c < 0x80) { i++; continue; }
		else if ((c & 0xe0) == 0xc0) { need = 1; cp = c & 0x1f; min = 0x80; }
		else if ((c & 0xf0) == 0xe0) { need = 2; cp = c & 0x0f; min = 0x800; }
		else if ((c & 0xf8) == 0xf0) { need = 3; cp = c & 0x07; min = 0x10000; }
		else return 0;
		if (i + need >= n)
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* jq 1.6 leaks on some invalid JSON: value() in src/jv_parse.c returns
 * "Expected separator between values" without freeing the value it was
 * given, so the string "a" of [1"a"] is lost (fixed upstream in jq 1.7).
 * So every text is parsed here first, by a function that keeps nothing:
 * tests/lsan.supp names this function alone, which hides that leak and no
 * leak of ours (whatever we keep is parsed again, outside it).  Returns 1
 * for exactly one value, 0 for invalid JSON, 2 for more than one value. */
__attribute__((noinline)) static int
ip_json_probe_jq16_leak(const char *s, size_t n)
{
	jv_parser *p = jv_parser_new(0);
	jv v, extra;
	int rc = 0;

	jv_parser_set_buf(p, s, n, 0);
	v = jv_parser_next(p);
	if (jv_is_valid(v)) {
		extra = jv_parser_next(p);
		rc = jv_is_valid(extra) || jv_invalid_has_msg(jv_copy(extra)) ? 2 : 1;
		jv_free(extra);
	}
	jv_free(v);
	jv_parser_free(p);
	return rc;
}

jv
ip_json_parse(const char *s, size_t n, const char **why)
{
	jv_parser *p;
	jv v;
	int rc = s && n ? ip_json_probe_jq16_leak(s, n) : 0;

	if (why)
		*why = rc == 2 ? "more than one JSON value" : "invalid JSON";
	if (rc != 1)
		return jv_invalid();
	/* known good: one value and nothing after it, so one call takes it */
	p = jv_parser_new(0);
	jv_parser_set_buf(p, s, n, 0);
	v = jv_parser_next(p);
	jv_parser_free(p);
	if (!jv_is_valid(v)) {	/* cannot happen after the probe */
		jv_free(v);
		return jv_invalid();
	}
	if (why)
		*why = NULL;
	return v;
}

/* Parse one line on its own: a chunked jv_parser drops everything after
 * a syntax error, and jv_parse's own message quotes the input. */
static int
parse_line(struct ip_reader *r, char *s, size_t n, jv *out)
{
	const char *why;
	jv v;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 0)
		return IP_AGAIN;	/* blank: skip */
	if (!utf8_ok((unsigned char *)s, n))
		return bad(r, "invalid UTF-8");
	v = ip_json_parse(s, n, &why);
	if (!jv_is_valid(v)) {
		jv_free(v);
		return bad(r, strcmp(why, "invalid JSON") ? "more than one JSON value on the line" : why);
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return bad(r, "not a JSON object");
	}
	*out = v;
	return IP_ITEM;
}

int
ip_reader_next(struct ip_reader *r, jv *out)
{
	for (;;) {
		char *nl = memchr(r->buf + r->off, '\n', r->len - r->off);
		if (nl != NULL || (r->eof && r->len > r->off)) {
			char *s = r->buf + r->off;
			size_t n = nl ? (size_t)(nl - s) : r->len - r->off;
			int rc, skipping = r->skipping;
			r->off += nl ? n + 1 : n;
			r->skipping = 0;
			r->line++;
			if (skipping)
				continue;	/* the rest of an over-long line */
			if (n > IP_MAX_LINE)
				return bad(r, "line too long");
			/* A last line without newline is fine if it parses. */
			snprintf(r->where, sizeof(r->where), "%s:%lu", r->name, r->line);
			rc = parse_line(r, s, n, out);
			if (rc == IP_AGAIN)
				continue;
			return rc;
		}
		if (r->eof)
			return IP_EOF;
		/* Compact, then grow within the line limit. */
		if (r->off > 0) {
			memmove(r->buf, r->buf + r->off, r->len - r->off);
			r->len -= r->off;
			r->off = 0;
		}
		if (r->len > IP_MAX_LINE + 1) {
			/* Over-long: report once, drop it, skip to its newline;
			 * the caller sees IP_BAD as for any bad line. */
			int report = !r->skipping;
			r->len = 0;
			if (report) {
				r->line++;
				bad(r, "line too long");
				r->line--;	/* counted again when its newline comes */
				r->skipping = 1;
				return IP_BAD;
			}
		}
		if (r->cap - r->len < 65536) {
			r->cap *= 2;
			r->buf = ip_xrealloc(r->buf, r->cap);
		}
		ssize_t got = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return IP_AGAIN;
			ip_warn("%s: %s", r->name, strerror(errno));
			r->errors++;
			r->eof = 1;
			continue;
		}
		if (got == 0 && r->follow)
			return IP_AGAIN;	/* more may be written later */
		if (got == 0)
			r->eof = 1;
		r->len += got;
		if (r->nonblock && got > 0 && !memchr(r->buf + r->len - got, '\n', got))
			return IP_AGAIN;
	}
}

void
ip_reader_close(struct ip_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd > 0)
		close(r->fd);
	free(r->buf);
	free(r->name);
	free(r);
}

void
ip_write(const char *buf, size_t n)
{
	size_t off = 0;

	fflush(stdout);		/* keep the order of anything stdio holds */
	while (off < n) {
		ssize_t w = write(1, buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			ip_die(IP_EXIT_FATAL, "stdout: %s", strerror(errno));
		off += w;
	}
}

void
ip_print(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ip_vxasprintf(fmt, ap);
	va_end(ap);
	ip_write(s, strlen(s));
	free(s);
}

void
ip_stdout_close(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		ip_die(IP_EXIT_FATAL, "stdout: %s", strerror(errno ? errno : EIO));
}

void
ip_emit(jv obj)
{
	jv s = jv_dump_string(obj, 0);
	const char *p = jv_string_value(s);
	size_t n = jv_string_length_bytes(jv_copy(s));
	char *line = ip_xmalloc(n + 1);

	memcpy(line, p, n);
	line[n++] = '\n';
	jv_free(s);
	ip_write(line, n);
	free(line);
}

const char *
ip_get_str(jv obj, const char *key)
{
	const char *s = NULL;
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return NULL;
	v = jv_object_get(jv_copy(obj), jv_string(key));
	/* The string lives inside obj, so the pointer stays valid while obj does. */
	s = ip_str(v);
	jv_free(v);
	return s;
}

const char *
ip_str(jv v)
{
	const char *s;

	if (jv_get_kind(v) != JV_KIND_STRING)
		return NULL;
	s = jv_string_value(v);
	if (strlen(s) != (size_t)jv_string_length_bytes(jv_copy(v)))
		return NULL;
	return s;
}

int
ip_get_type(jv obj, const char *type)
{
	const char *t = ip_get_str(obj, "type");

	return t != NULL && strcmp(t, type) == 0;
}

jv
ip_get(jv obj, const char *key)
{
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_null();
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_null();
	}
	return v;
}

jv
ip_get_obj(jv obj, const char *key)
{
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_null();
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_null();
	}
	return v;
}

/* jq 1.6 keeps numbers as doubles: integers too long for one are quoted. */
jv
ip_json_parse_ids(const char *s, size_t len)
{
	char *buf, *w;
	int instr = 0, esc = 0;
	jv v;

	if (s == NULL || len == 0)
		return jv_invalid();
	buf = w = ip_xmalloc(len * 2 + 1);
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (instr) {
			*w++ = ch;
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				instr = 0;
			continue;
		}
		if (ch == '"')
			instr = 1;
		if (isdigit((unsigned char)ch) && (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
		    (i == 0 || (s[i - 1] != '.' && s[i - 1] != '-'))) {
			size_t j = i;
			while (j < len && isdigit((unsigned char)s[j]))
				j++;
			if (j - i > 15 && (j == len || !strchr(".eE", s[j]))) {
				*w++ = '"';
				memcpy(w, s + i, j - i);
				w += j - i;
				*w++ = '"';
				i = j - 1;
				continue;
			}
		}
		*w++ = ch;
	}
	v = ip_json_parse(buf, (size_t)(w - buf), NULL);
	free(buf);
	return v;
}
