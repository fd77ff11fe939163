/* Expectation-maximization for HCLT parameters: an upward (inside) and a downward
 * (outside) pass per sample give the posterior of every latent and of every
 * (parent, child) latent pair, whose sums are the expected counts. Training only:
 * the float math here never reaches a bitstream (hclt_quant.c turns the result
 * into the integer model the codec uses). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/hclt.h"
#include "libnc/rng.h"
#include "nc/error.h"


static void normalize(float *p, int n)
{
    float sum = 0;
    for (int i = 0; i < n; i++) sum += p[i];
    float inv = 1.0f / sum;
    for (int i = 0; i < n; i++) p[i] *= inv;
}

static void refresh_transposes(PCHclt *m)
{
    int d = m->tree.nvars, k = m->nstates;
    for (int v = 0; v < d; v++) {
        const float *e = m->edge + (size_t)v * k * k;
        float *et = m->edge_t + (size_t)v * k * k;
        for (int zp = 0; zp < k; zp++)
            for (int z = 0; z < k; z++) et[z * k + zp] = e[zp * k + z];
        const float *l = m->leaf + (size_t)v * k * PC_NUM_VALUES;
        float *lt = m->leaf_t + (size_t)v * k * PC_NUM_VALUES;
        for (int z = 0; z < k; z++)
            for (int x = 0; x < PC_NUM_VALUES; x++) lt[x * k + z] = l[z * PC_NUM_VALUES + x];
    }
}

void pc_hclt_free(PCHclt *m)
{
    pc_tree_free(&m->tree);
    free(m->prior);
    free(m->edge);
    free(m->leaf);
    free(m->edge_t);
    free(m->leaf_t);
    memset(m, 0, sizeof(*m));
}

/* State z starts as the histogram of its own random group of samples at every
 * node, and edges start close to the identity: the circuit begins as a mixture of
 * k templates, which breaks the symmetry between states in a useful way. */
int pc_hclt_init(PCHclt *m, PCTree *tree, int nstates, const uint8_t *data, int n,
                 uint64_t seed)
{
    memset(m, 0, sizeof(*m));
    if (nstates < 1 || nstates > PC_MAX_STATES || n < 1) return NC_EINVAL;
    m->tree = *tree;
    memset(tree, 0, sizeof(*tree));
    int d = m->tree.nvars, k = nstates;
    m->nstates = k;
    size_t ne = (size_t)d * k * k, nl = (size_t)d * k * PC_NUM_VALUES;
    m->prior = malloc(sizeof(float) * (size_t)k);
    m->edge = malloc(sizeof(float) * ne);
    m->edge_t = malloc(sizeof(float) * ne);
    m->leaf = calloc(nl, sizeof(float));
    m->leaf_t = malloc(sizeof(float) * nl);
    if (!m->prior || !m->edge || !m->edge_t || !m->leaf || !m->leaf_t) {
        pc_hclt_free(m);
        return NC_ENOMEM;
    }
    uint64_t rng = seed;
    for (int z = 0; z < k; z++) m->prior[z] = 1.0f / (float)k;
    for (int v = 0; v < d; v++)
        for (int zp = 0; zp < k; zp++) {
            float *row = m->edge + ((size_t)v * k + zp) * k;
            for (int z = 0; z < k; z++) row[z] = (0.5f + nci_rng_uniform(&rng)) / (float)k;
            row[zp] += 1.0f;
            normalize(row, k);
        }
    const int group = 32;
    for (int z = 0; z < k; z++)
        for (int g = 0; g < group; g++) {
            int s = (int)(nci_splitmix64(&rng) % (uint64_t)n);
            for (int v = 0; v < d; v++)
                m->leaf[((size_t)v * k + z) * PC_NUM_VALUES + data[(size_t)s * d + v]] += 1.0f;
        }
    /* Smooth with the overall histogram so no value starts impossible. */
    float *hist = calloc((size_t)PC_NUM_VALUES, sizeof(float));
    if (!hist) {
        pc_hclt_free(m);
        return NC_ENOMEM;
    }
    for (int v = 0; v < d; v++) {
        memset(hist, 0, sizeof(float) * PC_NUM_VALUES);
        for (int s = 0; s < n; s++) hist[data[(size_t)s * d + v]] += 1.0f;
        normalize(hist, PC_NUM_VALUES);
        for (int z = 0; z < k; z++) {
            float *l = m->leaf + ((size_t)v * k + z) * PC_NUM_VALUES;
            for (int x = 0; x < PC_NUM_VALUES; x++) l[x] += 4.0f * hist[x] + 0.01f;
            normalize(l, PC_NUM_VALUES);
        }
    }
    free(hist);
    refresh_transposes(m);
    return 0;
}

int pc_hclt_stats_alloc(PCHcltStats *s, const PCHclt *m)
{
    memset(s, 0, sizeof(*s));
    s->nvars = m->tree.nvars;
    s->nstates = m->nstates;
    size_t k = (size_t)m->nstates, d = (size_t)m->tree.nvars;
    s->prior = malloc(sizeof(float) * k);
    s->edge = malloc(sizeof(float) * d * k * k);
    s->leaf = malloc(sizeof(float) * d * k * PC_NUM_VALUES);
    if (!s->prior || !s->edge || !s->leaf) {
        pc_hclt_stats_free(s);
        return NC_ENOMEM;
    }
    pc_hclt_stats_clear(s);
    return 0;
}

void pc_hclt_stats_free(PCHcltStats *s)
{
    free(s->prior);
    free(s->edge);
    free(s->leaf);
    memset(s, 0, sizeof(*s));
}

void pc_hclt_stats_clear(PCHcltStats *s)
{
    size_t k = (size_t)s->nstates, d = (size_t)s->nvars;
    s->loglik = 0;
    memset(s->prior, 0, sizeof(float) * k);
    memset(s->edge, 0, sizeof(float) * d * k * k);
    memset(s->leaf, 0, sizeof(float) * d * k * PC_NUM_VALUES);
}

/* Upward pass: up[v] is proportional to P(x in subtree(v) | Z_v) (sums to 1),
 * beta[v] to sum_z P(Z_v = z | Z_parent) up[v][z] (max 1). Returns log P(x). */
static double upward(const PCHclt *m, const uint8_t *x, float *up, float *beta)
{
    const PCTree *t = &m->tree;
    int k = m->nstates;
    double logscale = 0;
    for (int i = t->nvars - 1; i >= 0; i--) {
        int v = t->order[i];
        float *uv = up + (size_t)v * k;
        const float *lf = m->leaf_t + ((size_t)v * PC_NUM_VALUES + x[v]) * k;
        for (int z = 0; z < k; z++) uv[z] = lf[z];
        for (int c = t->child_start[v]; c < t->child_start[v + 1]; c++) {
            const float *bc = beta + (size_t)t->children[c] * k;
            for (int z = 0; z < k; z++) uv[z] *= bc[z];
        }
        float sum = 0;
        for (int z = 0; z < k; z++) sum += uv[z];
        float inv = 1.0f / sum;
        for (int z = 0; z < k; z++) uv[z] *= inv;
        logscale += log((double)sum);
        if (v == t->root) continue;
        float *bv = beta + (size_t)v * k;
        const float *et = m->edge_t + (size_t)v * k * k;
        memset(bv, 0, sizeof(float) * (size_t)k);
        for (int z = 0; z < k; z++) {
            float u = uv[z];
            const float *col = et + (size_t)z * k;
            for (int zp = 0; zp < k; zp++) bv[zp] += u * col[zp];
        }
        float mx = 0;
        for (int zp = 0; zp < k; zp++) mx = bv[zp] > mx ? bv[zp] : mx;
        float imx = 1.0f / mx;
        for (int zp = 0; zp < k; zp++) bv[zp] *= imx;
        logscale += log((double)mx);
    }
    const float *ur = up + (size_t)t->root * k;
    float l = 0;
    for (int z = 0; z < k; z++) l += m->prior[z] * ur[z];
    return log((double)l) + logscale;
}

void pc_hclt_accumulate(const PCHclt *m, const uint8_t *data, int n, PCHcltStats *s)
{
    const PCTree *t = &m->tree;
    int d = t->nvars, k = m->nstates;
    float *up = malloc(sizeof(float) * (size_t)d * k * 3 + sizeof(float) * 2 * PC_MAX_STATES);
    if (!up) return;
    float *beta = up + (size_t)d * k, *down = beta + (size_t)d * k;
    float *q = down + (size_t)d * k, *tv = q + PC_MAX_STATES;
    for (int sidx = 0; sidx < n; sidx++) {
        const uint8_t *x = data + (size_t)sidx * d;
        s->loglik += upward(m, x, up, beta);
        memcpy(down + (size_t)t->root * k, m->prior, sizeof(float) * (size_t)k);
        for (int i = 0; i < d; i++) {
            int v = t->order[i];
            const float *dv = down + (size_t)v * k, *uv = up + (size_t)v * k;
            for (int z = 0; z < k; z++) q[z] = dv[z] * uv[z];
            normalize(q, k);
            float *lc = s->leaf + ((size_t)v * PC_NUM_VALUES + x[v]) * k;
            for (int z = 0; z < k; z++) lc[z] += q[z];
            if (v == t->root)
                for (int z = 0; z < k; z++) s->prior[z] += q[z];
            for (int ci = t->child_start[v]; ci < t->child_start[v + 1]; ci++) {
                int c = t->children[ci];
                const float *bc = beta + (size_t)c * k, *uc = up + (size_t)c * k;
                const float *e = m->edge + (size_t)c * k * k;
                float *dc = down + (size_t)c * k;
                /* outside of Z_v without the child c, then passed down the edge */
                for (int zp = 0; zp < k; zp++) tv[zp] = dv[zp] * uv[zp] / bc[zp];
                memset(dc, 0, sizeof(float) * (size_t)k);
                for (int zp = 0; zp < k; zp++) {
                    float w = tv[zp];
                    const float *row = e + (size_t)zp * k;
                    for (int z = 0; z < k; z++) dc[z] += w * row[z];
                }
                float total = 0, mx = 0;
                for (int z = 0; z < k; z++) {
                    total += dc[z] * uc[z];
                    mx = dc[z] > mx ? dc[z] : mx;
                }
                float inv = 1.0f / total;
                float *ec = s->edge + (size_t)c * k * k;
                for (int zp = 0; zp < k; zp++) {
                    float w = tv[zp] * inv;
                    const float *row = e + (size_t)zp * k;
                    float *crow = ec + (size_t)zp * k;
                    for (int z = 0; z < k; z++) crow[z] += w * row[z] * uc[z];
                }
                float imx = 1.0f / mx;
                for (int z = 0; z < k; z++) dc[z] *= imx;
            }
        }
    }
    free(up);
}

static void blend(float *param, const float *count, int n, float step, float pseudocount)
{
    float sum = 0;
    for (int i = 0; i < n; i++) sum += count[i] + pseudocount;
    float inv = 1.0f / sum;
    for (int i = 0; i < n; i++)
        param[i] = (1.0f - step) * param[i] + step * (count[i] + pseudocount) * inv;
}

void pc_hclt_update(PCHclt *m, const PCHcltStats *s, float step, float pseudocount)
{
    int d = m->tree.nvars, k = m->nstates;
    float col[PC_NUM_VALUES];
    blend(m->prior, s->prior, k, step, pseudocount);
    for (int v = 0; v < d; v++) {
        if (v != m->tree.root)
            for (int zp = 0; zp < k; zp++)
                blend(m->edge + ((size_t)v * k + zp) * k, s->edge + ((size_t)v * k + zp) * k, k,
                      step, pseudocount);
        for (int z = 0; z < k; z++) {
            for (int x = 0; x < PC_NUM_VALUES; x++)
                col[x] = s->leaf[((size_t)v * PC_NUM_VALUES + x) * k + z];
            blend(m->leaf + ((size_t)v * k + z) * PC_NUM_VALUES, col, PC_NUM_VALUES, step,
                  pseudocount);
        }
    }
    refresh_transposes(m);
}

double pc_hclt_bits_per_dim(const PCHclt *m, const uint8_t *data, int n)
{
    int d = m->tree.nvars, k = m->nstates;
    float *up = malloc(sizeof(float) * (size_t)d * k * 2);
    if (!up) return -1;
    double ll = 0;
    for (int s = 0; s < n; s++) ll += upward(m, data + (size_t)s * d, up, up + (size_t)d * k);
    free(up);
    return -ll / ((double)n * d * log(2.0));
}
