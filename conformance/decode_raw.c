/* nc-conform-decode IN.nc OUT: libnc's decoder behind conformance/run. Decodes
 * IN.nc with the decoder its header names and writes the raw output the runner
 * compares (README.md, "Raw output"):
 *   audio   32-bit float little-endian samples, channels interleaved
 *   image, video  8-bit samples: per frame each plane, rows without padding
 *   bytes   the bytes
 * It needs only libnc (no FFmpeg, no libsndfile), so it builds wherever the library
 * does, cross builds included. Damaged packets are handled as nc-dec handles them:
 * those the demuxer or the decoder reject as damaged (NC_ECRC, NC_EINVALIDDATA) are
 * skipped and counted, a truncated file ends the stream, any other error stops.
 * Exit status: 0 decoded, 2 decoded with damaged packets skipped, 1 failed (OUT is
 * then removed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc/nc.h"

typedef struct Decoding {
    NCCodecContext *ctx;
    FILE *out;
    int damaged;
} Decoding;

static int write_frame(FILE *out, const NCFrame *f)
{
    if (f->media_type == NC_MEDIA_BYTES)
        return fwrite(f->data[0], 1, f->nb_bytes, out) == f->nb_bytes ? 0 : NC_EIO;
    if (f->media_type == NC_MEDIA_AUDIO) {
        for (int i = 0; i < f->nb_samples; i++)
            for (int c = 0; c < f->channels; c++) {
                uint32_t bits;
                memcpy(&bits, (const float *)f->data[c] + i, 4);
                uint8_t le[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
                                 (uint8_t)(bits >> 24)};
                if (fwrite(le, 1, 4, out) != 4) return NC_EIO;
            }
        return 0;
    }
    for (int p = 0; p < nc_pix_fmt_planes(f->pix_fmt); p++) {
        size_t row = (size_t)nc_pix_fmt_plane_width(f->pix_fmt, p, f->width);
        for (int y = 0; y < nc_pix_fmt_plane_height(f->pix_fmt, p, f->height); y++)
            if (fwrite(f->data[p] + (size_t)y * f->linesize[p], 1, row, out) != row)
                return NC_EIO;
    }
    return 0;
}

/* Writes every frame the decoder has ready; NC_EAGAIN, NC_EOF or an error. */
static int drain(Decoding *d, NCFrame *f)
{
    for (int rejected = 0;;) {
        int ret = nc_receive_frame(d->ctx, f);
        if (ret == NC_EINVALIDDATA && ++rejected < 1000) { /* bounded: no endless loop */
            d->damaged++;
            continue;
        }
        if (ret < 0) return ret;
        ret = write_frame(d->out, f);
        nc_frame_unref(f);
        if (ret < 0) return ret;
    }
}

static int decode(Decoding *d, NCDemuxer *dmx)
{
    NCPacket *pkt = nc_packet_alloc();
    NCFrame *f = nc_frame_alloc();
    int ret = pkt && f ? 0 : NC_ENOMEM;
    while (ret == 0) { /* 1 when drained */
        ret = nc_demuxer_read_packet(dmx, pkt);
        if (ret == NC_ECRC || ret == NC_EINVALIDDATA) {
            d->damaged++;
            ret = 0;
            continue;
        }
        if (ret == NC_ETRUNCATED) d->damaged++;
        int eof = ret == NC_EOF || ret == NC_ETRUNCATED;
        if (ret < 0 && !eof) break;
        ret = nc_send_packet(d->ctx, eof ? NULL : pkt);
        if (ret == NC_EAGAIN) { /* take frames out, then send again */
            ret = drain(d, f);
            if (ret == NC_EAGAIN) ret = nc_send_packet(d->ctx, eof ? NULL : pkt);
        }
        if (ret == NC_EINVALIDDATA) {
            d->damaged++;
            ret = 0;
        }
        nc_packet_unref(pkt);
        if (ret >= 0) ret = drain(d, f);
        if (ret == NC_EOF) ret = eof ? 1 : NC_EBUG; /* 1: done */
        else if (ret == NC_EAGAIN) ret = eof ? NC_EBUG : 0;
    }
    nc_packet_free(&pkt);
    nc_frame_free(&f);
    return ret < 0 ? ret : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: nc-conform-decode IN.nc OUT\n");
        return 1;
    }
    nc_log_set_level(NC_LOG_QUIET);
    Decoding d = {0};
    NCDemuxer *dmx = NULL;
    int ret = nc_demuxer_open_file(&dmx, argv[1]);
    const NCStreamInfo *info = ret >= 0 ? nc_demuxer_stream_info(dmx) : NULL;
    const NCCodec *codec = info ? nc_codec_find_decoder_by_name(info->codec_name) : NULL;
    if (info && !codec) ret = NC_ENOCODEC;
    if (ret >= 0) ret = (d.ctx = nc_codec_alloc_context(codec)) ? 0 : NC_ENOMEM;
    if (ret >= 0) ret = nc_stream_info_to_context(info, d.ctx);
    if (ret >= 0) ret = nc_codec_open(d.ctx);
    if (ret >= 0) ret = (d.out = fopen(argv[2], "wb")) ? 0 : NC_EIO;
    if (ret >= 0) ret = decode(&d, dmx);
    if (d.out && fclose(d.out) && ret >= 0) ret = NC_EIO;
    nc_codec_free_context(&d.ctx);
    nc_demuxer_close(&dmx);
    if (ret < 0) {
        if (d.out) remove(argv[2]);
        fprintf(stderr, "nc-conform-decode: %s: %s (%d)\n", argv[1], nc_strerror(ret), ret);
        return 1;
    }
    if (d.damaged)
        fprintf(stderr, "nc-conform-decode: %s: %d damaged packets skipped\n", argv[1],
                d.damaged);
    return d.damaged ? 2 : 0;
}
