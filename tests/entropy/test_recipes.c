/* Every conformance recipe at many seeds: encode, decode and compare, then check that
 * truncated and damaged streams are reported (or at least decoded safely). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/recipes.h"
#include "nc/error.h"

#define SEEDS 12

int main(void)
{
    int failures = 0;
    for (int id = 0; id < ENT_RECIPE_COUNT; id++) {
        int truncated_ok = 0, damaged_flagged = 0, damaged_runs = 0;
        for (uint64_t seed = 1; seed <= SEEDS; seed++) {
            uint8_t *buf = NULL;
            size_t size = 0;
            int ret = ent_recipe_encode(id, seed, &buf, &size);
            if (ret) {
                printf("FAIL %s seed %d: encode returned %d\n", ent_recipe_name(id), (int)seed, ret);
                failures++;
                continue;
            }
            ret = ent_recipe_decode(id, seed, buf, size);
            if (ret) {
                printf("FAIL %s seed %d: decode returned %d\n", ent_recipe_name(id), (int)seed, ret);
                failures++;
            }
            /* Truncation by one byte, and by half: every recipe must notice. */
            truncated_ok += ent_recipe_decode(id, seed, buf, size - 1) != 0;
            truncated_ok += ent_recipe_decode(id, seed, buf, size / 2) != 0;
            /* A flipped byte: the decoder must stay in bounds (ASan checks that) and
             * nearly always reports it (a changed symbol counts too). */
            EntRng r = {seed};
            for (int k = 0; k < 4; k++) {
                uint8_t *bad = malloc(size);
                memcpy(bad, buf, size);
                bad[ent_rng_below(&r, (uint32_t)size)] ^= (uint8_t)(1 + ent_rng_below(&r, 255));
                damaged_flagged += ent_recipe_decode(id, seed, bad, size) != 0;
                damaged_runs++;
                free(bad);
            }
            free(buf);
        }
        printf("%-12s round trips ok, truncations flagged %d/%d, damage flagged %d/%d\n",
               ent_recipe_name(id), truncated_ok, 2 * SEEDS, damaged_flagged, damaged_runs);
        if (truncated_ok != 2 * SEEDS) {
            printf("FAIL %s: a truncated stream decoded as valid\n", ent_recipe_name(id));
            failures++;
        }
        if (damaged_flagged < damaged_runs * 9 / 10) {
            printf("FAIL %s: damage went unnoticed too often\n", ent_recipe_name(id));
            failures++;
        }
    }
    return failures ? 1 : 0;
}
