/* Stream parameters: between codec contexts and the container header. */
#include <string.h>

#include "libnc/check.h"
#include "libnc/container_format.h"
#include "libnc/bounds.h"

static int valid_codec_name(const char *name)
{
    size_t n = strnlen(name, 32);
    if (n == 0 || n > 31) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    return 1;
}

int nci_stream_info_check(const NCStreamInfo *s, const void *log_ctx, const char *what)
{
    NC_RETURN_ERROR_IF(!valid_codec_name(s->codec_name), NC_EINVALIDDATA, log_ctx,
                       "%s: invalid codec name", what);
    NC_RETURN_ERROR_IF(s->time_base.num <= 0 || s->time_base.den <= 0, NC_EINVALIDDATA, log_ctx,
                       "%s: invalid time base %d/%d", what, s->time_base.num, s->time_base.den);
    NC_RETURN_ERROR_IF(s->extradata_size > NC_MAX_EXTRADATA || (s->extradata_size && !s->extradata),
                       NC_EINVALIDDATA, log_ctx, "%s: invalid extradata size %zu", what,
                       s->extradata_size);
    int audio = s->media_type == NC_MEDIA_AUDIO;
    int picture = s->media_type == NC_MEDIA_VIDEO || s->media_type == NC_MEDIA_IMAGE;
    NC_RETURN_ERROR_IF(!audio && !picture && s->media_type != NC_MEDIA_BYTES, NC_EINVALIDDATA,
                       log_ctx, "%s: unknown media type %d", what, (int)s->media_type);
    if (audio) {
        NC_RETURN_ERROR_IF(s->sample_rate < 1 || s->sample_rate > NC_MAX_SAMPLE_RATE ||
                               s->channels < 1 || s->channels > NC_MAX_CHANNELS,
                           NC_EINVALIDDATA, log_ctx, "%s: invalid audio parameters %d Hz x %d",
                           what, s->sample_rate, s->channels);
    } else {
        NC_RETURN_ERROR_IF(s->sample_rate || s->channels, NC_EINVALIDDATA, log_ctx,
                           "%s: audio parameters on a non-audio stream", what);
    }
    if (picture) {
        NC_RETURN_ERROR_IF(!nci_dimensions_valid(s->width, s->height) ||
                               !nc_pix_fmt_planes(s->pix_fmt),
                           NC_EINVALIDDATA, log_ctx, "%s: invalid picture parameters %dx%d", what,
                           s->width, s->height);
    } else {
        NC_RETURN_ERROR_IF(s->width || s->height || s->pix_fmt, NC_EINVALIDDATA, log_ctx,
                           "%s: picture parameters on a non-picture stream", what);
    }
    return 0;
}

int nc_stream_info_from_context(NCStreamInfo *info, const NCCodecContext *ctx)
{
    NC_CHECK_ARG(info && ctx && ctx->codec);
    memset(info, 0, sizeof(*info));
    NC_CHECK_ARG(strlen(ctx->codec->name) < sizeof(info->codec_name));
    strcpy(info->codec_name, ctx->codec->name);
    info->media_type = ctx->media_type;
    if (ctx->media_type == NC_MEDIA_AUDIO) {
        info->sample_rate = ctx->sample_rate;
        info->channels = ctx->channels;
    } else if (ctx->media_type == NC_MEDIA_VIDEO || ctx->media_type == NC_MEDIA_IMAGE) {
        info->width = ctx->width;
        info->height = ctx->height;
        info->pix_fmt = ctx->pix_fmt;
    }
    info->time_base = ctx->time_base;
    info->extradata = ctx->extradata;
    info->extradata_size = ctx->extradata_size;
    info->version_major = NC_CONTAINER_VERSION_MAJOR;
    info->version_minor = NC_CONTAINER_VERSION_MINOR;
    return 0;
}

int nc_stream_info_to_context(const NCStreamInfo *info, NCCodecContext *ctx)
{
    NC_CHECK_ARG(info && ctx && ctx->codec);
    NC_RETURN_ERROR_IF(strcmp(info->codec_name, ctx->codec->name) != 0, NC_EINVAL, ctx,
                       "stream is coded with %.31s, not %s", info->codec_name, ctx->codec->name);
    NC_RETURN_ERROR_IF(info->media_type != ctx->media_type, NC_EINVAL, ctx,
                       "stream media type does not match the codec");
    NC_FORWARD_IF_ERROR(nc_codec_set_extradata(ctx, info->extradata, info->extradata_size));
    ctx->sample_rate = info->sample_rate;
    ctx->channels = info->channels;
    ctx->width = info->width;
    ctx->height = info->height;
    ctx->pix_fmt = info->pix_fmt;
    ctx->time_base = info->time_base;
    return 0;
}
