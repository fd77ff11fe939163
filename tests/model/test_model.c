/* .ncm writer and reader: round trips of every dtype, hyper-parameters, the model
 * check a decoder makes, the search order, and rejection of damaged files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libnc/model/model_format.h"
#include "libnc/model/sha256.h"
#include "libnc/text.h"
#include "nc/error.h"
#include "nc/log.h"
#include "nc/model.h"
#include "tests/test.h"


static float weights[3 * 4 * 5];

/* A writer with one tensor of each dtype and a few hyper-parameters. */
static NCModelWriter *build_demo(const char *id)
{
    NCModelWriter *w = nc_model_writer_alloc(id, "test-arch");
    if (!w)
        return NULL;
    for (int i = 0; i < 60; i++)
        weights[i] = sinf((float)i * 0.37f) * (float)(i % 7 + 1) * 0.25f;
    int64_t dims[3] = {3, 4, 5};
    int16_t i16[4] = {-32768, -1, 0, 32767};
    int32_t i32 = -123456789;
    int64_t d4 = 4;
    CHECK(nc_model_writer_set_param(w, "name", "a demo model") == 0);
    CHECK(nc_model_writer_set_param_int(w, "channels", -42) == 0);
    CHECK(nc_model_writer_set_param_float(w, "lr", 0.1) == 0);
    CHECK(nc_model_writer_set_param(w, "channels", "7") == NC_EINVAL); /* duplicate */
    CHECK(nc_model_writer_set_param(w, "bad key", "7") == NC_EINVAL);
    CHECK(nc_model_writer_add_f32(w, "w.f32", 3, dims, weights, NC_MODEL_F32) == 0);
    CHECK(nc_model_writer_add_f32(w, "w.f16", 3, dims, weights, NC_MODEL_F16) == 0);
    CHECK(nc_model_writer_add_f32(w, "w.i8", 3, dims, weights, NC_MODEL_I8) == 0);
    CHECK(nc_model_writer_add_tensor(w, "raw.i16", NC_MODEL_I16, 1, &d4, i16, NULL) == 0);
    CHECK(nc_model_writer_add_tensor(w, "scalar.i32", NC_MODEL_I32, 0, NULL, &i32, NULL) == 0);
    CHECK(nc_model_writer_add_f32(w, "w.f32", 1, &d4, weights, NC_MODEL_F32) == NC_EINVAL);
    return w;
}

static void check_demo(const NCModel *m)
{
    CHECK(!strcmp(nc_model_id(m), "demo"));
    CHECK(!strcmp(nc_model_arch(m), "test-arch"));
    CHECK(!strcmp(nc_model_param(m, "name"), "a demo model"));
    int64_t ch = 0;
    double lr = 0;
    CHECK(nc_model_param_int(m, "channels", &ch) == 0 && ch == -42);
    CHECK(nc_model_param_float(m, "lr", &lr) == 0 && lr == 0.1);
    CHECK(nc_model_param_int(m, "name", &ch) == NC_EINVAL);
    CHECK(nc_model_param_int(m, "absent", &ch) == NC_EMODEL);
    CHECK(nc_model_param_count(m) == 3 && nc_model_tensor_count(m) == 5);
    const char *k, *v;
    CHECK(nc_model_param_at(m, 1, &k, &v) == 0 && !strcmp(k, "channels"));
    CHECK(nc_model_param_at(m, 3, &k, &v) == NC_ERANGE);

    float out[60];
    const NCModelTensor *t = nc_model_tensor(m, "w.f32");
    CHECK(t && t->dtype == NC_MODEL_F32 && t->ndim == 3 && t->numel == 60);
    CHECK(t && ((uintptr_t)t->data & 63) == 0);
    CHECK(t && !memcmp(t->data, weights, sizeof(weights)));
    t = nc_model_tensor(m, "w.f16");
    CHECK(t && nc_model_tensor_to_f32(t, out, 60) == 0);
    for (int i = 0; t && i < 60; i++)
        CHECK(fabsf(out[i] - weights[i]) <= fabsf(weights[i]) * (1.0f / 2048));
    t = nc_model_tensor(m, "w.i8");
    CHECK(t && t->scales && nc_model_tensor_to_f32(t, out, 60) == 0);
    for (int i = 0; t && i < 60; i++)
        CHECK(fabsf(out[i] - weights[i]) <= t->scales[i / 20] * 0.5f + 1e-7f);
    t = nc_model_tensor(m, "raw.i16");
    CHECK(t && ((const int16_t *)t->data)[0] == -32768 && ((const int16_t *)t->data)[3] == 32767);
    t = nc_model_tensor(m, "scalar.i32");
    CHECK(t && t->ndim == 0 && t->numel == 1 && *(const int32_t *)t->data == -123456789);
    CHECK(nc_model_tensor(m, "absent") == NULL);
    int64_t want[3] = {3, 4, 5}, wrong[3] = {3, 5, 4};
    CHECK(nc_model_tensor_expect(m, "w.i8", 3, want, &t) == 0);
    CHECK(nc_model_tensor_expect(m, "w.i8", 3, wrong, &t) == NC_EMODEL);
}

static void test_f16(void)
{
    CHECK(ncm_f32_to_f16(1.0f) == 0x3c00);
    CHECK(ncm_f32_to_f16(-2.0f) == 0xc000);
    CHECK(ncm_f32_to_f16(65504.0f) == 0x7bff);
    CHECK(ncm_f32_to_f16(65520.0f) == 0x7c00); /* rounds up to infinity */
    CHECK(ncm_f32_to_f16(5.9604645e-8f) == 0x0001);
    CHECK(ncm_f32_to_f16(2.9802322e-8f) == 0x0000); /* tie to even: zero */
    CHECK(ncm_f32_to_f16(1.0f + 1.0f / 2048) == 0x3c00); /* tie to even */
    CHECK(ncm_f32_to_f16(1.0f + 3.0f / 2048) == 0x3c02);
    /* every finite half converts to float and back unchanged */
    for (uint32_t h = 0; h < 0x10000; h++)
        if ((h & 0x7c00) != 0x7c00 && ncm_f32_to_f16(ncm_f16_to_f32((uint16_t)h)) != h) {
            CHECK(!"f16 round trip");
            break;
        }
}

/* Payloads are little-endian in the file whatever the host (spec/model.md): the
 * writer's bytes have one SHA-256 everywhere, and reading them gives the values back
 * (conformance/xarch.sh runs this on big-endian s390x). */
static void test_byte_order(void)
{
    static const float f32[2] = {1.0f, -2.5f}, scale = 0.5f;
    static const int8_t i8[2] = {3, -4};
    static const int16_t i16[2] = {0x1234, -2};
    static const int32_t i32 = 0x01020304;
    int64_t two = 2, row[2] = {1, 2};
    NCModelWriter *w = nc_model_writer_alloc("order", "test-arch");
    CHECK(w && nc_model_writer_add_tensor(w, "f32", NC_MODEL_F32, 1, &two, f32, NULL) == 0);
    CHECK(w && nc_model_writer_add_f32(w, "f16", 1, &two, f32, NC_MODEL_F16) == 0);
    CHECK(w && nc_model_writer_add_tensor(w, "i8", NC_MODEL_I8, 2, row, i8, &scale) == 0);
    CHECK(w && nc_model_writer_add_tensor(w, "i16", NC_MODEL_I16, 1, &two, i16, NULL) == 0);
    CHECK(w && nc_model_writer_add_tensor(w, "i32", NC_MODEL_I32, 0, NULL, &i32, NULL) == 0);
    uint8_t *img = NULL, sha[32];
    size_t size = 0;
    char hex[65];
    CHECK(w && nc_model_writer_write_memory(w, &img, &size, sha) == 0);
    nci_sha256_hex(sha, hex);
    const char *want = "7e4e82bd8b078efacee1ca7eaccc49737478dbf45ef359e3044bedb84930ba34";
    if (strcmp(hex, want))
        fprintf(stderr, "byte-order model: SHA-256 %s, expected %s\n", hex, want);
    CHECK(!strcmp(hex, want));
    NCModel *m = NULL;
    float out[2];
    CHECK(img && nc_model_load_memory(&m, img, size) == 0);
    const NCModelTensor *t = m ? nc_model_tensor(m, "f32") : NULL;
    CHECK(t && ((const float *)t->data)[0] == 1.0f && ((const float *)t->data)[1] == -2.5f);
    t = m ? nc_model_tensor(m, "f16") : NULL;
    CHECK(t && nc_model_tensor_to_f32(t, out, 2) == 0 && out[0] == 1.0f && out[1] == -2.5f);
    t = m ? nc_model_tensor(m, "i8") : NULL;
    CHECK(t && t->scales[0] == 0.5f && nc_model_tensor_to_f32(t, out, 2) == 0 &&
          out[0] == 1.5f && out[1] == -2.0f);
    t = m ? nc_model_tensor(m, "i16") : NULL;
    CHECK(t && ((const int16_t *)t->data)[0] == 0x1234 && ((const int16_t *)t->data)[1] == -2);
    t = m ? nc_model_tensor(m, "i32") : NULL;
    CHECK(t && *(const int32_t *)t->data == 0x01020304);
    nc_model_free(&m);
    nc_model_writer_free(&w);
    free(img);
}

static void test_damage(const uint8_t *img, size_t size)
{
    NCModel *m = NULL;
    uint8_t *copy = malloc(size);
    /* every truncation and every single-bit flip is refused, never crashes */
    for (size_t n = 0; n < size; n++)
        CHECK(nc_model_load_memory(&m, img, n) == NC_EMODEL && !m);
    for (size_t i = 0; i < size; i++) {
        memcpy(copy, img, size);
        copy[i] ^= (uint8_t)(1u << (i % 8));
        CHECK(nc_model_load_memory(&m, copy, size) == NC_EMODEL && !m);
    }
    /* flips with a repaired hash reach the parser: any outcome but a crash or a
     * model that differs from what the parser accepted */
    int accepted = 0;
    for (size_t i = 0; i < size - NC_MODEL_SHA256_SIZE; i++) {
        memcpy(copy, img, size);
        copy[i] ^= 0xff;
        nci_sha256(copy, size - 32, copy + size - 32);
        int r = nc_model_load_memory(&m, copy, size);
        CHECK(r == 0 || r == NC_EMODEL);
        accepted += r == 0;
        nc_model_free(&m);
    }
    /* only bytes inside payloads or values may change without breaking the format */
    CHECK(accepted > 0 && accepted < (int)size);
    free(copy);
}

static void test_files(NCModelWriter *w)
{
    char dir[] = "/tmp/nc-model-testXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof(path), "%s/demo.ncm", dir);
    uint8_t sha[32];
    CHECK(nc_model_writer_write_file(w, path, sha) == 0);
    NCModel *m = NULL;
    CHECK(nc_model_load_file(&m, path) == 0);
    if (m) {
        check_demo(m);
        CHECK(!memcmp(nc_model_sha256(m), sha, 32));
        nc_model_free(&m);
    }
    CHECK(nc_model_find(&m, "demo", dir) == 0 && m);
    nc_model_free(&m);
    CHECK(nc_model_find(&m, "demo", path) == 0 && m);
    nc_model_free(&m);
    CHECK(nc_model_find(&m, "other", path) == NC_EMODEL && !m); /* id differs */
    setenv("NC_MODEL_PATH", "/nonexistent:", 1);
    CHECK(nc_model_find(&m, "demo", NULL) == NC_EMODEL);
    char env[300];
    snprintf(env, sizeof(env), "/nonexistent:%s", dir);
    setenv("NC_MODEL_PATH", env, 1);
    CHECK(nc_model_find(&m, "demo", NULL) == 0 && m);
    nc_model_free(&m);
    CHECK(nc_model_find(&m, "../demo", NULL) == NC_EINVAL);
    CHECK(nc_model_load_file(&m, dir) == NC_EIO);
    CHECK(nc_model_load_file(&m, "/nonexistent/x.ncm") == NC_EIO);
    remove(path);
    rmdir(dir);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) fputs(text, f), fclose(f);
}

/* nc_model_list(): every loadable <id>.ncm holding id, each id once (the first in
 * search order, as nc_model_find() picks), the card's "> " line as summary. */
static void test_list(NCModelWriter *demo)
{
    char a[] = "/tmp/nc-model-listXXXXXX", b[] = "/tmp/nc-model-listXXXXXX", path[256];
    CHECK(mkdtemp(a) != NULL && mkdtemp(b) != NULL);
    snprintf(path, sizeof(path), "%s/demo.ncm", a);
    CHECK(nc_model_writer_write_file(demo, path, NULL) == 0);
    write_text(a, "demo.md", "# demo\n\n> The demo model, for tests\n\nMore text.\n");
    snprintf(path, sizeof(path), "%s/demo.ncm", b); /* shadowed by a's */
    CHECK(nc_model_writer_write_file(demo, path, NULL) == 0);
    snprintf(path, sizeof(path), "%s/other.ncm", b); /* holds id demo: not findable as other */
    CHECK(nc_model_writer_write_file(demo, path, NULL) == 0);
    write_text(b, "broken.ncm", "not a model");
    NCModelWriter *zeta = build_demo("zeta");
    snprintf(path, sizeof(path), "%s/zeta.ncm", b);
    CHECK(zeta && nc_model_writer_write_file(zeta, path, NULL) == 0);
    nc_model_writer_free(&zeta);
    char env[300];
    snprintf(env, sizeof(env), "/nonexistent::%s:%s", a, b);
    setenv("NC_MODEL_PATH", env, 1);
    NCModelEntry *list = NULL;
    size_t n = 0;
    CHECK(nc_model_list(&list, &n) == 0);
    CHECK(n == 2);
    if (n == 2) {
        snprintf(path, sizeof(path), "%s/demo.ncm", a);
        CHECK(!strcmp(list[0].id, "demo") && !strcmp(list[0].path, path));
        CHECK(!strcmp(list[0].summary, "The demo model, for tests"));
        CHECK(!strcmp(list[0].arch, "test-arch"));
        CHECK(list[0].size > 0);
        CHECK(!strcmp(list[1].id, "zeta") && !strcmp(list[1].summary, ""));
    }
    free(list);
    CHECK(nc_model_list(NULL, &n) == NC_EINVAL);
    const char *names[] = {"demo.ncm", "demo.md", NULL, "demo.ncm", "other.ncm", "broken.ncm",
                           "zeta.ncm"};
    for (int i = 0; i < 7; i++) {
        if (!names[i]) continue;
        snprintf(path, sizeof(path), "%s/%s", i < 2 ? a : b, names[i]);
        remove(path);
    }
    rmdir(a);
    rmdir(b);
}

/* Hyper-parameter values are UTF-8 text without control characters (issue 21, 5):
 * a file whose value holds an ESC sequence, a C1 control or invalid UTF-8 (with a
 * repaired hash) is refused on load; the writer refuses them too; and text meant
 * for a terminal is escaped byte by byte. */
static void test_text_values(void)
{
    NCModelWriter *w = nc_model_writer_alloc("text", "test-arch");
    CHECK(w && nc_model_writer_set_param(w, "note", "PLACEHOLDER") == 0);
    CHECK(nc_model_writer_set_param(w, "esc", "\x1b[2J") == NC_EINVAL);
    CHECK(nc_model_writer_set_param(w, "bad", "\xff") == NC_EINVAL);
    uint8_t *img = NULL;
    size_t size = 0;
    CHECK(nc_model_writer_write_memory(w, &img, &size, NULL) == 0);
    uint8_t *at = img ? memmem(img, size, "PLACEHOLDER", 11) : NULL;
    CHECK(at != NULL);
    static const struct {
        const char *value; /* at most 11 bytes, padded with dots */
        int ok;
    } cases[] = {{"\x1b[31mred!!", 0}, {"bell\x07 here", 0}, {"csi \xc2\x9b 2J!", 0},
                 {"bad \xff byte", 0}, {"over \xc0\xaf  ", 0}, {"surr\xed\xa0\x80gate", 0},
                 {"del \x7f byte", 0}, {"h\xc3\xa9llo w\xc3\xb6r", 1}, {"PLACEHOLDER", 1}};
    for (size_t i = 0; at && i < sizeof(cases) / sizeof(cases[0]); i++) {
        char value[12] = "...........";
        memcpy(value, cases[i].value, strlen(cases[i].value));
        memcpy(at, value, 11);
        nci_sha256(img, size - 32, img + size - 32);
        NCModel *m = NULL;
        int r = nc_model_load_memory(&m, img, size);
        CHECK_EQ(r, cases[i].ok ? 0 : NC_EMODEL);
        if (m) CHECK(!strcmp(nc_model_param(m, "note"), value));
        nc_model_free(&m);
    }
    char out[64];
    CHECK(!strcmp(nc_text_escape(out, sizeof(out), "a\x1b[31mb\xc2\x9b\\ \xc3\xa9"),
                  "a\\x1b[31mb\\xc2\\x9b\\\\ \xc3\xa9"));
    CHECK(!strcmp(nc_text_escape(out, 6, "\x1b\x1b"), "\\x1b")); /* cut, never half */
    free(img);
    nc_model_writer_free(&w);
}

int main(void)
{
    nc_log_set_level(NC_LOG_QUIET);
    test_f16();
    test_text_values();
    test_byte_order();
    NCModelWriter *w = build_demo("demo");
    CHECK(w != NULL);
    if (!w)
        return 1;
    test_list(w);
    uint8_t *img = NULL, sha[32];
    size_t size = 0;
    CHECK(nc_model_writer_write_memory(w, &img, &size, sha) == 0);
    NCModel *m = NULL;
    CHECK(nc_model_load_memory(&m, img, size) == 0);
    if (m) {
        check_demo(m);
        CHECK(nc_model_check(m, "demo", sha) == 0);
        CHECK(nc_model_check(m, "demo2", sha) == NC_EMODEL);
        sha[5] ^= 1;
        CHECK(nc_model_check(m, "demo", sha) == NC_EMODEL);
        nc_model_free(&m);
    }
    /* the writer is deterministic: the same content gives the same bytes */
    NCModelWriter *w2 = build_demo("demo");
    uint8_t *img2 = NULL;
    size_t size2 = 0;
    CHECK(nc_model_writer_write_memory(w2, &img2, &size2, NULL) == 0);
    CHECK(size2 == size && !memcmp(img, img2, size));
    test_damage(img, size);
    test_files(w);
    /* an empty model (no parameters, no tensors) is valid */
    NCModelWriter *e = nc_model_writer_alloc("empty", "none");
    free(img2);
    CHECK(nc_model_writer_write_memory(e, &img2, &size2, NULL) == 0);
    CHECK(nc_model_load_memory(&m, img2, size2) == 0 && nc_model_tensor_count(m) == 0);
    CHECK(nc_model_tensor(m, "x") == NULL);
    nc_model_free(&m);
    CHECK(nc_model_writer_alloc("bad id", "x") == NULL);
    nc_model_writer_free(&e);
    nc_model_writer_free(&w2);
    nc_model_writer_free(&w);
    free(img2);
    free(img);
    if (!test_failures)
        printf("model: all checks passed\n");
    return test_result("model");
}
