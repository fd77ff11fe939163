/* Small helpers shared by the entropy tests. */
#ifndef NC_TESTS_ENTROPY_TEST_UTIL_H
#define NC_TESTS_ENTROPY_TEST_UTIL_H

#include <stdio.h>

#include "conformance/entropy/recipes.h"

static int test_failures;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
            test_failures++;                                                  \
        }                                                                     \
    } while (0)

static inline int test_result(const char *name)
{
    printf("%s: %s\n", name, test_failures ? "FAILED" : "ok");
    return test_failures ? 1 : 0;
}

#endif
