/* Writes the small media files tests/metric/nc_metric_test.sh compares with
 * nc-metric, with differences whose scores are known by hand:
 *   ref.wav / noisy.wav      16 kHz float WAV; noise at exactly 10 dB SNR;
 *                            noisy.wav is 800 samples longer (zeros)
 *   delayed.wav              ref.wav 300 samples late, noise at 20 dB SNR
 *   ref.pgm / pixel.pgm      16x16 gray; one pixel off by 10
 *   ref.ppm / pixel.ppm      16x16 RGB; one component of one pixel off by 10
 *   ref.txt / other.txt      bytes differing first at offset 5
 *   bits98.bin               98 bytes: a stand-in bitstream
 * Usage: make_metric_media DIR */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/metric/noise.h"

#define RATE 16000
#define SAMPLES 24000

static int write_file(const char *dir, const char *name, const void *data, size_t size)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size) {
        fprintf(stderr, "cannot write %s\n", path);
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Mono IEEE-float WAV. */
static int write_wav(const char *dir, const char *name, const float *x, size_t n)
{
    static uint8_t buf[44 + 4 * (SAMPLES + 800)];
    uint32_t bytes = (uint32_t)(4 * n);
    memcpy(buf, "RIFF", 4);
    le32(buf + 4, 36 + bytes);
    memcpy(buf + 8, "WAVEfmt ", 8);
    le32(buf + 16, 16);
    le16(buf + 20, 3); /* WAVE_FORMAT_IEEE_FLOAT */
    le16(buf + 22, 1);
    le32(buf + 24, RATE);
    le32(buf + 28, RATE * 4);
    le16(buf + 32, 4);
    le16(buf + 34, 32);
    memcpy(buf + 36, "data", 4);
    le32(buf + 40, bytes);
    memcpy(buf + 44, x, bytes); /* x86 and ARM are little-endian */
    return write_file(dir, name, buf, 44 + bytes);
}

static int write_pnm(const char *dir, const char *name, const uint8_t *px, int channels)
{
    uint8_t buf[64 + 16 * 16 * 3];
    int h = snprintf((char *)buf, 64, "P%d\n16 16\n255\n", channels == 1 ? 5 : 6);
    memcpy(buf + h, px, (size_t)(16 * 16 * channels));
    return write_file(dir, name, buf, (size_t)h + (size_t)(16 * 16 * channels));
}

int main(int argc, char **argv)
{
    static float ref[SAMPLES], noisy[SAMPLES + 800], delayed[SAMPLES + 800];
    uint8_t gray[256], rgb[768], bits[98] = {0};
    int err = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: make_metric_media DIR\n");
        return 2;
    }
    test_speech_like(ref, SAMPLES, RATE);
    test_add_noise(ref, noisy, SAMPLES, 10.0, 3);
    err |= write_wav(argv[1], "ref.wav", ref, SAMPLES);
    err |= write_wav(argv[1], "noisy.wav", noisy, SAMPLES + 800);
    test_add_noise(ref, delayed + 300, SAMPLES, 20.0, 4);
    err |= write_wav(argv[1], "delayed.wav", delayed, SAMPLES + 300);
    for (int i = 0; i < 256; i++)
        gray[i] = (uint8_t)(i / 2 + 40);
    for (int i = 0; i < 768; i++)
        rgb[i] = (uint8_t)((i * 7) % 200 + 20);
    err |= write_pnm(argv[1], "ref.pgm", gray, 1);
    err |= write_pnm(argv[1], "ref.ppm", rgb, 3);
    gray[77] += 10;
    rgb[301] += 10;
    err |= write_pnm(argv[1], "pixel.pgm", gray, 1);
    err |= write_pnm(argv[1], "pixel.ppm", rgb, 3);
    err |= write_file(argv[1], "ref.txt", "hello, world\n", 13);
    err |= write_file(argv[1], "other.txt", "hello! world\n", 13);
    err |= write_file(argv[1], "bits98.bin", bits, sizeof(bits));
    return err ? 1 : 0;
}
