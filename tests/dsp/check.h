/* CHECK_NEAR for float results, on top of tests/test.h's CHECK; shared by
 * tests/dsp and tests/metric. */
#ifndef NC_TESTS_DSP_CHECK_H
#define NC_TESTS_DSP_CHECK_H

#include <math.h>
#include <stdio.h>

#include "tests/test.h"

/* |got - want| <= tol, printing both values when it is not. */
#define CHECK_NEAR(got, want, tol)                                                       \
    do {                                                                                 \
        double got_ = (got), want_ = (want);                                             \
        if (!(fabs(got_ - want_) <= (tol))) {                                            \
            fprintf(stderr, "%s:%d: %s = %.9g, expected %.9g (tol %g)\n", __FILE__,       \
                    __LINE__, #got, got_, want_, (double)(tol));                         \
            test_failures++;                                                          \
        }                                                                                \
    } while (0)

#endif
