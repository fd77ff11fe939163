/* WAV loading and random crops for training (train_data.h). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/train_data.h"
#include "nc/error.h"
#include "nc/log.h"

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Appends the samples of a mono PCM16 WAV file at d's rate; 0, or < 0 if it is not one. */
static int load_wav(NCRvqData *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NC_EIO;
    uint8_t hdr[12], ch[8], fmt[16];
    int ok_fmt = 0, ret = NC_EINVALIDDATA;
    if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
        goto done;
    while (fread(ch, 1, 8, f) == 8) {
        uint32_t size = le32(ch + 4);
        if (!memcmp(ch, "fmt ", 4) && size >= 16) {
            if (fread(fmt, 1, 16, f) != 16)
                goto done;
            ok_fmt = le16(fmt) == 1 && le16(fmt + 2) == 1 && le32(fmt + 4) == (uint32_t)(d->rate ? d->rate : 16000) &&
                     le16(fmt + 14) == 16;
            if (fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR))
                goto done;
        } else if (!memcmp(ch, "data", 4)) {
            if (!ok_fmt || size > (1u << 30))
                goto done;
            int64_t n = size / 2;
            int16_t *s = realloc(d->samples, sizeof(int16_t) * (size_t)(d->total + n));
            int64_t *st = realloc(d->starts, sizeof(int64_t) * (size_t)(d->files + 2));
            if (s)
                d->samples = s;
            if (st)
                d->starts = st;
            if (!s || !st) {
                ret = NC_ENOMEM;
                goto done;
            }
            uint8_t *raw = (uint8_t *)(d->samples + d->total);
            n = (int64_t)fread(raw, 2, (size_t)n, f);
            for (int64_t i = 0; i < n; i++)
                d->samples[d->total + i] = (int16_t)le16(raw + 2 * i);
            d->starts[d->files] = d->total;
            d->total += n;
            d->files++;
            d->starts[d->files] = d->total;
            ret = 0;
            goto done;
        } else if (fseek(f, (long)(size + (size & 1)), SEEK_CUR)) {
            goto done;
        }
    }
done:
    fclose(f);
    return ret;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rvq_data_add_dir(NCRvqData *d, const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return NC_EIO;
    char **names = NULL;
    int n = 0, cap = 0, added = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".wav"))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **nn = realloc(names, sizeof(*names) * (size_t)cap);
            if (!nn)
                break;
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(dh);
    qsort(names, (size_t)n, sizeof(*names), by_name);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (load_wav(d, path) == 0)
            added++;
        else
            nc_log(NULL, NC_LOG_WARNING, "skipping %s (not %d Hz mono 16-bit)", path,
                   d->rate ? d->rate : 16000);
        free(names[i]);
    }
    free(names);
    return added;
}

void rvq_data_free(NCRvqData *d)
{
    free(d->samples);
    free(d->starts);
    memset(d, 0, sizeof(*d));
}

void rvq_data_crop(const NCRvqData *d, NNRng *rng, float *out, int len)
{
    int64_t at = (int64_t)(nn_rng_uniform(rng) * (double)d->total);
    if (at >= d->total)
        at = d->total - 1;
    int lo = 0, hi = d->files - 1; /* the file holding sample `at` */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (d->starts[mid] <= at)
            lo = mid;
        else
            hi = mid - 1;
    }
    int64_t begin = d->starts[lo], end = d->starts[lo + 1];
    int64_t start = begin;
    if (end - begin > len)
        start = begin + (int64_t)(nn_rng_uniform(rng) * (double)(end - begin - len));
    float peak = 0.0f;
    for (int i = 0; i < len; i++) {
        out[i] = start + i < end ? d->samples[start + i] / 32768.0f : 0.0f;
        peak = fmaxf(peak, fabsf(out[i]));
    }
    float level = 0.05f + 0.9f * nn_rng_uniform(rng);
    float gain = peak > 0.0f ? fminf(level / peak, 20.0f) : 1.0f;
    for (int i = 0; i < len; i++) out[i] *= gain;
}
