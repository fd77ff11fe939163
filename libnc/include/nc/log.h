/* Logging. libnc writes nothing to stdout or stderr by itself except through
 * this callback; the default callback prints messages at or above the current
 * level to stderr. */
#ifndef NC_LOG_H
#define NC_LOG_H

#include <stdarg.h>
#include "nc/export.h"

enum NCLogLevel {
    NC_LOG_QUIET = -1,
    NC_LOG_ERROR = 0,
    NC_LOG_WARNING = 1,
    NC_LOG_INFO = 2,
    NC_LOG_VERBOSE = 3,
    NC_LOG_DEBUG = 4,
};

/* ctx is the object the message is about (an NCCodecContext, a muxer, ...) or NULL. */
typedef void (*NCLogCallback)(void *opaque, const void *ctx, int level, const char *fmt,
                              va_list args);

#ifdef __cplusplus
extern "C" {
#endif

/* Installs a callback for all threads; NULL restores the default. Call it before
 * starting threads that use libnc. */
NC_API void nc_log_set_callback(NCLogCallback cb, void *opaque);
/* Messages above this level are dropped before formatting. Default NC_LOG_WARNING. */
NC_API void nc_log_set_level(int level);
NC_API int nc_log_get_level(void);
NC_API void nc_log(const void *ctx, int level, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
