/* What the entropy tests share: the harness (tests/test.h) and the recipes. */
#ifndef NC_TESTS_ENTROPY_TEST_UTIL_H
#define NC_TESTS_ENTROPY_TEST_UTIL_H

#include "entropy/periodic_model.h"
#include "tests/support/recipes.h"
#include "tests/test.h"

/* Every bucket of a periodic table starts inside the symbol it names (built first if
 * the decoder has not needed them since the last rebuild). */
static inline int periodic_buckets_consistent(RCPeriodicTable *t)
{
    if (!t->buckets_ready) rc_periodic_build_buckets(t);
    uint32_t nb = ((uint32_t)1 << t->prec) >> t->bucket_shift;
    for (uint32_t j = 0; j < nb; j++) {
        uint32_t pos = j << t->bucket_shift, s = t->bucket[j];
        if (s >= t->nsyms || t->cum[s] > pos || t->cum[s + 1] <= pos) return 0;
    }
    return 1;
}

#endif
