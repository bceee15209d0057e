/* ip-table: shared between the tables, the summaries and the live view. */
#ifndef IP_TABLE_H
#define IP_TABLE_H
#include <stddef.h>

size_t width(const char *s);
char *clean(const char *s);
int progress(int nfiles, char **files, const char *until);

#endif
