/* pclossless input transforms: the MED predictor at every border, exact inverses
 * on random, constant, 1x1 and odd-sized planes and images, in place and not. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/plane_transform.h"
#include "tests/test.h"

static uint32_t rng = 777;
static uint8_t next_byte(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (uint8_t)(rng >> 24);
}

/* MED written out from its definition, to check pc_med_predict against. */
static int med_reference(int a, int b, int c)
{
    int mx = a > b ? a : b, mn = a < b ? a : b;
    return c >= mx ? mn : c <= mn ? mx : a + b - c;
}

static void test_predictor(void)
{
    /* 3 x 3 plane:  10  20  30
     *               40  50  60
     *               70  80  90 */
    const uint8_t p[9] = {10, 20, 30, 40, 50, 60, 70, 80, 90};
    CHECK_EQ(pc_med_predict(p, 3, 0, 0), 0);  /* first sample */
    CHECK_EQ(pc_med_predict(p, 3, 2, 0), 20); /* first row: W */
    CHECK_EQ(pc_med_predict(p, 3, 0, 2), 40); /* first column: N */
    CHECK_EQ(pc_med_predict(p, 3, 1, 1), 40); /* W 40, N 20, NW 10 <= both: max(W, N) */
    CHECK_EQ(pc_med_predict(p, 3, 2, 2), 80); /* W 80, N 60, NW 50: max */
    const uint8_t q[4] = {200, 10, 30, 0}; /* NW above both: min(W, N) */
    CHECK_EQ(pc_med_predict(q, 2, 1, 1), 10);
    const uint8_t r[4] = {5, 100, 90, 0}; /* NW below both: max(W, N) */
    CHECK_EQ(pc_med_predict(r, 2, 1, 1), 100);
    const uint8_t s[4] = {50, 100, 20, 0}; /* NW between: W + N - NW */
    CHECK_EQ(pc_med_predict(s, 2, 1, 1), 70);
    /* every interior sample of a random plane against the reference */
    uint8_t z[7 * 5];
    for (int i = 0; i < 35; i++) z[i] = next_byte();
    for (int y = 1; y < 5; y++)
        for (int x = 1; x < 7; x++)
            CHECK_EQ(pc_med_predict(z, 7, x, y),
                     med_reference(z[y * 7 + x - 1], z[(y - 1) * 7 + x], z[(y - 1) * 7 + x - 1]));
}

/* Residual and back, separately and in place, on one plane. */
static void check_plane(const uint8_t *p, int w, int h)
{
    size_t n = (size_t)w * h;
    uint8_t *r = malloc(n), *back = malloc(n), *inplace = malloc(n);
    pc_med_residual(p, r, w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            CHECK_EQ(r[y * w + x], (uint8_t)(p[y * w + x] - pc_med_predict(p, w, x, y) + 128));
    pc_med_reconstruct(r, back, w, h);
    CHECK(!memcmp(back, p, n));
    memcpy(inplace, p, n);
    pc_med_residual(inplace, inplace, w, h);
    CHECK(!memcmp(inplace, r, n));
    pc_med_reconstruct(inplace, inplace, w, h);
    CHECK(!memcmp(inplace, p, n));
    free(r);
    free(back);
    free(inplace);
}

static void test_planes(void)
{
    static const int sizes[][2] = {{1, 1}, {1, 9}, {9, 1}, {3, 5}, {17, 13}, {31, 7}, {64, 64}};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        int w = sizes[s][0], h = sizes[s][1];
        uint8_t *p = malloc((size_t)w * h);
        for (int kind = 0; kind < 4; kind++) {
            for (int i = 0; i < w * h; i++)
                p[i] = kind == 0 ? next_byte() : kind == 1 ? 0 : kind == 2 ? 255 : (uint8_t)(i * 7);
            check_plane(p, w, h);
        }
        free(p);
    }
    /* A constant plane is 128 after its first sample; a ramp is 128 + step. */
    uint8_t c[5 * 4], r[5 * 4];
    memset(c, 93, sizeof(c));
    pc_med_residual(c, r, 5, 4);
    CHECK_EQ(r[0], (uint8_t)(93 + 128));
    for (int i = 1; i < 20; i++) CHECK_EQ(r[i], 128);
}

/* Whole images, gray and RGB, both transforms, with padding in the rows. */
static void test_images(void)
{
    static const int sizes[][2] = {{1, 1}, {2, 3}, {13, 9}, {40, 21}};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
        for (int ch = 1; ch <= 3; ch += 2)
            for (int t = PC_TRANSFORM_PIXELS; t <= PC_TRANSFORM_RESIDUAL; t++) {
                int w = sizes[s][0], h = sizes[s][1];
                ptrdiff_t ls = (ptrdiff_t)w * ch + 5;
                size_t n = (size_t)ls * h, np = (size_t)w * h * ch;
                uint8_t *img = malloc(n), *out = malloc(n), *planes = malloc(np);
                for (size_t i = 0; i < n; i++) img[i] = next_byte();
                memset(out, 0, n);
                pc_image_to_planes(t, img, ls, ch, w, h, planes);
                if (t == PC_TRANSFORM_PIXELS) /* pixels: plane c is channel c */
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++)
                            for (int c = 0; c < ch; c++)
                                CHECK_EQ(planes[(size_t)c * w * h + (size_t)y * w + x],
                                         img[y * ls + x * ch + c]);
                if (t == PC_TRANSFORM_RESIDUAL && ch == 3 && w > 1) {
                    /* plane 1 at (1, 0): R - G + 128, predicted by its left neighbour */
                    int r1 = (img[ch] - img[ch + 1] + 128) & 255, r0 = (img[0] - img[1] + 128) & 255;
                    CHECK_EQ(planes[(size_t)w * h + 1], (uint8_t)(r1 - r0 + 128));
                }
                pc_planes_to_image(t, planes, ch, w, h, out, ls);
                for (int y = 0; y < h; y++)
                    CHECK(!memcmp(out + y * ls, img + y * ls, (size_t)w * ch));
                free(img);
                free(out);
                free(planes);
            }
}

int main(void)
{
    CHECK_EQ(pc_transform_parse(NULL), PC_TRANSFORM_PIXELS);
    CHECK_EQ(pc_transform_parse("pixels"), PC_TRANSFORM_PIXELS);
    CHECK_EQ(pc_transform_parse("residual"), PC_TRANSFORM_RESIDUAL);
    CHECK_EQ(pc_transform_parse("Residual"), -1);
    CHECK_EQ(pc_transform_parse(""), -1);
    test_predictor();
    test_planes();
    test_images();
    return test_result("test_plane_transform");
}
