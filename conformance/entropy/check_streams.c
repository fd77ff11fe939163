/* Entropy conformance: the golden streams in streams/ must decode to their recipe's
 * symbols, must be exactly what the encoder produces today, and must be rejected when
 * truncated.
 *
 *   check_streams STREAMS_DIR            check every recipe (exit 0 if all pass)
 *   check_streams --write STREAMS_DIR    regenerate the streams (only with a
 *                                        bitstream version bump, see the spec) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/recipes.h"

/* Golden streams use seed GOLDEN_SEED_BASE + recipe id. */
#define GOLDEN_SEED_BASE 1000

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0;
    *size = 0;
    for (;;) {
        if (*size == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(buf, cap);
            if (!grown) break;
            buf = grown;
        }
        size_t got = fread(buf + *size, 1, cap - *size, f);
        if (!got) break;
        *size += got;
    }
    fclose(f);
    return buf;
}

static int check(const char *dir, int id)
{
    const char *name = ent_recipe_name(id);
    uint64_t seed = GOLDEN_SEED_BASE + (uint64_t)id;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
    size_t size;
    uint8_t *golden = read_file(path, &size);
    if (!golden) {
        printf("FAIL %s: cannot read %s\n", name, path);
        return 1;
    }
    int failures = 0;
    int ret = ent_recipe_decode(id, seed, golden, size);
    if (ret) {
        printf("FAIL %s: golden stream decodes with %d\n", name, ret);
        failures++;
    }
    uint8_t *fresh = NULL;
    size_t fresh_size = 0;
    ret = ent_recipe_encode(id, seed, &fresh, &fresh_size);
    if (ret || fresh_size != size || memcmp(fresh, golden, size)) {
        printf("FAIL %s: encoder output differs from the golden stream (%zu vs %zu bytes)\n",
               name, fresh_size, size);
        failures++;
    }
    if (size && ent_recipe_decode(id, seed, golden, size - 1) == 0) {
        printf("FAIL %s: stream truncated by one byte decodes as valid\n", name);
        failures++;
    }
    if (!failures) printf("ok   %-12s %7zu bytes\n", name, size);
    free(fresh);
    free(golden);
    return failures;
}

static int write_stream(const char *dir, int id)
{
    uint8_t *buf;
    size_t size;
    if (ent_recipe_encode(id, GOLDEN_SEED_BASE + (uint64_t)id, &buf, &size)) return 1;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.bin", dir, ent_recipe_name(id));
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(buf, 1, size, f) != size;
    if (f && fclose(f)) bad = 1;
    free(buf);
    printf("%s %s (%zu bytes)\n", bad ? "FAILED to write" : "wrote", path, size);
    return bad;
}

int main(int argc, char **argv)
{
    int write = argc == 3 && !strcmp(argv[1], "--write");
    if (argc != 2 && !write) {
        fprintf(stderr, "usage: %s [--write] STREAMS_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[argc - 1];
    int failures = 0;
    for (int id = 0; id < ENT_RECIPE_COUNT; id++)
        failures += write ? write_stream(dir, id) : check(dir, id);
    return failures ? 1 : 0;
}
