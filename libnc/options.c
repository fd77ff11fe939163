/* Typed options stored in a codec's private context at their offsets. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libnc/check.h"
#include "libnc/codec_internal.h"
#include "libnc/codec_state.h"
#include "nc/options.h"

const NCOption *nc_opt_next(const NCCodec *codec, const NCOption *prev)
{
    if (!codec || !codec->options) return NULL;
    const NCOption *next = prev ? prev + 1 : codec->options;
    return next->name ? next : NULL;
}

const NCOption *nc_opt_find(const NCCodec *codec, const char *name)
{
    if (!name) return NULL;
    for (const NCOption *o = nc_opt_next(codec, NULL); o; o = nc_opt_next(codec, o))
        if (!strcmp(o->name, name)) return o;
    return NULL;
}

int nc_opt_get_bounds(const NCOption *opt, double *min, double *max)
{
    NC_CHECK_ARG(opt && min && max);
    switch (opt->type) {
    case NC_OPT_INT:
    case NC_OPT_FLOAT: *min = opt->min, *max = opt->max; return 0;
    case NC_OPT_BOOL: *min = 0, *max = 1; return 0;
    case NC_OPT_ENUM: {
        NC_CHECK_ARG(opt->enum_values && opt->enum_values[0].name);
        *min = *max = opt->enum_values[0].value;
        for (const NCOptionEnumValue *e = opt->enum_values; e->name; e++) {
            if (e->value < *min) *min = e->value;
            if (e->value > *max) *max = e->value;
        }
        return 0;
    }
    default: return NC_EINVAL;
    }
}

static void *opt_field(const NCCodecContext *ctx, const NCOption *opt)
{
    return (char *)ctx->priv_data + opt->offset;
}

static int store_int(NCCodecContext *ctx, const NCOption *opt, long long v)
{
    if ((double)v < opt->min || (double)v > opt->max) {
        nc_log(ctx, NC_LOG_ERROR, "option %s: %lld is out of range [%.0f, %.0f]", opt->name, v,
               opt->min, opt->max);
        return NC_ERANGE;
    }
    *(int *)opt_field(ctx, opt) = (int)v;
    return 0;
}

static int store_float(NCCodecContext *ctx, const NCOption *opt, double v)
{
    if (!isfinite(v) || v < opt->min || v > opt->max) {
        nc_log(ctx, NC_LOG_ERROR, "option %s: %g is out of range [%g, %g]", opt->name, v,
               opt->min, opt->max);
        return NC_ERANGE;
    }
    *(double *)opt_field(ctx, opt) = v;
    return 0;
}

static int store_string(NCCodecContext *ctx, const NCOption *opt, const char *value)
{
    if (opt->max > 0 && (double)strlen(value) > opt->max) {
        nc_log(ctx, NC_LOG_ERROR, "option %s: longer than %.0f bytes", opt->name, opt->max);
        return NC_ERANGE;
    }
    char *copy = strdup(value);
    if (!copy) return NC_ENOMEM;
    char **field = opt_field(ctx, opt);
    free(*field);
    *field = copy;
    return 0;
}

static int parse_bool(const char *s)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) return 1;
        if (!strcasecmp(s, no[i])) return 0;
    }
    return -1;
}

static int set_parsed(NCCodecContext *ctx, const NCOption *opt, const char *value)
{
    char *end;
    switch (opt->type) {
    case NC_OPT_INT: {
        errno = 0;
        long long v = strtoll(value, &end, 10);
        /* Accept a k/M suffix for rates ("3k" = 3000), as command-line codecs do. */
        long long scale = *end == 'k' ? 1000 : *end == 'M' ? 1000000 : 1;
        if (scale != 1) end++;
        if (end == value || *end || errno == ERANGE) break;
        if (v > 0 ? v > INT64_MAX / scale : v < INT64_MIN / scale) return store_int(ctx, opt, v > 0 ? INT64_MAX : INT64_MIN);
        return store_int(ctx, opt, v * scale);
    }
    case NC_OPT_FLOAT: {
        double v = strtod(value, &end);
        if (end == value || *end) break;
        return store_float(ctx, opt, v);
    }
    case NC_OPT_BOOL: {
        int v = parse_bool(value);
        if (v < 0) break;
        *(int *)opt_field(ctx, opt) = v;
        return 0;
    }
    case NC_OPT_ENUM:
        for (const NCOptionEnumValue *e = opt->enum_values; e && e->name; e++) {
            if (!strcmp(e->name, value)) {
                *(int *)opt_field(ctx, opt) = e->value;
                return 0;
            }
        }
        nc_log(ctx, NC_LOG_ERROR, "option %s: '%s' is not one of its values", opt->name, value);
        return NC_EINVAL;
    case NC_OPT_STRING: return store_string(ctx, opt, value);
    }
    nc_log(ctx, NC_LOG_ERROR, "option %s: cannot parse '%s'", opt->name, value);
    return NC_EINVAL;
}

static int find_settable(NCCodecContext *ctx, const char *key, const NCOption **opt)
{
    NC_CHECK_ARG(ctx && key && ctx->internal);
    NC_RETURN_ERROR_IF(nci_codec_is_open(ctx), NC_EINVAL, ctx,
                       "option %s: options are set before nc_codec_open()", key);
    *opt = nc_opt_find(ctx->codec, key);
    NC_RETURN_ERROR_IF(!*opt, NC_ENOOPT, ctx, "codec %s has no option '%s'", ctx->codec->name,
                       key);
    return 0;
}

int nc_opt_set(NCCodecContext *ctx, const char *key, const char *value)
{
    const NCOption *opt;
    NC_FORWARD_IF_ERROR(find_settable(ctx, key, &opt));
    NC_CHECK_ARG(value);
    return set_parsed(ctx, opt, value);
}

int nc_opt_set_int(NCCodecContext *ctx, const char *key, int64_t value)
{
    const NCOption *opt;
    NC_FORWARD_IF_ERROR(find_settable(ctx, key, &opt));
    switch (opt->type) {
    case NC_OPT_INT: return store_int(ctx, opt, value);
    case NC_OPT_FLOAT: return store_float(ctx, opt, (double)value);
    case NC_OPT_BOOL:
        NC_RETURN_ERROR_IF(value != 0 && value != 1, NC_ERANGE, ctx, "option %s: not 0 or 1", key);
        *(int *)opt_field(ctx, opt) = (int)value;
        return 0;
    case NC_OPT_ENUM:
        for (const NCOptionEnumValue *e = opt->enum_values; e && e->name; e++) {
            if (e->value == value) {
                *(int *)opt_field(ctx, opt) = e->value;
                return 0;
            }
        }
        nc_log(ctx, NC_LOG_ERROR, "option %s: %lld is not one of its values", key, (long long)value);
        return NC_ERANGE;
    default:
        nc_log(ctx, NC_LOG_ERROR, "option %s is a string", key);
        return NC_EINVAL;
    }
}

int nc_opt_set_float(NCCodecContext *ctx, const char *key, double value)
{
    const NCOption *opt;
    NC_FORWARD_IF_ERROR(find_settable(ctx, key, &opt));
    if (opt->type == NC_OPT_FLOAT) return store_float(ctx, opt, value);
    NC_RETURN_ERROR_IF(value != floor(value) || !isfinite(value), NC_EINVAL, ctx,
                       "option %s takes an integer", key);
    NC_RETURN_ERROR_IF(fabs(value) > 9.0e18, NC_ERANGE, ctx, "option %s: out of range", key);
    return nc_opt_set_int(ctx, key, (int64_t)value);
}

static int format_value(const NCOption *opt, int64_t i, double f, const char *s, char *buf,
                        size_t size)
{
    int n;
    switch (opt->type) {
    case NC_OPT_INT: n = snprintf(buf, size, "%lld", (long long)i); break;
    case NC_OPT_FLOAT: n = snprintf(buf, size, "%g", f); break;
    case NC_OPT_BOOL: n = snprintf(buf, size, "%s", i ? "true" : "false"); break;
    case NC_OPT_STRING: n = snprintf(buf, size, "%s", s ? s : ""); break;
    case NC_OPT_ENUM:
        n = snprintf(buf, size, "%lld", (long long)i);
        for (const NCOptionEnumValue *e = opt->enum_values; e && e->name; e++)
            if (e->value == i) n = snprintf(buf, size, "%s", e->name);
        break;
    default: return NC_EINVAL;
    }
    return n < 0 || (size_t)n >= size ? NC_ENOSPC : 0;
}

int nc_opt_get(const NCCodecContext *ctx, const char *key, char *buf, size_t size)
{
    NC_CHECK_ARG(ctx && key && buf && size > 0);
    buf[0] = 0;
    const NCOption *opt = nc_opt_find(ctx->codec, key);
    if (!opt) return NC_ENOOPT;
    void *field = opt_field(ctx, opt);
    switch (opt->type) {
    case NC_OPT_FLOAT: return format_value(opt, 0, *(double *)field, NULL, buf, size);
    case NC_OPT_STRING: return format_value(opt, 0, 0, *(char **)field, buf, size);
    default: return format_value(opt, *(int *)field, 0, NULL, buf, size);
    }
}

int nc_opt_default_string(const NCOption *opt, char *buf, size_t size)
{
    NC_CHECK_ARG(opt && buf && size > 0);
    return format_value(opt, opt->default_value.i, opt->default_value.f, opt->default_value.s,
                        buf, size);
}

int nc_opt_get_int(const NCCodecContext *ctx, const char *key, int64_t *out)
{
    NC_CHECK_ARG(ctx && key && out);
    const NCOption *opt = nc_opt_find(ctx->codec, key);
    if (!opt) return NC_ENOOPT;
    if (opt->type == NC_OPT_STRING || opt->type == NC_OPT_FLOAT) return NC_EINVAL;
    *out = *(int *)opt_field(ctx, opt);
    return 0;
}

int nc_opt_get_float(const NCCodecContext *ctx, const char *key, double *out)
{
    NC_CHECK_ARG(ctx && key && out);
    const NCOption *opt = nc_opt_find(ctx->codec, key);
    if (!opt) return NC_ENOOPT;
    if (opt->type == NC_OPT_STRING) return NC_EINVAL;
    void *field = opt_field(ctx, opt);
    *out = opt->type == NC_OPT_FLOAT ? *(double *)field : *(int *)field;
    return 0;
}

int nc_opt_set_from_string(NCCodecContext *ctx, const char *list)
{
    NC_CHECK_ARG(ctx && list);
    char *copy = strdup(list), *save = NULL;
    if (!copy) return NC_ENOMEM;
    int ret = 0;
    for (char *item = strtok_r(copy, ":", &save); item && ret >= 0;
         item = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            nc_log(ctx, NC_LOG_ERROR, "option '%s': expected key=value", item);
            ret = NC_EINVAL;
            break;
        }
        *eq = 0;
        ret = nc_opt_set(ctx, item, eq + 1);
    }
    free(copy);
    return ret;
}

int nci_opt_apply_defaults(NCCodecContext *ctx)
{
    for (const NCOption *o = nc_opt_next(ctx->codec, NULL); o; o = nc_opt_next(ctx->codec, o)) {
        void *field = opt_field(ctx, o);
        switch (o->type) {
        case NC_OPT_FLOAT: *(double *)field = o->default_value.f; break;
        case NC_OPT_STRING:
            if (o->default_value.s && !(*(char **)field = strdup(o->default_value.s)))
                return NC_ENOMEM;
            break;
        default: *(int *)field = (int)o->default_value.i;
        }
    }
    return 0;
}

void nci_opt_free_strings(NCCodecContext *ctx)
{
    for (const NCOption *o = nc_opt_next(ctx->codec, NULL); o; o = nc_opt_next(ctx->codec, o)) {
        if (o->type != NC_OPT_STRING) continue;
        char **field = opt_field(ctx, o);
        free(*field);
        *field = NULL;
    }
}
