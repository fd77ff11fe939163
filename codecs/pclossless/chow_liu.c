/* Chow-Liu trees: the maximum spanning tree of pairwise mutual information, the
 * backbone of an HCLT. Used only when training, so plain double math is fine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/hclt.h"
#include "nc/error.h"

#define MI_LEVELS 16    /* pixels are quantized to this many levels for the MI */
#define MI_MAX_SAMPLES 10000

/* Pairwise mutual information mi[d][d] of the quantized samples. */
static int mutual_information(const uint8_t *data, int n, int d, double *mi)
{
    int step = n > MI_MAX_SAMPLES ? n / MI_MAX_SAMPLES : 1;
    int m = (n + step - 1) / step;
    uint8_t *q = malloc((size_t)m * (size_t)d);
    uint32_t *joint = malloc(sizeof(uint32_t) * (size_t)d * MI_LEVELS * MI_LEVELS);
    uint32_t *marg = calloc((size_t)d * MI_LEVELS, sizeof(uint32_t));
    if (!q || !joint || !marg) {
        free(q);
        free(joint);
        free(marg);
        return NC_ENOMEM;
    }
    for (int s = 0; s < m; s++)
        for (int v = 0; v < d; v++) {
            uint8_t b = data[(size_t)s * (size_t)step * (size_t)d + (size_t)v] >> 4;
            q[(size_t)s * (size_t)d + (size_t)v] = b;
            marg[v * MI_LEVELS + b]++;
        }
    for (int i = 0; i < d; i++) {
        memset(joint, 0, sizeof(uint32_t) * (size_t)d * MI_LEVELS * MI_LEVELS);
        for (int s = 0; s < m; s++) {
            const uint8_t *row = q + (size_t)s * (size_t)d;
            uint32_t *base = joint + row[i] * MI_LEVELS;
            for (int j = i + 1; j < d; j++) base[(size_t)j * MI_LEVELS * MI_LEVELS + row[j]]++;
        }
        mi[(size_t)i * (size_t)d + (size_t)i] = 0;
        for (int j = i + 1; j < d; j++) {
            const uint32_t *c = joint + (size_t)j * MI_LEVELS * MI_LEVELS;
            double sum = 0;
            for (int a = 0; a < MI_LEVELS; a++)
                for (int b = 0; b < MI_LEVELS; b++) {
                    uint32_t nab = c[a * MI_LEVELS + b];
                    if (!nab) continue;
                    double pa = (double)marg[i * MI_LEVELS + a], pb = (double)marg[j * MI_LEVELS + b];
                    sum += (double)nab * log((double)nab * (double)m / (pa * pb));
                }
            mi[(size_t)i * (size_t)d + (size_t)j] = mi[(size_t)j * (size_t)d + (size_t)i] = sum / m;
        }
    }
    free(q);
    free(joint);
    free(marg);
    return 0;
}

/* Breadth-first distances from src over the undirected tree given by link[]
 * (link[v] = Prim's parent, -1 for the first node); returns the farthest node and
 * fills prev[] with the BFS parent. */
static int farthest(int d, const int *link, int src, int *prev, int *queue, int *dist)
{
    for (int v = 0; v < d; v++) dist[v] = -1;
    int head = 0, tail = 0, last = src;
    dist[src] = 0;
    prev[src] = -1;
    queue[tail++] = src;
    while (head < tail) {
        int v = queue[head++];
        last = v;
        /* neighbours: link[v] and every u with link[u] == v (O(d) scan: d is small) */
        for (int u = 0; u < d; u++) {
            int adjacent = (u == link[v]) || (link[u] == v);
            if (adjacent && dist[u] < 0) {
                dist[u] = dist[v] + 1;
                prev[u] = v;
                queue[tail++] = u;
            }
        }
    }
    return last;
}

int pc_chow_liu_tree(const uint8_t *data, int n, int d, int *parent)
{
    if (n < 1 || d < 1 || d > PC_MAX_VARS) return NC_EINVAL;
    double *mi = malloc(sizeof(double) * (size_t)d * (size_t)d);
    double *best = malloc(sizeof(double) * (size_t)d);
    int *link = malloc(sizeof(int) * (size_t)d);
    int *in_tree = calloc((size_t)d, sizeof(int));
    int *prev = malloc(sizeof(int) * (size_t)d);
    int *queue = malloc(sizeof(int) * (size_t)d);
    int *dist = malloc(sizeof(int) * (size_t)d);
    int ret = NC_ENOMEM;
    if (!mi || !best || !link || !in_tree || !prev || !queue || !dist) goto done;
    ret = mutual_information(data, n, d, mi);
    if (ret < 0) goto done;

    /* Prim's algorithm on the dense MI matrix. */
    for (int v = 0; v < d; v++) {
        best[v] = -1;
        link[v] = -1;
    }
    best[0] = 0;
    for (int it = 0; it < d; it++) {
        int v = -1;
        for (int u = 0; u < d; u++)
            if (!in_tree[u] && (v < 0 || best[u] > best[v])) v = u;
        in_tree[v] = 1;
        for (int u = 0; u < d; u++)
            if (!in_tree[u] && mi[(size_t)v * (size_t)d + (size_t)u] > best[u]) {
                best[u] = mi[(size_t)v * (size_t)d + (size_t)u];
                link[u] = v;
            }
    }

    /* Root at the middle of a longest path: the shallowest rooting. */
    int a = farthest(d, link, 0, prev, queue, dist);
    int b = farthest(d, link, a, prev, queue, dist);
    int centre = b;
    for (int steps = dist[b] / 2; steps > 0; steps--) centre = prev[centre];
    farthest(d, link, centre, prev, queue, dist);
    for (int v = 0; v < d; v++) parent[v] = prev[v];
    ret = 0;
done:
    free(mi);
    free(best);
    free(link);
    free(in_tree);
    free(prev);
    free(queue);
    free(dist);
    return ret;
}
