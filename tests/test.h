/* A minimal test harness: CHECK() records a failure with its place and goes on,
 * so one run reports every broken expectation. main() returns test_result(). */
#ifndef NC_TEST_H
#define NC_TEST_H

#include <stdio.h>

static int test_failures;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);       \
            test_failures++;                                                            \
        }                                                                                  \
    } while (0)

#define CHECK_EQ(a, b)                                                                     \
    do {                                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                                \
        if (a_ != b_) {                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld vs %lld)\n", __FILE__,    \
                    __LINE__, #a, #b, a_, b_);                                             \
            test_failures++;                                                            \
        }                                                                                  \
    } while (0)

static inline int test_result(const char *name)
{
    if (test_failures) fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
    return test_failures ? 1 : 0;
}

#endif
