/* Deterministic symbol recipes for the entropy conformance streams and tests.
 *
 * A recipe is a fixed program of coding calls (which models, which symbols) driven by
 * a small integer PRNG, so the same (recipe, seed) always produces the same symbols on
 * every platform. Encoding a recipe gives a stream; decoding runs the same program and
 * checks every decoded symbol against the one the generator expects. The golden
 * streams in conformance/entropy/streams/ are recipes at fixed seeds; the unit tests
 * run them at many seeds. */
#ifndef NC_CONFORMANCE_ENTROPY_RECIPES_H
#define NC_CONFORMANCE_ENTROPY_RECIPES_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: the generator of every recipe (spec: conformance/spec/entropy.md). */
typedef struct EntRng {
    uint64_t state;
} EntRng;

static inline uint32_t ent_rng_u32(EntRng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* Uniform in [0, n) for n >= 1 (multiply-shift; the tiny bias is irrelevant here). */
static inline uint32_t ent_rng_below(EntRng *r, uint32_t n)
{
    return (uint32_t)(((uint64_t)ent_rng_u32(r) * n) >> 32);
}

enum {
    ENT_RECIPE_STATIC16,   /* static CDFs, 256 symbols, precisions 1..16 */
    ENT_RECIPE_STATIC24,   /* 5000-symbol Zipf CDF at 24 bits (language-model sized) */
    ENT_RECIPE_ADAPTIVE,   /* adaptive CDFs (2, 16, 256 symbols) and binary contexts */
    ENT_RECIPE_BYPASS,     /* raw bits of every width and Exp-Golomb escapes */
    ENT_RECIPE_PARAMETRIC, /* Laplace, Gaussian, logistic tables with escapes */
    ENT_RECIPE_WINDOWS,    /* fixed 64-byte windows filled with mark/rewind */
    ENT_RECIPE_MIXED,      /* all range-coder symbol kinds interleaved at random */
    ENT_RECIPE_RANS_BYTES, /* rANS, one 12-bit byte model */
    ENT_RECIPE_RANS_MODELS,/* rANS, three models (8, 16, 20 bits) chosen per symbol */
    ENT_RECIPE_TABLES,     /* CDF tables sent in the stream, then symbols coded with them */
    ENT_RECIPE_COUNT_MODELS,     /* adaptive count models (2, 16, 256, 65536 symbols) with halvings */
    ENT_RECIPE_PERIODIC_MODELS,  /* periodic models (2 .. 65536 symbols, precisions 4..24, periods 0..10) */
    ENT_RECIPE_PERIODIC_MIX_MODELS, /* periodic mixtures (2 .. 65536 symbols, every share, periods 0..10) */
    ENT_RECIPE_COUNT
};

/* Short file-name-safe name of a recipe ("static16", ...); NULL if out of range. */
const char *ent_recipe_name(int id);

/* Encodes recipe id at seed into a new malloc'd buffer (*out, *size).
 * Returns 0 or a negative NC_E* code. */
int ent_recipe_encode(int id, uint64_t seed, uint8_t **out, size_t *size);

/* Decodes in[0 .. size) as recipe id at seed. Returns 0 if every symbol matched and the
 * decoder found the stream consistent, 1 if a symbol differed, or the decoder's
 * negative NC_E* code. Never reads outside in[0 .. size). */
int ent_recipe_decode(int id, uint64_t seed, const uint8_t *in, size_t size);

#endif
