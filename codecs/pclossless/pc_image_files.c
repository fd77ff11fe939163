/* Image files for nc-train pclossless, tests and benchmarks (pc_image_files.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/hclt.h"
#include "codecs/pclossless/pc_image_files.h"
#include "codecs/pclossless/plane_transform.h"
#include "libnc/bytes.h"
#include "libnc/rng.h"
#include "nc/error.h"
#include "nc/log.h"

#define PNM_MAX_SIDE 32768
#define PNM_MAX_PIXELS ((size_t)1 << 28)
#define MAX_FILES 4096
#define MAX_PATCH_BYTES ((size_t)1 << 31)
#define MAX_IDX_BYTES ((size_t)1 << 31)

/* Next header number of a PNM file, skipping white space and # comments. */
static int pnm_number(FILE *f, int *out)
{
    int c = fgetc(f);
    for (;;) {
        if (c == '#')
            while (c != '\n' && c != EOF) c = fgetc(f);
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            c = fgetc(f);
        else
            break;
    }
    if (c < '0' || c > '9') return -1;
    long v = 0;
    while (c >= '0' && c <= '9') {
        v = v * 10 + (c - '0');
        if (v > PNM_MAX_SIDE) return -1;
        c = fgetc(f);
    }
    /* exactly one white-space character ends the header's last number */
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return -1;
    *out = (int)v;
    return 0;
}

static FILE *open_image_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) nc_log(NULL, NC_LOG_ERROR, "pclossless: cannot open %s", path);
    return f;
}

/* The end of both readers: the `bytes` pixel bytes after the header f stands at
 * into a new *pixels (if header_ok), f closed either way, and on failure one log
 * line saying that path is not `what`. */
static int read_pixels(FILE *f, const char *path, const char *what, int header_ok, size_t bytes,
                       uint8_t **pixels)
{
    int ret = NC_EINVALIDDATA;
    *pixels = NULL;
    if (header_ok) {
        ret = NC_ENOMEM;
        if ((*pixels = malloc(bytes)))
            ret = fread(*pixels, 1, bytes, f) == bytes ? 0 : NC_ETRUNCATED;
    }
    fclose(f);
    if (ret < 0) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: %s is not %s", path, what);
        free(*pixels);
        *pixels = NULL;
    }
    return ret;
}

int pc_read_idx_images(const char *path, uint8_t **pixels, int *n, int *w, int *h)
{
    FILE *f = open_image_file(path);
    if (!f) return NC_EIO;
    uint8_t hdr[16];
    int ok = fread(hdr, 1, 16, f) == 16 && nci_rb32(hdr) == 0x803;
    uint64_t count = ok ? nci_rb32(hdr + 4) : 0, rows = ok ? nci_rb32(hdr + 8) : 0,
             cols = ok ? nci_rb32(hdr + 12) : 0;
    ok = ok && count && rows && cols && rows * cols <= PC_MAX_VARS &&
         count * rows * cols <= MAX_IDX_BYTES;
    int ret = read_pixels(f, path, "a readable idx3 image file", ok,
                          (size_t)(count * rows * cols), pixels);
    if (ret < 0) return ret;
    *n = (int)count;
    *w = (int)cols;
    *h = (int)rows;
    return 0;
}

int pc_read_pnm(const char *path, uint8_t **pixels, int *w, int *h, int *channels)
{
    FILE *f = open_image_file(path);
    if (!f) return NC_EIO;
    char magic[2];
    int maxval;
    int ok = fread(magic, 1, 2, f) == 2 && magic[0] == 'P' &&
             (magic[1] == '5' || magic[1] == '6') && pnm_number(f, w) >= 0 &&
             pnm_number(f, h) >= 0 && pnm_number(f, &maxval) >= 0 && maxval == 255 &&
             *w >= 1 && *h >= 1 && (size_t)*w * (size_t)*h <= PNM_MAX_PIXELS;
    *channels = ok && magic[1] == '6' ? 3 : 1;
    return read_pixels(f, path, "a binary PGM/PPM with maxval 255", ok,
                       ok ? (size_t)*w * (size_t)*h * (size_t)*channels : 0, pixels);
}

static int is_pnm_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (!strcmp(name + n - 4, ".pgm") || !strcmp(name + n - 4, ".ppm"));
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted .pgm/.ppm names of dir. */
static int list_files(const char *dir, char ***names, int *count)
{
    DIR *d = opendir(dir);
    *names = NULL;
    *count = 0;
    if (!d) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: cannot read the folder %s", dir);
        return NC_EIO;
    }
    char **list = calloc(MAX_FILES, sizeof(char *));
    int n = 0, ret = list ? 0 : NC_ENOMEM;
    struct dirent *e;
    while (ret >= 0 && (e = readdir(d)))
        if (is_pnm_name(e->d_name)) {
            if (n == MAX_FILES || !(list[n] = strdup(e->d_name))) {
                ret = n == MAX_FILES ? NC_EINVAL : NC_ENOMEM;
                break;
            }
            n++;
        }
    closedir(d);
    if (ret < 0) {
        for (int i = 0; i < n; i++) free(list[i]);
        free(list);
        return ret;
    }
    qsort(list, (size_t)n, sizeof(char *), compare_names);
    *names = list;
    *count = n;
    return 0;
}


/* Appends the patches of one image's planes to *data (grown as needed). */
static int add_image(const uint8_t *pix, int w, int h, int channels, int pw, int ph,
                     int stride, int transform, uint8_t **data, size_t *n, size_t *cap)
{
    size_t d = (size_t)pw * (size_t)ph, np = (size_t)w * (size_t)h;
    uint8_t *planes = malloc(np * (size_t)channels);
    if (!planes) return NC_ENOMEM;
    pc_image_to_planes(transform, pix, (ptrdiff_t)w * channels, channels, w, h, planes);
    int ret = 0;
    for (int c = 0; c < channels && ret >= 0; c++)
        for (int y = 0; y + ph <= h && ret >= 0; y += stride)
            for (int x = 0; x + pw <= w; x += stride) {
                if (*n == *cap) {
                    size_t grow = *cap ? 2 * *cap : 4096;
                    uint8_t *p = grow * d <= MAX_PATCH_BYTES ? realloc(*data, grow * d) : NULL;
                    if (!p) {
                        ret = NC_ENOMEM;
                        break;
                    }
                    *data = p;
                    *cap = grow;
                }
                uint8_t *dst = *data + *n * d;
                const uint8_t *src = planes + (size_t)c * np + (size_t)y * w + x;
                for (int py = 0; py < ph; py++)
                    memcpy(dst + (size_t)py * pw, src + (size_t)py * w, (size_t)pw);
                (*n)++;
            }
    free(planes);
    return ret;
}

int pc_photo_patches(const char *dir, int pw, int ph, int stride, int transform,
                     int max_samples, uint64_t seed, uint8_t **data, int *n, int *images)
{
    char **names;
    int count, ret;
    *data = NULL;
    *n = 0;
    *images = 0;
    if (pw < 1 || ph < 1 || stride < 1 || max_samples < 1) return NC_EINVAL;
    if ((ret = list_files(dir, &names, &count)) < 0) return ret;
    if (!count) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: no .pgm or .ppm files in %s", dir);
        free(names);
        return NC_EINVAL;
    }
    uint8_t *all = NULL;
    size_t total = 0, cap = 0, d = (size_t)pw * (size_t)ph;
    for (int i = 0; i < count && ret >= 0; i++) {
        char path[4096];
        uint8_t *pix;
        int w, h, ch;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if ((ret = pc_read_pnm(path, &pix, &w, &h, &ch)) < 0) break;
        ret = add_image(pix, w, h, ch, pw, ph, stride, transform, &all, &total, &cap);
        free(pix);
    }
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
    if (ret >= 0 && !total) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: no image in %s holds a %dx%d patch", dir, pw, ph);
        ret = NC_EINVAL;
    }
    if (ret < 0) {
        free(all);
        return ret;
    }
    /* Shuffle (Fisher-Yates), so that mini-batches mix images, then keep a prefix. */
    uint8_t *tmp = malloc(d);
    if (!tmp) {
        free(all);
        return NC_ENOMEM;
    }
    uint64_t s = seed;
    for (size_t i = total - 1; i > 0; i--) {
        size_t j = (size_t)(nci_splitmix64(&s) % (uint64_t)(i + 1));
        memcpy(tmp, all + i * d, d);
        memcpy(all + i * d, all + j * d, d);
        memcpy(all + j * d, tmp, d);
    }
    free(tmp);
    *data = all;
    *n = total < (size_t)max_samples ? (int)total : max_samples;
    *images = count;
    return 0;
}
