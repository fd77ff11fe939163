/* A .nc file read as media: its packets decoded by libnc, damaged ones skipped
 * with a warning. What lets nc-metric take a .nc as DECODED (NCMediaWants.decode). */
#include <stdlib.h>
#include <string.h>

#include "apps/common/cli.h"
#include "apps/common/media_io_internal.h"
#include "nc/nc.h"

typedef struct CodedReader {
    NCDemuxer *dmx;
    NCCodecContext *ctx;
    NCPacket *pkt;
    int flushed;
    int64_t damaged;
    const char *path;
} CodedReader;

static void coded_close(NCMediaReader *reader)
{
    CodedReader *c = reader->priv;
    if (!c) return;
    if (c->damaged)
        cli_warn("%s: %lld damaged packet%s skipped", c->path, (long long)c->damaged,
                    c->damaged == 1 ? "" : "s");
    nc_packet_free(&c->pkt);
    nc_codec_free_context(&c->ctx);
    nc_demuxer_close(&c->dmx);
    free(c);
    reader->priv = NULL;
}

/* Feeds the decoder the next intact packet, or the flush at the end. */
static int feed(CodedReader *c)
{
    for (;;) {
        int ret = c->flushed ? NC_EOF : nc_demuxer_read_packet(c->dmx, c->pkt);
        if (ret == NC_ECRC || ret == NC_EINVALIDDATA) {
            c->damaged++;
            continue;
        }
        if (ret == NC_ETRUNCATED || ret == NC_EOF) {
            c->damaged += ret == NC_ETRUNCATED;
            c->flushed = 1;
            return nc_send_packet(c->ctx, NULL);
        }
        if (ret < 0) return ret;
        ret = nc_send_packet(c->ctx, c->pkt);
        nc_packet_unref(c->pkt);
        if (ret == NC_EINVALIDDATA || ret == NC_ETRUNCATED) {
            c->damaged++;
            continue;
        }
        return ret;
    }
}

static int coded_read(NCMediaReader *reader, NCFrame *frame, int64_t max_units)
{
    (void)max_units; /* frames come as the codec makes them */
    CodedReader *c = reader->priv;
    for (;;) {
        int ret = nc_receive_frame(c->ctx, frame);
        if (ret == 0) {
            reader->done = nc_demuxer_packet_index(c->dmx);
            return 0;
        }
        if (ret == NC_EINVALIDDATA || ret == NC_ETRUNCATED) {
            c->damaged++;
            continue;
        }
        if (ret != NC_EAGAIN) return ret; /* NC_EOF once drained */
        if (c->flushed) return NC_EOF;
        if ((ret = feed(c)) < 0) return ret;
    }
}

static const NCMediaReaderOps coded_ops = {.read = coded_read, .close = coded_close};

/* Refuses a conversion the decoded frames would need: none is done here. */
static int check_wants(const char *path, const NCStreamInfo *info, const NCMediaWants *w)
{
    int pictures = info->media_type == NC_MEDIA_IMAGE || info->media_type == NC_MEDIA_VIDEO;
    int want_pictures = w->media_type == NC_MEDIA_IMAGE || w->media_type == NC_MEDIA_VIDEO;
    const char *why = NULL;
    if (info->media_type != w->media_type && !(pictures && want_pictures))
        why = "it holds another kind of media";
    else if (w->sample_rate > 0 && w->sample_rate != info->sample_rate)
        why = "its sample rate differs";
    else if (w->channels > 0 && w->channels != info->channels)
        why = "its channel count differs";
    else if (pictures && w->pix_fmt != NC_PIX_NONE && w->pix_fmt != info->pix_fmt)
        why = "its pixel format differs";
    if (!why) return 0;
    nc_log(NULL, NC_LOG_ERROR, "%s: %s (%s); decode it with nc-dec first", path, why,
           nc_media_type_name(info->media_type));
    return NC_ENOTSUP;
}

int coded_reader_open(NCMediaReader *reader, const char *path, const NCMediaWants *wants)
{
    CodedReader *c = calloc(1, sizeof(*c));
    if (!c) return NC_ENOMEM;
    reader->priv = c;
    reader->ops = &coded_ops;
    c->path = path;
    int ret = nc_demuxer_open_file(&c->dmx, path);
    const NCStreamInfo *info = ret >= 0 ? nc_demuxer_stream_info(c->dmx) : NULL;
    if (info && (ret = check_wants(path, info, wants)) >= 0) {
        c->ctx = nc_codec_alloc_context(nc_codec_find_decoder_by_name(info->codec_name));
        c->pkt = nc_packet_alloc();
        if (!c->ctx || !c->pkt) {
            nc_log(NULL, NC_LOG_ERROR, "%s: no decoder for codec '%s'", path, info->codec_name);
            ret = c->pkt ? NC_ENOCODEC : NC_ENOMEM;
        }
    }
    if (ret >= 0) {
        c->ctx->interrupt_cb = cli_interrupt_cb;
        ret = nc_stream_info_to_context(info, c->ctx);
    }
    if (ret >= 0) ret = nc_codec_open(c->ctx);
    if (ret < 0) {
        coded_close(reader);
        return ret;
    }
    reader->format = (NCMediaFormat){.media_type = wants->media_type,
                                     .sample_rate = info->sample_rate,
                                     .channels = info->channels,
                                     .width = info->width,
                                     .height = info->height,
                                     .pix_fmt = info->pix_fmt,
                                     .frame_rate = {info->time_base.den, info->time_base.num}};
    snprintf(reader->source, sizeof(reader->source), ".nc, %s", info->codec_name);
    reader->total = nc_demuxer_packet_count(c->dmx);
    reader->unit = "packets";
    return 0;
}
