/* The deterministic inference mode: its elementary functions against libm (in
 * double), and a small network whose outputs must hash to the same SHA-256 in
 * every build: gcc and clang, -O0 to -O3, ASan, any OpenBLAS thread count. CI
 * builds all of those, so a change in any bit fails here. Usage: no arguments;
 * "--print" prints the hash instead of checking it. */
#include <math.h>
#include <string.h>

#include "libnc/bytes.h"
#include "libnc/model/sha256.h"
#include "libnc/nn/det_math.h"
#include "libnc/nn/ops.h"
#include "nc/error.h"
#include "nc/log.h"
#include "tests/test.h"

/* The hash of the network's outputs, the same wherever this test runs. */
static const char golden[] =
    "69e7de9f1787eedad114b366248f57783bb2a90515f755a98cb90afb11f2d967";

static double max_err;

static void track(const char *name, double x, double got, double want, double tol)
{
    double err = fabs(got - want);
    if (!(err <= tol)) {
        fprintf(stderr, "%s(%.9g) = %.9g, libm %.9g\n", name, x, got, want);
        CHECK(!"deterministic function off");
    }
    if (err / (tol > 0 ? tol : 1) > max_err)
        max_err = err / tol;
}

static void test_functions(void)
{
    for (double x = -87; x < 88; x += 0.01337) {
        double e = exp(x);
        track("exp", x, nn_det_exp((float)x), exp((double)(float)x), 4e-7 * e);
        track("tanh", x, nn_det_tanh((float)(x / 8)), tanh((double)(float)(x / 8)),
              3e-7 * fabs(tanh(x / 8)) + 1e-9);
        track("sigmoid", x, nn_det_sigmoid((float)(x / 4)),
              1 / (1 + exp(-(double)(float)(x / 4))), 3e-7 / (1 + exp(-x / 4)) + 1e-30);
        float xf = (float)(x / 16);
        track("erf", xf, nn_det_erf(xf), erf(xf), 2e-7 * fabs(erf(xf)) + (fabs(xf) < 1.5f ? 1e-9 : 2e-7));
        track("gelu", xf, nn_det_gelu(xf), 0.5 * xf * (1 + erf(xf / sqrt(2.0))),
              2e-7 * (fabs(xf) + 1));
        track("expm1", xf, nn_det_expm1(xf), expm1(xf), 3e-7 * fabs(expm1(xf)) + 1e-12);
    }
    for (double x = 1e-40; x < 1e38; x *= 1.0371) {
        float xf = (float)x;
        track("log", xf, nn_det_log(xf), log((double)xf), 2e-7 * fabs(log((double)xf)) + 1e-7);
    }
    CHECK(nn_det_exp(100) == HUGE_VALF && nn_det_exp(-200) == 0 && nn_det_exp(0) == 1);
    CHECK(nn_det_log(1) == 0 && nn_det_log(0) == -HUGE_VALF && isnan(nn_det_log(-1)));
    CHECK(nn_det_tanh(20) == 1 && nn_det_tanh(-20) == -1 && nn_det_tanh(0) == 0);
}

/* Exact small weights from an integer generator: k / 1024 with |k| <= 1000. */
static uint32_t lcg = 12345;
static void fill(NNTensor *t, float scale)
{
    for (int64_t i = 0; i < t->numel; i++) {
        lcg = lcg * 1664525u + 1013904223u;
        t->data[i] = (float)((int)(lcg >> 8) % 2001 - 1000) / 1024.0f * scale;
    }
}

/* conv1d -> gelu -> grouped dilated conv1d -> tanh -> linear -> layer norm -> silu
 * -> linear -> log_softmax, plus sigmoid and elu branches and an image branch. */
static NNTensor *run_net(NNGraph *g, float *flat, int64_t *n)
{
    lcg = 12345;
    NNTensor *x = nn_tensor3(g, 2, 4, 32), *w1 = nn_tensor3(g, 16, 4, 5), *b1 = nn_tensor(g, 1, (int[]){16});
    NNTensor *w2 = nn_tensor3(g, 16, 4, 3), *w3 = nn_tensor2(g, 24, 32), *b3 = nn_tensor(g, 1, (int[]){24});
    NNTensor *gm = nn_tensor(g, 1, (int[]){24}), *bt = nn_tensor(g, 1, (int[]){24});
    NNTensor *w4 = nn_tensor2(g, 10, 24);
    NNTensor *all[] = {x, w1, b1, w2, w3, b3, gm, bt, w4};
    for (int i = 0; i < 9; i++)
        if (all[i])
            fill(all[i], i == 0 ? 2.0f : 0.5f);
    NNTensor *h = nn_gelu(g, nn_conv1d(g, x, w1, b1, nn_conv1d_params(1, -1, 1, 1, 5)));
    h = nn_tanh(g, nn_conv1d(g, h, w2, NULL, nn_conv1d_params(1, 2, 2, 4, 3)));
    NNTensor *z = nn_layer_norm(g, nn_linear(g, h, w3, b3), gm, bt, 1e-5f);
    NNTensor *logits = nn_linear(g, nn_silu(g, z), w4, NULL);
    NNTensor *lp = nn_log_softmax(g, logits);
    NNTensor *sg = nn_sigmoid(g, logits), *el = nn_elu(g, z, 1.0f);
    /* an image branch: conv2d -> group norm -> gelu -> transposed conv -> pixel
     * shuffle -> bilinear -> softmax, plus an embedding */
    NNTensor *img = nn_tensor4(g, 1, 3, 6, 5), *k2 = nn_tensor4(g, 8, 3, 3, 3);
    NNTensor *kt = nn_tensor4(g, 8, 8, 4, 4), *gg = nn_tensor(g, 1, (int[]){8});
    NNTensor *emb = nn_tensor2(g, 7, 4);
    NNTensor *more[] = {img, k2, kt, gg, emb};
    for (int i = 0; i < 5; i++)
        if (more[i])
            fill(more[i], 0.5f);
    NNTensor *c2 = nn_conv2d(g, img, k2, NULL, nn_conv2d_params(1, 1, 1, 1));
    NNTensor *h2 = nn_gelu(g, nn_group_norm(g, c2, 4, gg, NULL, 1e-5f));
    h2 = nn_conv_transpose2d(g, h2, kt, NULL, nn_conv2d_params(2, 1, 1, 1));
    h2 = nn_upsample_bilinear(g, nn_pixel_shuffle(g, h2, 2), 2);
    NNTensor *sm = nn_softmax(g, h2);
    NNTensor *em = nn_embedding(g, emb, (const int[]){3, 0, 6, 3}, 4);
    if (!lp || !sg || !el || !sm || !em)
        return NULL;
    *n = 0;
    NNTensor *outs[5] = {lp, sg, el, sm, em};
    for (int i = 0; i < 5; i++) {
        memcpy(flat + *n, outs[i]->data, sizeof(float) * (size_t)outs[i]->numel);
        *n += outs[i]->numel;
    }
    return lp;
}

int main(int argc, char **argv)
{
    nc_log_set_level(NC_LOG_QUIET);
    test_functions();
    NNGraph *g = nn_graph_alloc();
    static float det_out[16384], ref_out[16384];
    int64_t n_det = 0, n_ref = 0;
    nn_graph_set_grad(g, 0);
    nn_graph_set_deterministic(g, 1);
    CHECK(run_net(g, det_out, &n_det) != NULL);
    uint8_t digest[NC_SHA256_SIZE];
    char hex[2 * NC_SHA256_SIZE + 1];
    /* the little-endian bytes of each float, so that the hash is the same on any host */
    static uint8_t le[4 * 16384];
    for (int64_t i = 0; i < n_det; i++) {
        uint32_t bits;
        memcpy(&bits, &det_out[i], 4);
        nci_wl32(le + 4 * i, bits);
    }
    nci_sha256(le, 4 * (size_t)n_det, digest);
    nci_sha256_hex(digest, hex);
    if (argc > 1 && !strcmp(argv[1], "--print")) {
        printf("%s\n", hex);
        nn_graph_free(&g);
        return 0;
    }
    if (strcmp(hex, golden)) {
        fprintf(stderr, "deterministic outputs hash to %s, want %s\n", hex, golden);
        CHECK(!"deterministic outputs changed");
    }
    /* the same network in the normal (BLAS, libm) mode agrees closely */
    nn_graph_reset(g);
    nn_graph_set_deterministic(g, 0);
    CHECK(run_net(g, ref_out, &n_ref) != NULL && n_ref == n_det);
    double worst = 0;
    for (int64_t i = 0; i < n_det; i++) { /* not fmax(): gcc 12 for aarch64 crashes on it */
        double d = fabs(det_out[i] - ref_out[i]) / (1 + fabs(ref_out[i]));
        if (d > worst) worst = d;
    }
    CHECK(worst < 1e-5);
    /* ops with no deterministic form refuse instead of giving platform bits */
    nn_graph_reset(g);
    nn_graph_set_deterministic(g, 1);
    NNTensor *t = nn_tensor2(g, 2, 2);
    CHECK(t && nn_sin(g, t) == NULL && nn_graph_error(g) == NC_ENOTSUP);
    nn_graph_free(&g);
    if (!test_failures)
        printf("deterministic: functions within tolerance (worst %.2f of it), %lld outputs hash "
               "to the golden value, normal mode differs by %.2g\n",
               max_err, (long long)n_det, worst);
    return test_result("deterministic");
}
