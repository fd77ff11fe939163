/* How the apps talk to FFmpeg's libraries: file names as file: URLs, FFmpeg's
 * errors turned into libnc errors with one readable line, and FFmpeg's own log
 * sent through libnc's log so that it shows only with -v. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "nc/error.h"
#include "nc/log.h"

char *media_ffmpeg_url(const char *path)
{
    if (output_is_stdio(path)) return strdup("pipe:0"); /* readers only: writers spool */
    size_t n = strlen(path) + 6;
    char *url = malloc(n);
    if (url) snprintf(url, n, "file:%s", path);
    return url;
}

int media_ffmpeg_error(const char *path, const char *what, int av_err)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(av_err, msg, sizeof(msg));
    if (!strcmp(what, "cannot write")) return media_write_error(path, msg);
    nc_log(NULL, NC_LOG_ERROR, "%s: %s: %s", path, what, msg);
    if (av_err == AVERROR(ENOMEM)) return NC_ENOMEM;
    if (av_err == AVERROR_INVALIDDATA) return NC_EINVALIDDATA;
    if (av_err == AVERROR_DECODER_NOT_FOUND || av_err == AVERROR_DEMUXER_NOT_FOUND ||
        av_err == AVERROR_ENCODER_NOT_FOUND || av_err == AVERROR_PATCHWELCOME)
        return NC_ENOTSUP;
    return NC_EIO;
}

static void ffmpeg_log(void *avcl, int level, const char *fmt, va_list args)
{
    (void)avcl;
    if (level > AV_LOG_INFO) return;
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, args);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
    if (n == 0) return;
    /* The apps report FFmpeg's failures themselves (media_ffmpeg_error); its
     * own lines are detail for -v. */
    nc_log(NULL, NC_LOG_VERBOSE, "ffmpeg: %s", line);
}

void media_route_ffmpeg_log(void)
{
    av_log_set_callback(ffmpeg_log);
}
