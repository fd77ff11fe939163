/* Writes the container's golden files into a folder. The committed files in
 * conformance/container/ must equal what this writes (the muxer's output is
 * pinned), and reading them must give the committed *.expect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/bytes.h"
#include "nc/nc.h"

static const char *dir;

enum Keys { KEYS_EVERY_THIRD, KEYS_ALL, KEYS_NONE };

/* Muxes `packets` packets of 1, 1 + step, 1 + 2 step ... bytes, 160 time-base units
 * each but the last (last_duration), flagged key as keys says. */
static uint8_t *mux_packets(const NCStreamInfo *info, int packets, size_t step, unsigned flags,
                            int64_t last_duration, enum Keys keys, size_t *size)
{
    NCMuxer *mux = NULL;
    uint8_t *data = NULL;
    if (nc_muxer_open_memory(&mux, info, flags) < 0) exit(1);
    for (int i = 0; i < packets; i++) {
        NCPacket pkt = {0};
        if (nc_packet_new(&pkt, step * (size_t)i + 1) < 0) exit(1);
        for (size_t k = 0; k < pkt.size; k++) pkt.data[k] = (uint8_t)(k * 13 + (size_t)i);
        pkt.pts = (int64_t)i * 160;
        pkt.duration = i + 1 < packets ? 160 : last_duration;
        int key = keys == KEYS_ALL || (keys == KEYS_EVERY_THIRD && i % 3 == 0);
        pkt.flags = key ? NC_PKT_FLAG_KEY : 0;
        if (nc_muxer_write_packet(mux, &pkt) < 0) exit(1);
        nc_packet_unref(&pkt);
    }
    if (nc_muxer_close_memory(&mux, &data, size) < 0) exit(1);
    return data;
}

static uint8_t *mux_stream(const NCStreamInfo *info, int packets, size_t step, unsigned flags,
                           size_t *size)
{
    return mux_packets(info, packets, step, flags, 160, KEYS_EVERY_THIRD, size);
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

/* The compact profile: what the muxer writes for short streams, and damaged
 * copies of it. */
static void write_compact(const NCStreamInfo *audio, const NCStreamInfo *image,
                          const NCStreamInfo *bytes)
{
    static const uint8_t model_header[] = {0xC1, 'm', 'n', 'i', 's', 't', 1, 2, 3, 4, 5, 6};
    NCStreamInfo digit = *image;
    digit.extradata = model_header;
    digit.extradata_size = sizeof(model_header);
    /* one packet of 115 bytes, as a coded 28x28 digit */
    size_t size;
    uint8_t *data = NULL;
    NCMuxer *mux = NULL;
    NCPacket pkt = {0};
    if (nc_muxer_open_memory(&mux, &digit, 0) < 0 || nc_packet_new(&pkt, 115) < 0) exit(1);
    for (size_t k = 0; k < pkt.size; k++) pkt.data[k] = (uint8_t)(k * 29 + 7);
    pkt.duration = 1;
    pkt.flags = NC_PKT_FLAG_KEY;
    if (nc_muxer_write_packet(mux, &pkt) < 0 || nc_muxer_close_memory(&mux, &data, &size) < 0)
        exit(1);
    nc_packet_unref(&pkt);
    save("compact_image.nc", data, size);
    /* the header ends 4 bytes (its CRC) after the payload size; payload, its CRC */
    size_t payload = size - 4 - 115;
    data[payload + 20] ^= 0x08;
    save("compact_damaged_payload.nc", data, size);
    data[payload + 20] ^= 0x08;
    save("compact_truncated.nc", data, size - 3); /* inside the payload CRC */
    data[6] ^= 0x01; /* the picture's width */
    save("compact_damaged_header.nc", data, size);
    free(data);

    /* 0.3 s of speech packets, the last one shorter, all key; header in 2 bytes */
    NCStreamInfo speech = *audio;
    speech.extradata_size = 2;
    data = mux_packets(&speech, 5, 3, 0, 100, KEYS_ALL, &size);
    save("compact_audio.nc", data, size);
    free(data);
    data = mux_stream(bytes, 0, 1, 0, &size);
    save("compact_bytes_empty.nc", data, size);
    free(data);
    /* a codec without a number (its name is written) and a time base of its own */
    NCStreamInfo named = *image;
    strcpy(named.codec_name, "nerv_x");
    named.media_type = NC_MEDIA_VIDEO;
    named.pix_fmt = NC_PIX_YUV420P;
    named.time_base = (NCRational){1001, 30000};
    data = mux_packets(&named, 2, 5, 0, 1001, KEYS_NONE, &size);
    save("compact_named.nc", data, size);
    free(data);
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
    data = mux_stream(&bytes, 0, 1, NC_MUX_CLASSIC, &size);
    save("bytes_empty.nc", data, size);
    free(data);
    write_compact(&audio, &image, &bytes);
    return 0;
}
