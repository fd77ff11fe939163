/* The conformance checkers' shared decode and check passes (golden.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/golden.h"

int golden_encode(NCCodecContext *enc, const NCFrame *f, NCPacket *pkt)
{
    int ret = nc_send_frame(enc, f);
    return ret < 0 ? ret : nc_receive_packet(enc, pkt);
}

void golden_hash_frame(NCSha256 *s, const NCFrame *f)
{
    if (f->media_type == NC_MEDIA_BYTES) {
        nci_sha256_update(s, f->data[0], f->nb_bytes);
        return;
    }
    for (int p = 0; p < nc_pix_fmt_planes(f->pix_fmt); p++) {
        size_t row = (size_t)nc_pix_fmt_plane_width(f->pix_fmt, p, f->width);
        for (int y = 0; y < nc_pix_fmt_plane_height(f->pix_fmt, p, f->height); y++)
            nci_sha256_update(s, f->data[p] + (size_t)y * f->linesize[p], row);
    }
}

int golden_decode_file(const char *path, GoldenReencoder reencoder,
                       char hex[2 * NC_SHA256_SIZE + 1], int *mismatch)
{
    NCDemuxer *dmx;
    int ret = nc_demuxer_open_file(&dmx, path);
    if (ret < 0) return ret;
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name(info->codec_name));
    NCCodecContext *enc = NULL;
    NCSha256 s;
    nci_sha256_init(&s);
    if (!dec) ret = NC_ENOMEM;
    if (ret >= 0) ret = nc_stream_info_to_context(info, dec);
    if (ret >= 0) ret = nc_codec_open(dec);
    if (ret >= 0 && reencoder && !(enc = reencoder(info, dec))) ret = NC_EMODEL;
    while (ret >= 0) {
        NCPacket pkt = {0}, again = {0};
        NCFrame f = {0};
        ret = nc_demuxer_read_packet(dmx, &pkt);
        if (ret == NC_EOF) {
            ret = 0;
            break;
        }
        if (ret >= 0) ret = nc_send_packet(dec, &pkt);
        /* every frame of the packet; re-encoded (one packet per frame) when asked */
        while (ret >= 0 && (ret = nc_receive_frame(dec, &f)) >= 0) {
            golden_hash_frame(&s, &f);
            if (enc && (golden_encode(enc, &f, &again) < 0 || again.size != pkt.size ||
                        memcmp(again.data, pkt.data, pkt.size)))
                (*mismatch)++;
            nc_packet_unref(&again);
            nc_frame_unref(&f);
        }
        if (ret == NC_EAGAIN) ret = 0;
        nc_packet_unref(&pkt);
    }
    uint8_t digest[NC_SHA256_SIZE];
    nci_sha256_final(&s, digest);
    nci_sha256_hex(digest, hex);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
    nc_demuxer_close(&dmx);
    return ret;
}

int golden_check_list(const char *dir, GoldenReencoder reencoder)
{
    char path[4096], name[256], kind[16], value[128];
    snprintf(path, sizeof(path), "%s/expected.txt", dir);
    FILE *exp = fopen(path, "r");
    if (!exp) {
        printf("cannot read %s\n", path);
        return 1;
    }
    int failures = 0, count = 0;
    while (fscanf(exp, "%255s %15s %127s", name, kind, value) == 3) {
        char hex[2 * NC_SHA256_SIZE + 1];
        int mismatch = 0;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int ret = golden_decode_file(path, reencoder, hex, &mismatch);
        int ok = !strcmp(kind, "sha256") ? ret == 0 && !strcmp(hex, value) && !mismatch
                                         : ret == atoi(value);
        printf("%s: %s (decoder returned %d, %s, re-encoded packets differing: %d)\n",
               ok ? "ok" : "FAIL", name, ret, ret == 0 ? hex : nc_strerror(ret), mismatch);
        failures += !ok;
        count++;
    }
    fclose(exp);
    return failures || !count;
}
