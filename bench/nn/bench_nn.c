/* libnc/nn speed against PyTorch CPU, in one run with the same thread count:
 * forward and forward+backward of a strided conv1d audio encoder and a conv2d
 * upsampling decoder (networks.c), and an sgemm-bound linear layer against
 * OpenBLAS's own sgemm. Prints the best of R runs and ratios (libnc / reference:
 * below 1 is faster). The machine is shared, so PyTorch and libnc take turns for
 * several rounds and each side keeps its best time over all rounds: the minimum
 * is the figure least disturbed by other work, and both sides get the same quiet
 * moments. Usage: bench_nn [--threads N] [--reps R] [--rounds K] [--no-torch] */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "bench/nn/networks.h"

#ifndef TORCH_BENCH
#define TORCH_BENCH "bench/nn/torch_bench.py"
#endif

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct Job {
    BenchNet *net;
    NNGraph *g;
    int backward;
} Job;

static void run_net(void *opaque)
{
    Job *j = opaque;
    nn_graph_reset(j->g);
    nn_graph_set_grad(j->g, j->backward);
    NNTensor *x = nn_tensor(j->g, j->net->in_ndim, j->net->in_shape);
    if (!x)
        return;
    for (int64_t i = 0; i < x->numel; i++)
        x->data[i] = (float)((i * 7919) % 2001 - 1000) / 1000.0f;
    NNTensor *y = j->net->forward(j->net, j->g, x);
    if (j->backward) {
        NNTensor *loss = nn_mean(j->g, nn_mul(j->g, y, y));
        nn_backward(j->g, loss);
        nn_params_zero_grad(j->net->ps);
    }
}

static double best_ms(void (*fn)(void *), void *opaque, int reps)
{
    double t[64];
    fn(opaque); /* warm-up: the arena reaches its size here */
    for (int i = 0; i < reps; i++) {
        double s = now_ms();
        fn(opaque);
        t[i] = now_ms() - s;
    }
    qsort(t, (size_t)reps, sizeof(double), cmp_double);
    return t[0];
}

/* Runs torch_bench.py; its output goes to out (empty when PyTorch is missing). */
static void run_torch(int threads, int reps, char *out, size_t size)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s --threads %d --reps %d 2>/dev/null",
             TORCH_BENCH, threads, reps);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, size - 1, p) : 0;
    out[n] = 0;
    if (!p || pclose(p) != 0 || !n)
        out[0] = 0;
}

typedef struct Gemm {
    NNGraph *g;
    NNTensor *x, *w;
    float *c;
} Gemm;

static void run_linear(void *opaque)
{
    Gemm *m = opaque;
    nn_graph_reset(m->g);
    nn_linear(m->g, m->x, m->w, NULL);
}

/* The deterministic mode's fixed-order GEMM on an entropy-model-sized layer. */
typedef struct DetLinear {
    NNGraph *g;
    int det;
} DetLinear;

static void run_det_linear(void *opaque)
{
    DetLinear *d = opaque;
    nn_graph_reset(d->g);
    nn_graph_set_grad(d->g, 0);
    nn_graph_set_deterministic(d->g, d->det);
    NNTensor *x = nn_tensor2(d->g, 64, 512), *w = nn_tensor2(d->g, 512, 512);
    if (!x || !w)
        return;
    for (int64_t i = 0; i < w->numel; i++)
        w->data[i] = (float)(i % 13) / 130.0f;
    for (int64_t i = 0; i < x->numel; i++)
        x->data[i] = (float)(i % 11) / 11.0f;
    nn_linear(d->g, x, w, NULL);
}

static void run_sgemm(void *opaque)
{
    Gemm *m = opaque;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1024, 1024, 1024, 1.0f, m->x->data, 1024,
                m->w->data, 1024, 0.0f, m->c, 1024);
}

#define MAX_ROUNDS 8
static char torch_out[MAX_ROUNDS][4096];

/* PyTorch's best time for key over all rounds, or -1. */
static double torch_ms(const char *key)
{
    double best = -1;
    for (int i = 0; i < MAX_ROUNDS; i++) {
        const char *p = strstr(torch_out[i], key);
        double t = p ? atof(p + strlen(key)) : -1;
        if (t > 0 && (best < 0 || t < best))
            best = t;
    }
    return best;
}

static void row(const char *what, double ms, double ref_ms, const char *ref_name)
{
    if (ref_ms > 0)
        printf("  %-40s %9.2f ms   %-8s %9.2f ms   ratio %.2f\n", what, ms, ref_name, ref_ms,
               ms / ref_ms);
    else
        printf("  %-40s %9.2f ms   %-8s       n/a\n", what, ms, ref_name);
}

int main(int argc, char **argv)
{
    /* the kernels OpenBLAS would pick on a CPU it recognizes (libnc/nn/blas.c):
     * OpenBLAS reads the variable only when it loads, hence the restart */
    const char *core = nn_blas_better_coretype();
    if (core && setenv("OPENBLAS_CORETYPE", core, 1) == 0)
        execv("/proc/self/exe", argv);
    int threads = 1, reps = 5, torch = 1, rounds = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-torch"))
            torch = 0;
        else {
            fprintf(stderr, "usage: %s [--threads N] [--reps R] [--rounds K] [--no-torch]\n",
                    argv[0]);
            return 2;
        }
    }
    if (threads < 1 || reps < 1 || reps > 64 || rounds < 1 || rounds > MAX_ROUNDS)
        return 2;
    nn_set_threads(threads);

    BenchNet nets[2];
    if (bench_encoder_init(&nets[0]) || bench_decoder_init(&nets[1]))
        return 1;
    NNGraph *g = nn_graph_alloc(), *gx = nn_graph_alloc();
    Gemm m = {g, nn_tensor2(gx, 1024, 1024), nn_tensor2(gx, 1024, 1024),
              malloc(sizeof(float) * 1024 * 1024)};
    if (!m.x || !m.w || !m.c)
        return 1;
    for (int64_t i = 0; i < m.x->numel; i++)
        m.x->data[i] = m.w->data[i] = (float)(i % 17) / 17.0f;
    double net_ms[2][2] = {{1e30, 1e30}, {1e30, 1e30}}, lin = 1e30, gemm = 1e30;
    for (int r = 0; r < rounds; r++) {
        if (torch) {
            run_torch(threads, reps, torch_out[r], sizeof(torch_out[r]));
            if (!torch_out[r][0]) {
                fprintf(stderr, "PyTorch (/usr/bin/python3 + torch) not available: no ratios\n");
                torch = 0;
            }
        }
        for (int i = 0; i < 2; i++)
            for (int bwd = 0; bwd < 2; bwd++) {
                Job j = {&nets[i], g, bwd};
                net_ms[i][bwd] = fmin(net_ms[i][bwd], best_ms(run_net, &j, reps));
            }
        nn_graph_set_grad(g, 0);
        lin = fmin(lin, best_ms(run_linear, &m, reps));
        gemm = fmin(gemm, best_ms(run_sgemm, &m, reps));
    }
    printf("libnc/nn vs PyTorch %s, %d thread(s), best of %d x %d rounds, OpenBLAS %s kernels\n",
           torch ? "CPU" : "(absent)", threads, reps, rounds, openblas_get_corename());
    const char *keys[2] = {"encoder", "decoder"};
    for (int i = 0; i < 2; i++) {
        printf("%s\n", nets[i].name);
        for (int bwd = 0; bwd < 2; bwd++) {
            char key[64];
            snprintf(key, sizeof(key), "%s.%s ", keys[i], bwd ? "forward_backward" : "forward");
            row(bwd ? "forward+backward" : "forward", net_ms[i][bwd], torch_ms(key), "torch");
        }
        bench_net_free(&nets[i]);
    }
    printf("sgemm-bound layer: linear [1024,1024] x [1024,1024]^T (%.1f GFLOP/s)\n",
           2.0 * 1024 * 1024 * 1024 / (lin * 1e6));
    row("nn_linear vs OpenBLAS sgemm", lin, gemm, "sgemm");
    printf("  %-40s %.0f%% of OpenBLAS's rate (goal >= 70%%)\n", "", 100.0 * gemm / lin);
    row("nn_linear vs torch F.linear", lin, torch_ms("linear1024.forward "), "torch");
    NNGraph *gd = nn_graph_alloc();
    DetLinear dl[2] = {{gd, 1}, {gd, 0}};
    double det_ms = best_ms(run_det_linear, &dl[0], reps), blas_ms = best_ms(run_det_linear, &dl[1], reps);
    printf("deterministic mode (fixed-order scalar GEMM): linear [64,512] x [512,512]^T\n");
    row("nn_linear deterministic vs BLAS", det_ms, blas_ms, "BLAS");
    nn_graph_free(&gd);
    free(m.c);
    nn_graph_free(&gx);
    nn_graph_free(&g);
    return 0;
}
