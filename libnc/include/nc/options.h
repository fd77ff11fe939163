/* Typed, range-checked codec options (the AVOption idea, smaller). Each codec
 * lists its options in NCCodec.options; they are set by name on a context
 * between nc_codec_alloc_context() and nc_codec_open(). */
#ifndef NC_OPTIONS_H
#define NC_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "nc/export.h"

enum NCOptionType {
    NC_OPT_INT = 1,    /* integer within [min, max] (which lie within int) */
    NC_OPT_FLOAT = 2,  /* double within [min, max] */
    NC_OPT_BOOL = 3,   /* 0/1, "true"/"false", "yes"/"no", "on"/"off" */
    NC_OPT_STRING = 4, /* any string (max bytes) */
    NC_OPT_ENUM = 5,   /* one of enum_values by name; stored as its int value */
};

typedef struct NCOptionEnumValue {
    const char *name;
    int value;
    const char *help;
} NCOptionEnumValue;

typedef struct NCOption {
    const char *name;
    const char *help;
    enum NCOptionType type;
    /* Where the value lives in the codec's private context (internal): an int for
     * INT, BOOL and ENUM, a double for FLOAT, a char * owned by the context for STRING. */
    size_t offset;
    union {
        int64_t i;
        double f;
        const char *s;
    } default_value;      /* i for INT, BOOL, ENUM; f for FLOAT; s for STRING */
    double min, max;      /* INT, FLOAT bounds (inclusive); STRING: max length */
    const NCOptionEnumValue *enum_values; /* ENUM: ended by a NULL name */
    const char *unit;     /* "bit/s", "Hz", ... or NULL */
} NCOption;

struct NCCodec;
struct NCCodecContext;

#ifdef __cplusplus
extern "C" {
#endif

/* The option `name` of codec, or NULL. */
NC_API const NCOption *nc_opt_find(const struct NCCodec *codec, const char *name);
/* Iterates over codec's options: pass NULL first, then the previous result. */
NC_API const NCOption *nc_opt_next(const struct NCCodec *codec, const NCOption *prev);
/* Sets option key from its text form. NC_ENOOPT for an unknown key, NC_EINVAL for
 * a value that does not parse, NC_ERANGE out of bounds; NC_EINVAL after open.
 * The context keeps its previous value on failure; the reason is logged. */
NC_API int nc_opt_set(struct NCCodecContext *ctx, const char *key, const char *value);
NC_API int nc_opt_set_int(struct NCCodecContext *ctx, const char *key, int64_t value);
NC_API int nc_opt_set_float(struct NCCodecContext *ctx, const char *key, double value);
/* Writes the current value as text into buf (always NUL-terminated). NC_ENOSPC if
 * it did not fit. */
NC_API int nc_opt_get(const struct NCCodecContext *ctx, const char *key, char *buf,
                      size_t size);
NC_API int nc_opt_get_int(const struct NCCodecContext *ctx, const char *key, int64_t *out);
NC_API int nc_opt_get_float(const struct NCCodecContext *ctx, const char *key, double *out);
/* Bounds of a numeric option (INT, FLOAT, BOOL, ENUM); NC_EINVAL for strings. */
NC_API int nc_opt_get_bounds(const NCOption *opt, double *min, double *max);
/* Sets several options from "key=val:key=val". Stops at the first failure. */
NC_API int nc_opt_set_from_string(struct NCCodecContext *ctx, const char *list);
/* The default value of opt as text, written into buf. */
NC_API int nc_opt_default_string(const NCOption *opt, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
