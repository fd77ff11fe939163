/* Every op's gradient against central finite differences (in double on the
 * loss sum, steps 1e-3 and 5e-4 extrapolated, inputs kept away from kinks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/params.h"
#include "nc/log.h"
#include "tests/nn/case_runner.h"
#include "tests/test.h"

static void check_case(NNGraph *g, const OpCase *c, NNRng *rng)
{
    CaseRun r;
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < c->n_in; i++) {
        int64_t n = case_in_numel(c, i);
        r.in[i] = malloc(sizeof(float) * (size_t)n);
        r.grad[i] = malloc(sizeof(float) * (size_t)n);
        for (int64_t k = 0; k < n; k++) {
            /* magnitudes in [0.2, 1.2], away from the kinks of relu, abs, l1 */
            float u = 0.2f + nn_rng_uniform(rng);
            r.in[i][k] = (c->positive >> i & 1) || nn_rng_uniform(rng) < 0.5f ? u : -u;
        }
    }
    if (!strcmp(c->name, "l1_loss")) /* keep x - t away from 0 as well */
        for (int64_t k = 0; k < case_in_numel(c, 1); k++)
            r.in[1][k] = r.in[0][k] + (k % 2 ? 0.5f : -0.5f);
    /* output weights: run once to learn the output size */
    CHECK(case_run(g, c, &r, 0) == 0);
    float *w = malloc(sizeof(float) * (size_t)(r.out_numel ? r.out_numel : 1));
    for (int64_t k = 0; k < r.out_numel; k++)
        w[k] = 2.0f * nn_rng_uniform(rng) - 1.0f;
    r.weights = w;
    int ret = case_run(g, c, &r, 1);
    CHECK(ret == 0);
    int bad = 0;
    for (int i = 0; i < c->n_in && !ret; i++) {
        if (c->no_grad >> i & 1)
            continue;
        int64_t n = case_in_numel(c, i);
        for (int64_t k = 0; k < n; k++) {
            float keep = r.in[i][k];
            float *saved_grad = r.grad[i];
            r.grad[i] = NULL;
            /* central differences at h and h/2, Richardson-extrapolated, so that
             * strongly curved ops (log of a small STFT bin) are judged fairly */
            double d[2];
            for (int step = 0; step < 2; step++) {
                float h = step ? 5e-4f : 1e-3f;
                r.in[i][k] = keep + h;
                case_run(g, c, &r, 0);
                double up = r.loss;
                r.in[i][k] = keep - h;
                case_run(g, c, &r, 0);
                d[step] = (up - r.loss) / (2.0 * h);
            }
            r.in[i][k] = keep;
            r.grad[i] = saved_grad;
            double numeric = (4.0 * d[1] - d[0]) / 3.0;
            double analytic = r.grad[i][k];
            if (fabs(numeric - analytic) > 1e-2 + 2e-2 * fabs(numeric)) {
                if (bad++ < 3)
                    fprintf(stderr, "%s: input %d [%lld]: analytic %g numeric %g\n", c->name, i,
                            (long long)k, analytic, numeric);
            }
        }
    }
    CHECK(bad == 0);
    if (bad)
        fprintf(stderr, "gradcheck %s failed at %d places\n", c->name, bad);
    for (int i = 0; i < c->n_in; i++) {
        free(r.in[i]);
        free(r.grad[i]);
    }
    free(w);
}

int main(void)
{
    NNGraph *g = nn_graph_alloc();
    NNRng rng;
    nn_rng_seed(&rng, 1234);
    for (int i = 0; i < op_case_count; i++)
        check_case(g, &op_cases[i], &rng);
    nn_graph_free(&g);
    op_cases_cleanup();
    if (!test_failures)
        printf("gradcheck: %d ops match finite differences\n", op_case_count);
    return test_result("gradcheck");
}
