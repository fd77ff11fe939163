/* WAV loading and random crops for training (train_audio.h). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/bytes.h"
#include "libnc/dsp/resample.h"
#include "libnc/nn/train_audio.h"
#include "nc/error.h"
#include "nc/log.h"


/* s[n] at rate from -> s[*out_n] at rate to, in place (s has room for the
 * longer of the two); kept as 16-bit, clipped. */
static int resample_to(int16_t *s, int64_t n, int from, int to, int64_t *out_n)
{
    size_t m = dsp_resample_length((size_t)n, from, to);
    float *in = malloc(sizeof(float) * (size_t)n), *out = malloc(sizeof(float) * m);
    int ret = in && out ? 0 : NC_ENOMEM;
    for (int64_t i = 0; !ret && i < n; i++) in[i] = s[i];
    if (!ret)
        ret = dsp_resample(in, (size_t)n, from, out, to);
    for (size_t i = 0; !ret && i < m; i++)
        s[i] = (int16_t)fmaxf(-32768.0f, fminf(32767.0f, lrintf(out[i])));
    *out_n = (int64_t)m;
    free(in);
    free(out);
    return ret;
}

/* Appends the samples of a mono PCM16 WAV file (any rate, resampled to d's);
 * 0, or < 0 if it is not one. */
static int load_wav(NNAudioSet *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NC_EIO;
    uint8_t hdr[12], ch[8], fmt[16];
    int ok_fmt = 0, ret = NC_EINVALIDDATA, want = d->rate ? d->rate : 16000;
    uint32_t rate = 0;
    if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
        goto done;
    while (fread(ch, 1, 8, f) == 8) {
        uint32_t size = nci_rl32(ch + 4);
        if (!memcmp(ch, "fmt ", 4) && size >= 16) {
            if (fread(fmt, 1, 16, f) != 16)
                goto done;
            rate = nci_rl32(fmt + 4);
            ok_fmt = nci_rl16(fmt) == 1 && nci_rl16(fmt + 2) == 1 && rate >= 8000 && rate <= 192000 &&
                     nci_rl16(fmt + 14) == 16;
            if (fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR))
                goto done;
        } else if (!memcmp(ch, "data", 4)) {
            if (!ok_fmt || size > (1u << 30))
                goto done;
            int64_t n = size / 2, room = n;
            if ((int)rate < want) /* upsampling grows the file */
                room = (int64_t)dsp_resample_length((size_t)n, (int)rate, want);
            int16_t *s = realloc(d->samples, sizeof(int16_t) * (size_t)(d->total + room));
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
                d->samples[d->total + i] = (int16_t)nci_rl16(raw + 2 * i);
            if ((int)rate != want && (ret = resample_to(d->samples + d->total, n, (int)rate,
                                                        want, &n)) < 0)
                goto done;
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

int nn_audio_add_dir(NNAudioSet *d, const char *dir)
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
            nc_log(NULL, NC_LOG_WARNING, "skipping %s (not mono 16-bit PCM)", path);
        free(names[i]);
    }
    free(names);
    return added;
}

int nn_audio_add_dirs(NNAudioSet *d, const char *list)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
        return NC_EINVAL;
    int total = 0;
    for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        int files = nn_audio_add_dir(d, dir);
        if (files <= 0) {
            nc_log(NULL, NC_LOG_ERROR, "no mono 16-bit WAV files in %s", dir);
            return files < 0 ? files : NC_EINVAL;
        }
        nc_log(NULL, NC_LOG_INFO, "%s: %d files", dir, files);
        total += files;
    }
    return total;
}

void nn_audio_free(NNAudioSet *d)
{
    free(d->samples);
    free(d->starts);
    memset(d, 0, sizeof(*d));
}

void nn_audio_crop(const NNAudioSet *d, NNRng *rng, float *out, int len)
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
