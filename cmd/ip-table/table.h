/* ip-table: main.c (tables, summaries) calls progress.c (live view);
 * both use text.c. */
#ifndef IP_TABLE_H
#define IP_TABLE_H
#include <stddef.h>

/* text.c: display width of UTF-8 s; s with control characters as '?'. */
size_t width(const char *s);
char *clean(const char *s);
/* progress.c: the live view (-p); the exit status. */
int progress(int nfiles, char **files, const char *until);
int status_board(int nfiles, char **files, const char *html, int refresh);

#endif
