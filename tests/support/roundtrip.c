#include <string.h>

#include "tests/support/roundtrip.h"

int pc_test_make_frame(NCFrame *f, int w, int h, enum NCPixelFormat fmt, const uint8_t *pixels)
{
    memset(f, 0, sizeof(*f));
    f->media_type = NC_MEDIA_IMAGE;
    f->width = w;
    f->height = h;
    f->pix_fmt = fmt;
    f->pts = 0;
    int ret = nc_frame_get_buffer(f);
    if (ret < 0 || !pixels) return ret;
    int row = nc_pix_fmt_plane_width(fmt, 0, w);
    for (int y = 0; y < h; y++)
        memcpy(f->data[0] + (size_t)y * f->linesize[0], pixels + (size_t)y * row, (size_t)row);
    return 0;
}

int pc_test_open_encoder(NCCodecContext **enc, int w, int h, enum NCPixelFormat fmt,
                         const char *model, const char *model_path)
{
    *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("pclossless"));
    if (!*enc) return NC_ENOMEM;
    (*enc)->width = w;
    (*enc)->height = h;
    (*enc)->pix_fmt = fmt;
    int ret = 0;
    if (model) ret = nc_opt_set(*enc, "model", model);
    if (ret >= 0 && model_path) ret = nc_opt_set(*enc, "model_path", model_path);
    if (ret >= 0) ret = nc_codec_open(*enc);
    if (ret < 0) nc_codec_free_context(enc);
    return ret;
}

int pc_test_open_decoder(NCCodecContext **dec, const NCCodecContext *enc,
                         const char *model_path)
{
    *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless"));
    if (!*dec) return NC_ENOMEM;
    (*dec)->width = enc->width;
    (*dec)->height = enc->height;
    (*dec)->pix_fmt = enc->pix_fmt;
    int ret = nc_codec_set_extradata(*dec, enc->extradata, enc->extradata_size);
    if (ret >= 0 && model_path) ret = nc_opt_set(*dec, "model_path", model_path);
    if (ret >= 0) ret = nc_codec_open(*dec);
    if (ret < 0) nc_codec_free_context(dec);
    return ret;
}

int pc_test_encode(NCCodecContext *enc, const NCFrame *f, NCPacket *pkt)
{
    int ret = nc_send_frame(enc, f);
    if (ret < 0) return ret;
    return nc_receive_packet(enc, pkt);
}

int pc_test_decode(NCCodecContext *dec, const NCPacket *pkt, NCFrame *out)
{
    int ret = nc_send_packet(dec, pkt);
    if (ret < 0) return ret;
    return nc_receive_frame(dec, out);
}

int pc_test_same_pixels(const NCFrame *a, const NCFrame *b)
{
    if (a->width != b->width || a->height != b->height || a->pix_fmt != b->pix_fmt) return 0;
    int row = nc_pix_fmt_plane_width(a->pix_fmt, 0, a->width);
    for (int y = 0; y < a->height; y++)
        if (memcmp(a->data[0] + (size_t)y * a->linesize[0], b->data[0] + (size_t)y * b->linesize[0],
                   (size_t)row))
            return 0;
    return 1;
}
