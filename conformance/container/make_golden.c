/* Writes the container's golden files into a folder. The committed files in
 * conformance/container/ must equal what this writes (the muxer's output is
 * pinned), and reading them must give the committed *.expect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/bytes.h"
#include "nc/nc.h"

static const char *dir;

static uint8_t *mux_stream(const NCStreamInfo *info, int packets, size_t step, unsigned flags,
                           size_t *size)
{
    NCMuxer *mux = NULL;
    uint8_t *data = NULL;
    if (nc_muxer_open_memory(&mux, info, flags) < 0) exit(1);
    for (int i = 0; i < packets; i++) {
        NCPacket pkt = {0};
        if (nc_packet_new(&pkt, step * (size_t)i + 1) < 0) exit(1);
        for (size_t k = 0; k < pkt.size; k++) pkt.data[k] = (uint8_t)(k * 13 + (size_t)i);
        pkt.pts = (int64_t)i * 160;
        pkt.duration = 160;
        pkt.flags = i % 3 == 0 ? NC_PKT_FLAG_KEY : 0;
        if (nc_muxer_write_packet(mux, &pkt) < 0) exit(1);
        nc_packet_unref(&pkt);
    }
    if (nc_muxer_close_memory(&mux, &data, size) < 0) exit(1);
    return data;
}

static void save(const char *name, const uint8_t *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    static const uint8_t extradata[] = "stream header bytes";
    NCStreamInfo audio = {.codec_name = "rvqspeech", .media_type = NC_MEDIA_AUDIO,
                          .sample_rate = 16000, .channels = 1, .time_base = {1, 16000},
                          .extradata = extradata, .extradata_size = sizeof(extradata)};
    NCStreamInfo image = {.codec_name = "pclossless", .media_type = NC_MEDIA_IMAGE,
                          .width = 28, .height = 28, .pix_fmt = NC_PIX_GRAY8, .time_base = {1, 1}};
    NCStreamInfo bytes = {.codec_name = "lmtext", .media_type = NC_MEDIA_BYTES,
                          .time_base = {1, 1}};
    size_t size;
    uint8_t *data = mux_stream(&audio, 7, 11, 0, &size);
    save("audio_index.nc", data, size);

    /* Damaged copies of the audio stream. The key flags split its 7 packets into
     * the groups [0] [1 2] [3] [4 5] [6]; group 0 (33-byte header, no sizes, 1
     * byte) starts after the file header, group 1 (header, one size byte, 12 + 23
     * bytes) 34 bytes later. */
    size_t group1 = 16 + nci_rl32(data + 12) + 4 + 34;
    data[group1 + 33 + 1 + 3] ^= 0x10; /* a payload byte of packet 1 */
    save("damaged_payload.nc", data, size);
    data[group1 + 33 + 1 + 3] ^= 0x10;
    data[group1 + 5] ^= 0x01; /* group 1's size field */
    save("damaged_packet_header.nc", data, size);
    data[group1 + 5] ^= 0x01;
    save("truncated.nc", data, group1 + 33 + 1 + 20); /* inside packet 1 */
    data[20] ^= 0x04; /* header body */
    save("damaged_header.nc", data, size);
    data[20] ^= 0x04;
    data[size - 30] ^= 0x80; /* inside the index */
    save("damaged_index.nc", data, size);
    free(data);

    data = mux_stream(&image, 3, 100, NC_MUX_NO_INDEX, &size);
    save("image_no_index.nc", data, size);
    free(data);
    data = mux_stream(&bytes, 0, 1, 0, &size);
    save("bytes_empty.nc", data, size);
    free(data);
    return 0;
}
