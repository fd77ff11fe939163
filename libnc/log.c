#include <stdatomic.h>
#include <stdio.h>

#include "libnc/check.h"
#include "nc/log.h"

static _Atomic int log_level = NC_LOG_WARNING;
/* Set before threads start (documented in nc/log.h), read by all. */
static NCLogCallback log_callback;
static void *log_opaque;

static void log_to_stderr(void *opaque, const void *ctx, int level, const char *fmt,
                          va_list args)
{
    (void)opaque;
    static const char *const prefix[] = {"error", "warning", "info", "verbose", "debug"};
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, args);
    const char *name = nc_log_context_name(ctx);
    fprintf(stderr, "libnc: %s: %s%s%s\n", prefix[level], name ? name : "", name ? ": " : "",
            line);
}

const char *nc_log_context_name(const void *ctx)
{
    if (!ctx) return NULL;
    const NCClass *c = *(const NCClass *const *)ctx;
    if (!c) return NULL;
    const char *name = c->item_name ? c->item_name(ctx) : NULL;
    return name ? name : c->class_name;
}

void nc_log_set_callback(NCLogCallback cb, void *opaque)
{
    log_callback = cb;
    log_opaque = opaque;
}

void nc_log_set_level(int level)
{
    if (level < NC_LOG_QUIET) level = NC_LOG_QUIET;
    if (level > NC_LOG_DEBUG) level = NC_LOG_DEBUG;
    atomic_store(&log_level, level);
}

int nc_log_get_level(void)
{
    return atomic_load(&log_level);
}

void nci_log_from(const void *ctx, int level, const char *func, const char *fmt, ...)
{
    if (level < NC_LOG_ERROR || level > NC_LOG_DEBUG || level > atomic_load(&log_level))
        return;
    char line[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof(line), fmt, args);
    va_end(args);
    nc_log(ctx, level, "%s (in %s)", line, func);
}

void nc_log(const void *ctx, int level, const char *fmt, ...)
{
    if (level < NC_LOG_ERROR || level > NC_LOG_DEBUG || level > atomic_load(&log_level))
        return;
    if (!fmt) return;
    va_list args;
    va_start(args, fmt);
    if (log_callback)
        log_callback(log_opaque, ctx, level, fmt, args);
    else
        log_to_stderr(NULL, ctx, level, fmt, args);
    va_end(args);
}
