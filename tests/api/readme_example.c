/* The README's "API in ten lines", built against the installed-style shared
 * library and public headers only: it must keep compiling and working. */
#include <nc/nc.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    NCFrame *frame = nc_frame_alloc();
    frame->media_type = NC_MEDIA_IMAGE;
    frame->width = 28, frame->height = 28, frame->pix_fmt = NC_PIX_GRAY8;
    if (nc_frame_get_buffer(frame) < 0) return 1;
    for (int x = 8; x < 20; x++) frame->data[0][14 * frame->linesize[0] + x] = 255;

    /* From here on, the README's lines. */
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("pclossless"));
    enc->width = 28, enc->height = 28, enc->pix_fmt = NC_PIX_GRAY8;
    if (nc_codec_open(enc) < 0) return 1; /* enc->extradata: the stream header */
    NCStreamInfo info;
    NCMuxer *mux;
    NCPacket pkt = {0};
    nc_stream_info_from_context(&info, enc);
    if (nc_muxer_open_file(&mux, argv[1], &info, NC_MUX_OVERWRITE) < 0) return 1;
    nc_send_frame(enc, frame);
    nc_send_frame(enc, NULL); /* NULL flushes */
    int packets = 0;
    while (nc_receive_packet(enc, &pkt) == 0) packets += nc_muxer_write_packet(mux, &pkt) == 0;
    int ret = nc_muxer_close(&mux);
    nc_packet_unref(&pkt);
    nc_codec_free_context(&enc);
    nc_frame_free(&frame);
    printf("%d packet(s), close: %s\n", packets, nc_strerror(ret));
    return packets == 1 && ret == 0 ? 0 : 1;
}
