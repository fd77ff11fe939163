/* nc-train walloc: rate-distortion training of the WaLLoC image network on random
 * crops of a folder of PGM/PPM photos (scripts/photos-to-pnm).
 *
 * One model serves every quality: each step draws a quantization step from a
 * log-uniform range and minimizes MSE / step^2 + ln(2) / 18 * bits per pixel,
 * the rate measured on latents with uniform noise of that width (the usual
 * proxy), the distortion on latents rounded for real (straight-through). The weight
 * ln(2)/18 is what high-rate theory gives for a uniform quantizer with this step
 * (dD/dR = -2 ln 2 D per coefficient, D = step^2 / 12, three values per pixel),
 * so each step of the range is trained for the rate it will code at. The rate is
 * that of a learned per-channel logistic prior (its inverse scales are trained
 * with the network; the codec's adaptive context coder replaces it).
 * The distortion is measured on the bands: the transform is close to orthonormal
 * (libnc/dsp/wavelet.h), so band MSE stands for pixel MSE and no inverse transform
 * is needed in the graph.
 *
 * -o media=audio trains an audio model (walloc_audio.h) the same way on random
 * crops of the 44.1 kHz mono WAV files of --data: one channel's 1-D bands as a
 * grid of one row, the rate per coded value (ln 2 / 6 per bit per value, the
 * same slope). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_image_files.h"
#include "libnc/nn/train_audio.h"
#include "codecs/walloc/walloc_audio.h"
#include "codecs/walloc/latent_coder.h"
#include "codecs/walloc/walloc.h"
#include "codecs/walloc/walloc_net.h"
#include "codecs/walloc/walloc_train.h"
#include "libnc/nn/ops.h"
#include "libnc/nn/params.h"
#include "nc/error.h"
#include "nc/log.h"

#define MAX_IMAGES 4096

typedef struct Image {
    uint8_t *pixels;
    int w, h, channels;
} Image;

typedef struct Trainer {
    WallocNet net;
    NNTensor *inv_scale; /* [latents, 1, 1, 1]: the logistic prior's 1 / scale */
    Image *images;
    int n_images;
    NNAudioSet music; /* audio mode's training files */
    int64_t total_pixels;
    int batch, patch; /* images: patch x patch pixels; audio: patch samples */
    double step_min, step_max;
    float encoder_lr; /* learning-rate scale of the encoder projection (0: fixed) */
    float *bands, *tmp;
    double mse_sum, bpp_sum;
    int logged;
} Trainer;

static int is_pnm(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (!strcmp(name + n - 4, ".ppm") || !strcmp(name + n - 4, ".pgm"));
}

static int compare_images(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every PGM/PPM of dir at least patch x patch, in name order. */
static int read_images(Trainer *t, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        nc_log(NULL, NC_LOG_ERROR, "walloc: cannot read the folder %s", dir);
        return NC_EIO;
    }
    char *names[MAX_IMAGES];
    int n = 0, ret = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_IMAGES)
        if (is_pnm(e->d_name)) {
            size_t len = strlen(dir) + strlen(e->d_name) + 2;
            if (!(names[n] = malloc(len))) break;
            snprintf(names[n++], len, "%s/%s", dir, e->d_name);
        }
    closedir(d);
    qsort(names, (size_t)n, sizeof(char *), compare_images);
    t->images = calloc((size_t)n + 1, sizeof(Image));
    if (!t->images) ret = NC_ENOMEM;
    for (int i = 0; i < n && ret >= 0; i++) {
        Image *im = &t->images[t->n_images];
        if ((ret = pc_read_pnm(names[i], &im->pixels, &im->w, &im->h, &im->channels)) < 0) break;
        if (im->w < t->patch || im->h < t->patch) {
            free(im->pixels);
            continue;
        }
        t->total_pixels += (int64_t)im->w * im->h;
        t->n_images++;
    }
    for (int i = 0; i < n; i++) free(names[i]);
    if (ret >= 0 && !t->n_images) {
        nc_log(NULL, NC_LOG_ERROR, "walloc: no PGM/PPM of at least %dx%d in %s", t->patch,
               t->patch, dir);
        ret = NC_EINVAL;
    }
    return ret;
}

/* A crop position drawn uniformly over all pixels of all images. */
static const Image *draw_crop(const Trainer *t, NNRng *rng, int *x, int *y)
{
    int64_t at = (int64_t)(nn_rng_next(rng) % (uint64_t)t->total_pixels);
    int i = 0;
    while (at >= (int64_t)t->images[i].w * t->images[i].h) {
        at -= (int64_t)t->images[i].w * t->images[i].h;
        i++;
    }
    const Image *im = &t->images[i];
    *x = (int)(nn_rng_next(rng) % (uint64_t)(im->w - t->patch + 1));
    *y = (int)(nn_rng_next(rng) % (uint64_t)(im->h - t->patch + 1));
    return im;
}

/* The decoder network (walloc_net.h) on the training graph: latents [N, latents, h, w]
 * (already multiplied by the step) -> bands [N, bands, h, w]. The codec runs the same
 * network with libnc/nn's inference kernels (walloc.c). */
static NNTensor *walloc_net_decode(NNGraph *g, const WallocNet *net, NNTensor *latents)
{
    NNConvParams p1 = nn_conv2d_params(1, 0, 1, 1), p3 = nn_conv2d_params(1, 1, 1, 1);
    NNTensor *base = nn_conv2d(g, latents, net->dec_w, net->dec_b, p1);
    NNTensor *h = nn_gelu(g, nn_conv2d(g, latents, net->post1_w, net->post1_b, p3));
    return nn_add(g, base, nn_conv2d(g, h, net->post2_w, net->post2_b, p3));
}

static NNTensor *train_step(void *ctx, NNGraph *g, int64_t step, NNRng *rng)
{
    Trainer *t = ctx;
    const WallocShape *sh = &t->net.shape;
    /* the band grid: side x side for images, 1 x (patch / 2^levels) for audio */
    int cols = t->patch >> sh->levels, rows = sh->audio ? 1 : cols;
    size_t per = (size_t)sh->bands * rows * cols;
    for (int b = 0; b < t->batch; b++) {
        if (sh->audio) {
            nn_audio_crop(&t->music, rng, t->tmp, t->patch);
            walloc_audio_to_bands(t->tmp, t->patch, t->patch, sh->levels, t->bands + b * per,
                                  t->tmp + t->patch);
            continue;
        }
        int x, y;
        const Image *im = draw_crop(t, rng, &x, &y);
        ptrdiff_t ls = (ptrdiff_t)im->w * im->channels;
        walloc_image_to_bands(im->pixels + y * ls + (ptrdiff_t)x * im->channels, ls, im->channels,
                              t->patch, t->patch, sh->levels, t->bands + b * per, t->tmp);
    }
    double q = exp(log(t->step_min) + nn_rng_uniform(rng) * log(t->step_max / t->step_min));
    float qs = (float)q;
    NNTensor *x = nn_tensor_from(g, 4, (int[]){t->batch, sh->bands, rows, cols}, t->bands);
    NNTensor *noise = nn_tensor4(g, t->batch, sh->latents, rows, cols);
    if (!x || !noise) return NULL;
    for (int64_t i = 0; i < noise->numel; i++) noise->data[i] = (nn_rng_uniform(rng) - 0.5f) * qs;
    NNConvParams p1 = nn_conv2d_params(1, 0, 1, 1);
    NNConvParams dw = nn_conv2d_params(1, 0, 1, sh->latents);
    NNTensor *y = nn_conv2d(g, x, t->net.enc_w, NULL, p1);
    NNTensor *yn = nn_add(g, y, noise);
    /* The decoder sees the latents really rounded (straight-through: the rounding
     * error is a constant added to y), the rate sees them with uniform noise:
     * a decoder trained on noise learns to remove noise that rounding does not
     * make (it lost 3.4 dB at quality 72 against the rounded latents). */
    NNTensor *rounding = nn_tensor4(g, t->batch, sh->latents, rows, cols);
    if (!y || !rounding) return NULL;
    for (int64_t i = 0; i < rounding->numel; i++)
        rounding->data[i] = roundf(y->data[i] / qs) * qs - y->data[i];
    NNTensor *yq = nn_add(g, y, rounding);
    NNTensor *a = nn_abs(g, t->inv_scale);
    NNTensor *hi = nn_sigmoid(g, nn_conv2d(g, nn_add_const(g, yn, qs / 2), a, NULL, dw));
    NNTensor *lo = nn_sigmoid(g, nn_conv2d(g, nn_add_const(g, yn, -qs / 2), a, NULL, dw));
    /* coded values: three per pixel, one per audio sample */
    double values = (double)t->batch * t->patch * (sh->audio ? 1 : 3 * t->patch);
    NNTensor *bits = nn_scale(g, nn_sum(g, nn_log(g, nn_sub(g, hi, lo), 1e-9f)),
                              (float)(-1.0 / (log(2.0) * values)));
    NNTensor *mse = nn_mse_loss(g, walloc_net_decode(g, &t->net, yq), x);
    if (!bits || !mse) return NULL;
    t->mse_sum += mse->data[0] / (q * q);
    t->bpp_sum += bits->data[0];
    if (++t->logged == 200) {
        nc_log(NULL, NC_LOG_INFO, "walloc: step %lld: MSE/step^2 %.4f (1/12 = noise only), %.3f bits/value\n",
               (long long)step, t->mse_sum / 200, t->bpp_sum / 200);
        t->mse_sum = t->bpp_sum = 0;
        t->logged = 0;
    }
    return nn_add(g, nn_scale(g, mse, (float)(1.0 / (q * q))), nn_scale(g, bits, (float)(log(2.0) / 6)));
}

static const char *const known_options[] = {"levels", "latents", "hidden", "batch", "patch", "lr",
                                            "step_min", "step_max", "init", "encoder_lr", "from",
                                            "media", NULL};

/* The orthonormal start (latents == bands): an orthonormal colour transform
 * (luma and two opponent axes) applied band by band, so the codec begins as a
 * classical wavelet-packet coder and the post-network starts from its output. */
static void init_orthonormal(WallocNet *net)
{
    const WallocShape *sh = &net->shape;
    if (sh->audio) { /* audio: the bands in frequency order (the inverse Gray code) */
        memset(net->enc_w->data, 0, (size_t)net->enc_w->numel * sizeof(float));
        memset(net->dec_w->data, 0, (size_t)net->dec_w->numel * sizeof(float));
        memset(net->dec_b->data, 0, (size_t)net->dec_b->numel * sizeof(float));
        for (int r = 0; r < sh->latents; r++) {
            int b = r ^ (r >> 1);
            net->enc_w->data[r * sh->bands + b] = 1;
            net->dec_w->data[b * sh->latents + r] = 1;
        }
        return;
    }
    const double a = 1 / sqrt(3.0), b = 1 / sqrt(2.0), c = 1 / sqrt(6.0);
    const double m[3][3] = {{a, a, a}, {b, 0, -b}, {c, -2 * c, c}};
    int per = sh->bands / 3;
    memset(net->enc_w->data, 0, (size_t)net->enc_w->numel * sizeof(float));
    memset(net->dec_w->data, 0, (size_t)net->dec_w->numel * sizeof(float));
    memset(net->dec_b->data, 0, (size_t)net->dec_b->numel * sizeof(float));
    for (int k = 0; k < 3; k++)
        for (int ch = 0; ch < 3; ch++)
            for (int band = 0; band < per; band++) {
                int lat = k * per + band, in = ch * per + band;
                net->enc_w->data[lat * sh->bands + in] = (float)m[k][ch];
                net->dec_w->data[in * sh->latents + lat] = (float)m[k][ch];
            }
}

static int setup(const NCTrainJob *job, Trainer *t, NNParams *ps, double *lr)
{
    int64_t levels, latents, hidden, batch, patch;
    double encoder_lr;
    const char *media = train_option(job, "media");
    int audio = media && !strcmp(media, "audio");
    if (media && !audio && strcmp(media, "image")) {
        nc_log(NULL, NC_LOG_ERROR, "walloc: media is image or audio");
        return NC_EINVAL;
    }
    int ret = train_check_options(job, known_options);
    if (ret >= 0)
        ret = train_option_int(job, "levels", audio ? 8 : 3, 1,
                               audio ? WALLOC_MAX_AUDIO_LEVELS : WALLOC_MAX_LEVELS, &levels);
    if (ret >= 0)
        ret = train_option_int(job, "latents", audio ? 1 << levels : 192, 1, WALLOC_MAX_LATENTS,
                               &latents);
    if (ret >= 0) ret = train_option_int(job, "hidden", 64, 1, WALLOC_MAX_HIDDEN, &hidden);
    if (ret >= 0) ret = train_option_int(job, "batch", audio ? 16 : 8, 1, 1024, &batch);
    if (ret >= 0) ret = train_option_int(job, "patch", audio ? 16384 : 128, 16, 1 << 20, &patch);
    if (ret >= 0) ret = train_option_float(job, "lr", 1e-3, 1e-6, 1.0, lr);
    if (ret >= 0)
        ret = train_option_float(job, "step_min", audio ? 0.003 : 0.05, 1e-5, 10, &t->step_min);
    if (ret >= 0)
        ret = train_option_float(job, "step_max", audio ? 0.2 : 1.5, 1e-5, 10, &t->step_max);
    if (ret >= 0) ret = train_option_float(job, "encoder_lr", 0, 0, 10, &encoder_lr);
    const char *init_kind = train_option(job, "init");
    int orthonormal = !init_kind || !strcmp(init_kind, "orthonormal");
    if (ret >= 0 && init_kind && !orthonormal && strcmp(init_kind, "random")) {
        nc_log(NULL, NC_LOG_ERROR, "walloc: init is orthonormal or random");
        ret = NC_EINVAL;
    }
    if (ret >= 0)
        ret = walloc_shape_init(&t->net.shape, audio, (int)levels, (int)latents, (int)hidden);
    if (ret < 0) return ret;
    if (patch % (1 << levels) || t->step_min > t->step_max || (!audio && patch > 512)) {
        nc_log(NULL, NC_LOG_ERROR, "walloc: patch must be a multiple of 2^levels (images: <= 512), "
               "step_min <= step_max");
        return NC_EINVAL;
    }
    if (orthonormal && latents != t->net.shape.bands) {
        nc_log(NULL, NC_LOG_ERROR, "walloc: init=orthonormal needs latents = bands (images 3 * 4^levels, audio 2^levels)");
        return NC_EINVAL;
    }
    t->batch = (int)batch, t->patch = (int)patch;
    t->encoder_lr = (float)encoder_lr;
    NNRng init;
    nn_rng_seed(&init, job->seed ^ 0x3a110c);
    for (int i = 0; i < WALLOC_TENSORS; i++) {
        const char *name;
        int ndim, shape[4];
        NNTensor **slot = walloc_net_tensor(&t->net, i, &name, &ndim, shape);
        /* groups: 0 weights, 1 biases, 2 the encoder (its own learning rate) */
        int group = i == 0 ? 2 : ndim == 1;
        if (!(*slot = nn_param(ps, name, ndim, shape, group))) return NC_ENOMEM;
        if (ndim > 1) nn_init_default(*slot, &init);
    }
    /* The residual post-network starts near zero: training begins from the linear codec. */
    for (int64_t i = 0; i < t->net.post2_w->numel; i++) t->net.post2_w->data[i] *= 0.1f;
    if (orthonormal) init_orthonormal(&t->net);
    t->inv_scale = nn_param(ps, "rate.inv_scale", 4, (int[]){(int)latents, 1, 1, 1}, 1);
    if (!t->inv_scale) return NC_ENOMEM;
    nn_init_const(t->inv_scale, 10.0f);
    size_t pp = (size_t)patch * (audio ? 1 : patch);
    t->bands = malloc((size_t)batch * (audio ? 1 : 3) * pp * sizeof(float));
    t->tmp = malloc((audio ? 2 : 1) * pp * sizeof(float));
    return t->bands && t->tmp ? 0 : NC_ENOMEM;
}

/* The model file's parameters and tensors, without the priors. */
static NCModelWriter *model_writer(const NCTrainJob *job, const Trainer *t, const NNParams *ps,
                                   int64_t steps)
{
    char id[64];
    if (train_model_id(job, id) < 0) return NULL;
    const WallocShape *sh = &t->net.shape;
    NCModelWriter *w = nc_model_writer_alloc(id, sh->audio ? WALLOC_AUDIO_ARCH : WALLOC_ARCH);
    if (!w) return NULL;
    int ret = nc_model_writer_set_param_int(w, "levels", sh->levels);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "latents", sh->latents);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "hidden", sh->hidden);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.steps", steps);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.seed", (int64_t)job->seed);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.batch", t->batch);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.patch", t->patch);
    if (ret >= 0 && !sh->audio) ret = nc_model_writer_set_param_int(w, "train.images", t->n_images);
    if (ret >= 0 && sh->audio) ret = nc_model_writer_set_param_int(w, "train.files", t->music.files);
    if (ret >= 0 && sh->audio)
        ret = nc_model_writer_set_param_int(w, "train.samples", t->music.total);
    if (ret >= 0) ret = nc_model_writer_set_param_float(w, "train.encoder_lr", t->encoder_lr);
    if (ret >= 0) ret = nc_model_writer_set_param_float(w, "train.step_min", t->step_min);
    if (ret >= 0) ret = nc_model_writer_set_param_float(w, "train.step_max", t->step_max);
    if (ret >= 0) ret = nn_params_save(ps, w, NC_MODEL_F32);
    if (ret < 0) nc_model_writer_free(&w);
    return w;
}

/* Context priors (latent_coder.h): for each bucket of 8 qualities, the share of
 * zeros each context sees when the training images (audio: AUDIO_PRIOR_BLOCKS
 * random blocks, mono) are coded at the bucket's middle quality, as P(0) * 2^16
 * with add-one-half smoothing. Audio models store one channel's priors; both
 * channels of a stereo block start from them (walloc.c). */
#define AUDIO_PRIOR_BLOCKS 96
static int compute_priors(const Trainer *t, WallocContext *wc, int32_t *prior)
{
    const int audio = wc->shape.audio;
    size_t per = (size_t)(audio ? 1 : wc->shape.latents) * WALLOC_CONTEXTS;
    uint32_t *counts = malloc(per * 2 * sizeof(uint32_t));
    float *crop = audio ? malloc(WALLOC_AUDIO_BLOCK * sizeof(float)) : NULL;
    RCEncoder enc;
    rc_enc_init(&enc);
    int ret = counts && (crop || !audio) ? 0 : NC_ENOMEM;
    for (int b = 0; b < WALLOC_PRIOR_BUCKETS && ret >= 0; b++) {
        int quality = b * 8 + 4 > WALLOC_MAX_QUALITY ? WALLOC_MAX_QUALITY : b * 8 + 4;
        double bits = 0, pixels = 0;
        memset(counts, 0, per * 2 * sizeof(uint32_t));
        NNRng rng; /* audio: the same AUDIO_PRIOR_BLOCKS crops for every bucket */
        nn_rng_seed(&rng, 0x9a1012);
        for (int i = 0; audio && i < AUDIO_PRIOR_BLOCKS && ret >= 0; i++) {
            const float *planes[1] = {crop};
            nn_audio_crop(&t->music, &rng, crop, WALLOC_AUDIO_BLOCK);
            rc_enc_reset(&enc);
            ret = walloc_audio_analyze(wc, planes, 1, WALLOC_AUDIO_BLOCK);
            if (ret >= 0)
                ret = walloc_audio_code(wc, &enc, 1, WALLOC_AUDIO_BLOCK, 0, quality,
                                        WALLOC_DEFAULT_DEADZONE);
            if (ret >= 0)
                ret = walloc_count_latents(wc->q, 1, WALLOC_AUDIO_BLOCK >> wc->shape.levels,
                                           wc->shape.latents, counts, 0);
            if (ret >= 0) ret = rc_enc_flush(&enc);
            bits += 8.0 * (double)enc.size;
            pixels += WALLOC_AUDIO_BLOCK;
        }
        for (int i = 0; !audio && i < t->n_images && ret >= 0; i++) {
            const Image *im = &t->images[i];
            int bw, bh;
            rc_enc_reset(&enc);
            ret = walloc_encode_image(wc, &enc, im->pixels, (ptrdiff_t)im->w * im->channels,
                                      im->channels, im->w, im->h, quality,
                                      WALLOC_IMAGE_DEADZONE, WALLOC_DEFAULT_LAMBDA);
            walloc_band_size(wc->shape.levels, im->w, im->h, &bw, &bh);
            if (ret >= 0) ret = walloc_count_latents(wc->q, wc->shape.latents, bw, bh, counts,
                                                          wc->shape.levels);
            if (ret >= 0) ret = rc_enc_flush(&enc);
            bits += 8.0 * (double)enc.size;
            pixels += (double)im->w * im->h;
        }
        for (size_t k = 0; k < per; k++) {
            uint64_t n0 = counts[2 * k], n = n0 + counts[2 * k + 1];
            uint64_t p = ((2 * n0 + 1) << 16) / (2 * n + 2);
            prior[b * per + k] = (int32_t)(p < 64 ? 64 : p > 65472 ? 65472 : p);
        }
        nc_log(NULL, NC_LOG_INFO, "walloc: priors for quality %d (coded without: %.3f bits/%s)\n",
               quality, bits / pixels, audio ? "sample" : "pixel");
    }
    rc_enc_free(&enc);
    free(counts);
    free(crop);
    return ret;
}

/* Writes the model: the network, then the priors measured with it. */
static int write_model(const NCTrainJob *job, const Trainer *t, const NNParams *ps, int64_t steps)
{
    NCModelWriter *w = model_writer(job, t, ps, steps);
    uint8_t *image = NULL;
    size_t size = 0;
    NCModel *model = NULL;
    WallocContext wc;
    memset(&wc, 0, sizeof(wc));
    if (!w) return NC_ENOMEM;
    int ret = nc_model_writer_write_memory(w, &image, &size, NULL);
    nc_model_writer_free(&w);
    if (ret >= 0) ret = nc_model_load_memory(&model, image, size);
    free(image);
    if (ret >= 0) ret = walloc_open_model(&wc, NULL, model);
    int64_t dims[3] = {WALLOC_PRIOR_BUCKETS, t->net.shape.audio ? 1 : t->net.shape.latents,
                       WALLOC_CONTEXTS};
    int32_t *prior = malloc((size_t)(dims[0] * dims[1] * dims[2]) * sizeof(int32_t));
    if (ret >= 0 && !prior) ret = NC_ENOMEM;
    if (ret >= 0) ret = compute_priors(t, &wc, prior);
    walloc_close(&wc);
    if (ret >= 0 && !(w = model_writer(job, t, ps, steps))) ret = NC_ENOMEM;
    if (ret >= 0) ret = nc_model_writer_add_tensor(w, "prior.p0", NC_MODEL_I32, 3, dims, prior, NULL);
    if (ret >= 0) ret = nc_model_writer_write_file(w, job->out_path, NULL);
    nc_model_writer_free(&w);
    free(prior);
    return ret;
}

/* -o from=MODEL.ncm: the network of an earlier run (same shape options), for
 * writing a model again (e.g. with priors) without training. */
static int load_from(const char *path, NNParams *ps, int64_t *steps)
{
    NCModel *m = NULL;
    int ret = nc_model_load_file(&m, path);
    if (ret >= 0) ret = nn_params_load(ps, m);
    *steps = 0;
    if (ret >= 0 && nc_model_param(m, "train.steps")) nc_model_param_int(m, "train.steps", steps);
    nc_model_free(&m);
    return ret;
}

static int train(const NCTrainJob *job)
{
    Trainer t;
    memset(&t, 0, sizeof(t));
    NNParams *ps = nn_params_alloc();
    double lr = 0, loss = 0;
    if (!ps) return NC_ENOMEM;
    int ret = setup(job, &t, ps, &lr);
    if (ret >= 0 && t.net.shape.audio) {
        t.music.rate = 44100;
        ret = nn_audio_add_dir(&t.music, job->data_dir);
        if (ret == 0 || (ret > 0 && t.music.total < t.patch)) {
            nc_log(NULL, NC_LOG_ERROR, "walloc: no 44.1 kHz mono 16-bit WAV in %s", job->data_dir);
            ret = NC_EINVAL;
        }
    } else if (ret >= 0) {
        ret = read_images(&t, job->data_dir);
    }
    const char *from = train_option(job, "from");
    if (ret >= 0 && from) {
        int64_t steps = 0;
        ret = load_from(from, ps, &steps);
        if (job->steps > 0) steps = job->steps; /* a checkpoint does not record it */
        if (ret >= 0) ret = write_model(job, &t, ps, steps);
    } else if (ret >= 0) {
        int64_t total = job->steps > 0 ? job->steps : 4000;
        NNOptim o;
        nn_optim_init(&o, NN_ADAM);
        o.clip_norm = 1.0f;
        o.groups[2].lr_scale = t.encoder_lr;
        NNSchedule sched = {NN_LR_COSINE, (float)lr, total / 50, total, (float)lr * 0.02f, 0, 0};
        ret = train_run(job, t.net.shape.audio ? WALLOC_AUDIO_ARCH : WALLOC_ARCH, ps, &o, &sched, total, train_step, &t, &loss);
        if (ret >= 0) {
            nc_log(NULL, NC_LOG_INFO, "walloc: final training loss %.5g\n", loss);
            ret = write_model(job, &t, ps, total);
        }
    }
    for (int i = 0; i < t.n_images; i++) free(t.images[i].pixels);
    free(t.images);
    nn_audio_free(&t.music);
    free(t.bands);
    free(t.tmp);
    nn_params_free(&ps);
    return ret;
}

const NCTrainer walloc_trainer = {
    "walloc",
    "The WaLLoC image network (wavelet packets, linear projection, post-network) by\n"
    "rate-distortion training on random crops of --data's PGM/PPM photos (see\n"
    "scripts/photos-to-pnm). Options: levels=3 latents=192 hidden=64 batch=8 patch=128\n"
    "lr=1e-3 step_min=0.05 step_max=1.5 init=orthonormal|random encoder_lr=0 (learning-rate\n"
    "scale of the encoder projection; 0 keeps the orthonormal start) from=MODEL.ncm (no\n"
    "training: rewrite that model or checkpoint with context priors measured on --data;\n"
    "--steps then only records how long it was trained).\n"
    "media=audio: an audio model (walloc_audio) on --data's 44.1 kHz mono WAV files;\n"
    "defaults levels=8 latents=256 hidden=64 batch=16 patch=16384 (samples) step_min=0.003\n"
    "step_max=0.2.",
    train,
};
