/* Minimal test helpers shared by tests/dsp and tests/metric: CHECK prints the
 * failing condition and counts it; a test's main returns check_status(). */
#ifndef NC_TESTS_DSP_CHECK_H
#define NC_TESTS_DSP_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
            check_failures++;                                                            \
        }                                                                                \
    } while (0)

/* |got - want| <= tol, printing both values when it is not. */
#define CHECK_NEAR(got, want, tol)                                                       \
    do {                                                                                 \
        double got_ = (got), want_ = (want);                                             \
        if (!(fabs(got_ - want_) <= (tol))) {                                            \
            fprintf(stderr, "%s:%d: %s = %.9g, expected %.9g (tol %g)\n", __FILE__,       \
                    __LINE__, #got, got_, want_, (double)(tol));                         \
            check_failures++;                                                            \
        }                                                                                \
    } while (0)

static inline int check_status(void)
{
    if (check_failures)
        fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}

#endif
