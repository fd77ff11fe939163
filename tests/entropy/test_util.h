/* What the entropy tests share: the harness (tests/test.h) and the recipes. */
#ifndef NC_TESTS_ENTROPY_TEST_UTIL_H
#define NC_TESTS_ENTROPY_TEST_UTIL_H

#include "tests/support/recipes.h"
#include "tests/test.h"

#endif
