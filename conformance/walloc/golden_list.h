/* What check_walloc.c and check_walloc_audio.c share: the `check` pass over a list
 * of `NAME KIND VALUE` lines (KIND latents or error), each golden stream looked up
 * by name in the checker's table and checked by its check_one(), and main's
 * `make|check DIR`. */
#ifndef NC_CONFORMANCE_WALLOC_GOLDEN_LIST_H
#define NC_CONFORMANCE_WALLOC_GOLDEN_LIST_H

#include <stdio.h>
#include <string.h>

#include "nc/log.h"

/* Runs check_one(dir, index, kind, value) for each line of dir/list, index into the
 * table of count names (stride bytes apart, each starting with its name pointer).
 * Returns the exit status: 0 when every line passed and there was one. */
static inline int walloc_check_list(const char *dir, const char *list, const void *table,
                                    size_t count, size_t stride,
                                    int (*check_one)(const char *dir, size_t index,
                                                     const char *kind, const char *value))
{
    char path[4096], name[256], kind[16], value[128];
    snprintf(path, sizeof(path), "%s/%s", dir, list);
    FILE *exp = fopen(path, "r");
    if (!exp) {
        printf("cannot read %s\n", path);
        return 1;
    }
    int failures = 0, lines = 0;
    while (fscanf(exp, "%255s %15s %127s%*[^\n]", name, kind, value) == 3) {
        size_t found = count;
        for (size_t i = 0; i < count; i++)
            if (!strcmp(*(const char *const *)((const char *)table + i * stride), name)) found = i;
        if (found == count) {
            printf("FAIL: %s is not a known golden stream\n", name);
            failures++;
            continue;
        }
        failures += !check_one(dir, found, kind, value);
        lines++;
    }
    fclose(exp);
    return failures || !lines;
}

/* The checkers' main: `NAME make DIR` runs make(DIR), `NAME check DIR` the check
 * pass over DIR/list; the exit status. */
static inline int walloc_checker_main(int argc, char **argv, const char *name,
                                      int (*make)(const char *dir), const char *list,
                                      const void *table, size_t count, size_t stride,
                                      int (*check_one)(const char *dir, size_t index,
                                                       const char *kind, const char *value))
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s make|check DIR\n", name);
        return 2;
    }
    nc_log_set_level(NC_LOG_QUIET);
    return !strcmp(argv[1], "make") ? make(argv[2])
                                    : walloc_check_list(argv[2], list, table, count, stride, check_one);
}

#endif
