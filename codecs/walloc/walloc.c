/* What the walloc encoder and decoder share (walloc.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/walloc/latent_coder.h"
#include "codecs/walloc/walloc.h"
#include "libnc/codec_internal.h"
#include "libnc/nn/simd.h"
#include "nc/error.h"
#include "nc/log.h"

static int model_int(const void *log_ctx, const NCModel *m, const char *key, int *out)
{
    int64_t v;
    int ret = nc_model_param_int(m, key, &v);
    if (ret < 0 || v < 1 || v > 1024) {
        nc_log(log_ctx, NC_LOG_ERROR, "walloc: model parameter %s is missing or out of range", key);
        return NC_EMODEL;
    }
    *out = (int)v;
    return 0;
}

/* Channels the latent coder codes per image or audio block: an image's latents, or
 * an audio block's channels (mono or mid/side; their latents are the rows). */
static int coded_channels(const WallocShape *sh)
{
    return sh->audio ? WALLOC_AUDIO_CHANNELS : sh->latents;
}

/* The optional context priors "prior.p0", int32 [buckets, latents, contexts] (audio:
 * [buckets, 1, contexts], used for both channels of a block), 1..65535. */
static int load_prior(WallocContext *wc, const void *log_ctx)
{
    const NCModelTensor *t;
    const int audio = wc->shape.audio, nc = coded_channels(&wc->shape);
    int64_t dims[3] = {WALLOC_PRIOR_BUCKETS, audio ? 1 : nc, WALLOC_CONTEXTS};
    if (!nc_model_tensor(wc->model, "prior.p0")) return 0;
    int ret = nc_model_tensor_expect(wc->model, "prior.p0", 3, dims, &t);
    if (ret < 0) return ret;
    if (t->dtype != NC_MODEL_I32) {
        nc_log(log_ctx, NC_LOG_ERROR, "walloc: prior.p0 must be int32");
        return NC_EMODEL;
    }
    size_t per = (size_t)nc * WALLOC_CONTEXTS, stored = (size_t)dims[1] * WALLOC_CONTEXTS;
    if (!(wc->prior = malloc(WALLOC_PRIOR_BUCKETS * per * sizeof(uint16_t)))) return NC_ENOMEM;
    const int32_t *v = t->data;
    for (size_t i = 0; i < WALLOC_PRIOR_BUCKETS * per; i++) {
        int32_t p = v[i / per * stored + i % per % stored];
        if (p < 1 || p > 65535) {
            nc_log(log_ctx, NC_LOG_ERROR, "walloc: prior.p0 holds %d, outside 1..65535", p);
            return NC_EMODEL;
        }
        wc->prior[i] = (uint16_t)p;
    }
    return 0;
}

const uint16_t *walloc_prior(const WallocContext *wc, int quality)
{
    if (!wc->prior) return NULL;
    return wc->prior + (size_t)(quality / 8) * coded_channels(&wc->shape) * WALLOC_CONTEXTS;
}

/* Tensor i of the model as f32 (malloc'd into *out), checked against its shape. */
static int read_tensor(WallocContext *wc, int i, float **out, int shape[4])
{
    WallocNet names = {.shape = wc->shape};
    const char *name;
    int ndim;
    int64_t dims[4];
    const NCModelTensor *t;
    walloc_net_tensor(&names, i, &name, &ndim, shape);
    for (int d = 0; d < ndim; d++) dims[d] = shape[d];
    int ret = nc_model_tensor_expect(wc->model, name, ndim, dims, &t);
    if (ret < 0) return ret;
    if (!(*out = malloc((size_t)t->numel * sizeof(float)))) return NC_ENOMEM;
    return nc_model_tensor_to_f32(t, *out, t->numel);
}

/* A conv weight [cout][cin][ks][ks] (PyTorch's layout) -> one [cin][cout] matrix per
 * tap at dst, described by taps[ks * ks]; returns the end of what it wrote. */
static float *conv_taps(const float *w, int cout, int cin, int ks, float *dst, NNWeights *taps)
{
    for (int t = 0; t < ks * ks; t++) {
        for (int i = 0; i < cin; i++)
            for (int o = 0; o < cout; o++)
                dst[(size_t)i * cout + o] = w[((size_t)o * cin + i) * ks * ks + t];
        taps[t] = (NNWeights){NN_W_F32, cin, cout, dst, NULL};
        dst += (size_t)cin * cout;
    }
    return dst;
}

static int load_tensors(WallocContext *wc, const void *log_ctx)
{
    int levels, latents, hidden;
    int ret = model_int(log_ctx, wc->model, "levels", &levels);
    if (ret >= 0) ret = model_int(log_ctx, wc->model, "latents", &latents);
    if (ret >= 0) ret = model_int(log_ctx, wc->model, "hidden", &hidden);
    if (ret < 0) return ret;
    int audio = !strcmp(nc_model_arch(wc->model), WALLOC_AUDIO_ARCH);
    if (walloc_shape_init(&wc->shape, audio, levels, latents, hidden) < 0) {
        nc_log(log_ctx, NC_LOG_ERROR, "walloc: model shape %d/%d/%d is not supported", levels,
               latents, hidden);
        return NC_EMODEL;
    }
    const int nb = wc->shape.bands, nl = latents, nh = hidden;
    /* dec.weight, post1.weight, post2.weight, then the three biases */
    size_t total = (size_t)nl * nb + 9 * (size_t)nl * nh + 9 * (size_t)nh * nb + nb + nh + nb;
    float *t[WALLOC_TENSORS] = {0};
    int shape[4];
    if (!(wc->net_data = malloc(total * sizeof(float)))) return NC_ENOMEM;
    for (int i = 0; i < WALLOC_TENSORS && ret >= 0; i++) ret = read_tensor(wc, i, &t[i], shape);
    if (ret >= 0) {
        /* walloc_net_tensor()'s order: enc.w, dec.w, dec.b, post1.w, post1.b, post2.w, post2.b */
        float *at = conv_taps(t[1], nb, nl, 1, wc->net_data, &wc->dec_w);
        at = conv_taps(t[3], nh, nl, 3, at, wc->post1_w);
        at = conv_taps(t[5], nb, nh, 3, at, wc->post2_w);
        memcpy(at, t[2], (size_t)nb * sizeof(float));
        wc->dec_b = at;
        memcpy(at += nb, t[4], (size_t)nh * sizeof(float));
        wc->post1_b = at;
        memcpy(at += nh, t[6], (size_t)nb * sizeof(float));
        wc->post2_b = at;
        wc->enc_w = t[0]; /* [latents][bands] as stored */
        t[0] = NULL;
        wc->kernels = nn_kernels();
    }
    for (int i = 0; i < WALLOC_TENSORS; i++) free(t[i]);
    return ret < 0 ? ret : load_prior(wc, log_ctx);
}

int walloc_open(WallocContext *wc, NCCodecContext *log_ctx, const char *id, const char *path,
                const NCIModelPin *pin, int audio)
{
    int ret = nci_codec_find_model(log_ctx, &wc->model, id, path, pin);
    if (ret < 0) return ret;
    NCModel *model = wc->model;
    wc->model = NULL;
    if ((ret = walloc_open_model(wc, log_ctx, model)) < 0) return ret;
    if (wc->shape.audio != audio) {
        nc_log(log_ctx, NC_LOG_ERROR, "walloc: model %s codes %s, not %s", nc_model_id(model),
               wc->shape.audio ? "audio" : "images", audio ? "audio" : "images");
        return NC_EMODEL;
    }
    return 0;
}

int walloc_open_encoder(WallocContext *wc, NCCodecContext *ctx, const char *id, const char *path,
                        int audio)
{
    int ret = walloc_open(wc, ctx, id, path, NULL, audio);
    if (ret < 0) return ret;
    uint8_t header[WALLOC_HEADER_MAX_SIZE];
    size_t size = walloc_header_write(wc, header);
    return nc_codec_set_extradata(ctx, header, size);
}

int walloc_open_model(WallocContext *wc, const void *log_ctx, NCModel *model)
{
    wc->model = model;
    if (strcmp(nc_model_arch(model), WALLOC_ARCH) && strcmp(nc_model_arch(model), WALLOC_AUDIO_ARCH)) {
        nc_log(log_ctx, NC_LOG_ERROR, "walloc: model %s is a %s, not a %s or %s",
               nc_model_id(model), nc_model_arch(model), WALLOC_ARCH, WALLOC_AUDIO_ARCH);
        return NC_EMODEL;
    }
    return load_tensors(wc, log_ctx);
}

void walloc_close(WallocContext *wc)
{
    nc_model_free(&wc->model);
    free(wc->net_data);
    free(wc->act);
    free(wc->enc_w);
    free(wc->prior);
    free(wc->bands);
    free(wc->tmp);
    free(wc->q);
    free(wc->y);
    memset(wc, 0, sizeof(*wc));
}

size_t walloc_header_write(const WallocContext *wc, uint8_t buf[WALLOC_HEADER_MAX_SIZE])
{
    int version = wc->shape.audio ? WALLOC_HEADER_VERSION_AUDIO : WALLOC_HEADER_VERSION_IMAGE;
    return nci_model_header_write(buf, WALLOC_HEADER_ID_PREFIX, version, NULL, 0, wc->model);
}

int walloc_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, int version,
                        NCIModelPin *pin)
{
    int ret = nci_model_header_parse(log_ctx, buf, size, WALLOC_HEADER_MAGIC,
                                     WALLOC_HEADER_ID_PREFIX, WALLOC_HEADER_VERSION_IMAGE, NULL, 0,
                                     pin);
    if (ret >= 0 && pin->version != version) {
        nc_log(log_ctx, NC_LOG_ERROR, "walloc: stream header version %d, this decoder reads %d%s",
               pin->version, version,
               version == WALLOC_HEADER_VERSION_IMAGE ? " (version 1 image streams used the "
                                                        "coding order before 2026-12-04)" : "");
        ret = NC_ENOTSUP;
    }
    return ret;
}

int walloc_channels(enum NCPixelFormat fmt)
{
    return fmt == NC_PIX_GRAY8 ? 1 : fmt == NC_PIX_RGB24 ? 3 : 0;
}

int walloc_buffers(WallocContext *wc, size_t bands, size_t tmp, size_t q)
{
    if (bands > wc->bands_size) {
        free(wc->bands);
        wc->bands_size = (wc->bands = malloc(bands * sizeof(float))) ? bands : 0;
    }
    if (tmp > wc->tmp_size) {
        free(wc->tmp);
        wc->tmp_size = (wc->tmp = malloc(tmp * sizeof(float))) ? tmp : 0;
    }
    if (q > wc->q_size) {
        free(wc->q);
        wc->q_size = (wc->q = malloc(q * sizeof(int32_t))) ? q : 0;
    }
    return wc->bands_size >= bands && wc->tmp_size >= tmp && wc->q_size >= q ? 0 : NC_ENOMEM;
}

/* Buffers for a w x h image. */
static int buffers(WallocContext *wc, int w, int h, int *bw, int *bh)
{
    if (w < 1 || h < 1 || (int64_t)w * h > WALLOC_MAX_PIXELS) return NC_EINVAL;
    walloc_band_size(wc->shape.levels, w, h, bw, bh);
    size_t pixels = ((size_t)*bw * *bh) << (2 * wc->shape.levels);
    return walloc_buffers(wc, 3 * pixels, pixels, (size_t)*bw * *bh * wc->shape.latents);
}

/* Element-wise float operations in a fixed order: every version NN_SIMD_CLONES
 * makes gives the same latents. */
NN_SIMD_CLONES
void walloc_project(const WallocContext *wc, const float *bands, size_t n, float step,
                    float deadzone, int32_t *q, float *y, float *keep)
{
    const int nb = wc->shape.bands, nl = wc->shape.latents;
    float inv = 1.0f / step;
    for (int c = 0; c < nl; c++) {
        const float *wrow = wc->enc_w + (size_t)c * nb;
        if (keep) y = keep + c * n; /* accumulate where it is kept */
        for (size_t i = 0; i < n; i++) y[i] = 0;
        for (int b = 0; b < nb; b++) {
            const float *band = bands + b * n;
            float k = wrow[b] * inv;
            if (k == 0) continue; /* sparse projections (a colour transform) cost less */
            for (size_t i = 0; i < n; i++) y[i] += k * band[i];
        }
        int32_t *qc = q + c * n;
        for (size_t i = 0; i < n; i++) {
            float a = fabsf(y[i]) + 0.5f - deadzone;
            int32_t m = a <= 0 ? 0 : a >= WALLOC_MAX_MAG ? WALLOC_MAX_MAG : (int32_t)a;
            qc[i] = y[i] < 0 ? -m : m;
        }
    }
}

int walloc_encode_image(WallocContext *wc, RCEncoder *enc, const uint8_t *data,
                        ptrdiff_t linesize, int channels, int w, int h, int quality,
                        float deadzone, float lambda)
{
    int bw, bh, ret = buffers(wc, w, h, &bw, &bh);
    if (ret < 0) return ret;
    size_t n = (size_t)bw * bh, nq = n * wc->shape.latents;
    if (lambda > 0 && nq > wc->y_size) { /* the projection kept for the quantization choice */
        free(wc->y);
        wc->y_size = (wc->y = malloc(nq * sizeof(float))) ? nq : 0;
        if (!wc->y) return NC_ENOMEM;
    }
    float *y = lambda > 0 ? wc->y : NULL;
    WallocRdo rdo = {y, lambda};
    walloc_image_to_bands(data, linesize, channels, w, h, wc->shape.levels, wc->bands, wc->tmp);
    walloc_project(wc, wc->bands, n, walloc_step(quality), deadzone, wc->q, wc->tmp, y);
    rc_encode_bits(enc, (uint32_t)quality, 7);
    return walloc_encode_latents(enc, wc->q, wc->shape.latents, bw, bh, walloc_prior(wc, quality),
                                 wc->shape.levels, &rdo);
}

int walloc_decode_latents_of_image(WallocContext *wc, RCDecoder *dec, int w, int h, int *quality)
{
    int bw, bh, ret = buffers(wc, w, h, &bw, &bh);
    if (ret < 0) return ret;
    *quality = (int)rc_decode_bits(dec, 7);
    if (*quality > WALLOC_MAX_QUALITY) return NC_EINVALIDDATA;
    return walloc_decode_latents(dec, wc->q, wc->shape.latents, bw, bh, walloc_prior(wc, *quality),
                                 wc->shape.levels);
}

int walloc_decode_net(WallocContext *wc, const int32_t *q, float step, int bw, int bh,
                      float *bands)
{
    const int nl = wc->shape.latents, nh = wc->shape.hidden, nb = wc->shape.bands;
    const size_t n = (size_t)bw * bh, need = n * ((size_t)nl + nh + 2 * (size_t)nb);
    if (need > wc->act_size) {
        free(wc->act);
        wc->act_size = (wc->act = malloc(need * sizeof(float))) ? need : 0;
        if (!wc->act) return NC_ENOMEM;
    }
    float *x = wc->act, *hid = x + n * nl, *base = hid + n * nh, *res = base + n * nb;
    /* latents * step, pixel-major: the kernels' layout */
    for (int c = 0; c < nl; c++)
        for (size_t i = 0; i < n; i++) x[i * nl + c] = (float)q[c * n + i] * step;
    /* bands = dec(x) + post2(gelu(post1(x))) (walloc_net.h). The kernels' GELU is the
     * tanh form, the trainer's the erf form: they differ by < 1e-3, far inside the
     * reconstruction tolerance (conformance/spec/walloc.md). */
    const NNKernels *k = wc->kernels;
    nn_conv2d_same(k, &wc->dec_w, 1, wc->dec_b, x, bh, bw, base);
    nn_conv2d_same(k, wc->post1_w, 3, wc->post1_b, x, bh, bw, hid);
    k->gelu(hid, n * nh);
    nn_conv2d_same(k, wc->post2_w, 3, wc->post2_b, hid, bh, bw, res);
    for (int b = 0; b < nb; b++)
        for (size_t i = 0; i < n; i++) bands[b * n + i] = base[i * nb + b] + res[i * nb + b];
    return 0;
}

int walloc_reconstruct(WallocContext *wc, int quality, uint8_t *data, ptrdiff_t linesize,
                       int channels, int w, int h)
{
    int bw, bh, ret = buffers(wc, w, h, &bw, &bh);
    if (ret >= 0) ret = walloc_decode_net(wc, wc->q, walloc_step(quality), bw, bh, wc->bands);
    if (ret < 0) return ret;
    /* Per channel, the bands become a padded plane in place (bands_to_image). */
    walloc_bands_to_image(wc->bands, wc->shape.levels, w, h, data, linesize, channels, wc->tmp);
    return 0;
}

const enum NCPixelFormat walloc_pix_fmts[] = {NC_PIX_GRAY8, NC_PIX_RGB24, NC_PIX_NONE};
