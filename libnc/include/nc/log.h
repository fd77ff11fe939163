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

/* What an object libnc logs about is: NCCodecContext, NCMuxer and NCDemuxer begin
 * with a pointer to their NCClass (libavutil's AVClass idea), so a callback given
 * such an object can tell which codec or file spoke (nc_log_context_name()). */
typedef struct NCClass {
    const char *class_name; /* "codec", "muxer", "demuxer" */
    /* The object's name in messages: the codec's name for a codec context. */
    const char *(*item_name)(const void *ctx);
} NCClass;

/* ctx is the object the message is about (NULL, or an object that begins with a
 * const NCClass *: an NCCodecContext, NCMuxer or NCDemuxer). */
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
/* The name messages about ctx carry (the codec's name for a codec context,
 * "muxer", "demuxer"), or NULL for NULL. The default callback prefixes it. */
NC_API const char *nc_log_context_name(const void *ctx);
NC_API void nc_log(const void *ctx, int level, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
