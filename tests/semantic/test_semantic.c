/* semantic through the public API with a tiny random model: lengths, chunking and
 * repeat determinism, rates, the token dump, decoding from mid-stream, damaged
 * packets and headers, model identity; and the trainer, on a few synthetic files,
 * writing a model the codec codes with. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codecs/semantic/sem_fft.h"
#include "codecs/semantic/semantic.h"
#include "codecs/trainers.h"
#include "nc/log.h"
#include "tests/support/audio_stream.h"
#include "tests/support/tiny_model.h"
#include "tests/test.h"

static char dir[64], enc_opts[256], dec_opts[256];

static double rms(const float *x, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s / (n > 0 ? n : 1));
}

/* The decoder's exact FFT against kissfft (dsp_fft): the same transform to float
 * rounding, both ways, and inverse(forward(x)) == x. */
static void test_fft(void)
{
    static SemFFT f;
    static float x[SEM_FFT_N], y[SEM_FFT_N], z[SEM_FFT_N];
    static NCComplex a[SEM_FFT_N / 2 + 1], b[SEM_FFT_N / 2 + 1];
    NCFFT *ref = NULL;
    CHECK_EQ(dsp_fft_real_alloc(&ref, SEM_FFT_N), 0);
    sem_fft_init(&f);
    uint64_t r = 7;
    for (int i = 0; i < SEM_FFT_N; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((int)(r >> 40) % 2001 - 1000) / 1000.0f;
    }
    sem_fft_forward(&f, x, a);
    dsp_fft_real_forward(ref, x, b);
    double worst = 0.0;
    for (int k = 0; k <= SEM_FFT_N / 2; k++)
        worst = fmax(worst, fmax(fabs(a[k].re - b[k].re), fabs(a[k].im - b[k].im)));
    CHECK(worst < 1e-3); /* the spectrum's values reach ~30 */
    sem_fft_inverse(&f, a, y);
    dsp_fft_real_inverse(ref, a, z);
    worst = 0.0;
    for (int i = 0; i < SEM_FFT_N; i++) worst = fmax(worst, fmax(fabs(y[i] - x[i]), fabs(y[i] - z[i])));
    CHECK(worst < 1e-5);
    CHECK(fabs(sem_fft_cos(&f, 128) - 0.70710678) < 1e-7 && sem_fft_cos(&f, 256) == 0.0f);
    dsp_fft_free(&ref);
}

static int encode(const char *extra, const float *x, int n, int chunk, NCTestStream *s)
{
    char opts[512];
    snprintf(opts, sizeof(opts), "%s%s%s", enc_opts, *extra ? ":" : "", extra);
    return nct_audio_encode("semantic", opts, x, n, 16000, chunk, 1, s);
}

static void test_lengths(const float *x)
{
    static const int lengths[] = {1, 639, 640, 1504, 16000 * 2 + 17};
    for (int i = 0; i < 5; i++) {
        NCTestStream s;
        float *y = NULL;
        int errors;
        CHECK_EQ(encode("", x, lengths[i], 1000, &s), 0);
        CHECK_EQ(nct_audio_decode("semantic", dec_opts, &s, 0, &y, &errors, NULL), lengths[i]);
        CHECK_EQ(errors, 0);
        int64_t t = 0; /* timestamps add up */
        for (int p = 0; p < s.count; p++) {
            CHECK_EQ(s.pkts[p]->pts, t);
            t += s.pkts[p]->duration;
        }
        CHECK_EQ(t, lengths[i]);
        free(y);
        nct_stream_free(&s);
    }
}

static void test_determinism_and_level(const float *x, int n)
{
    NCTestStream a, b, c;
    CHECK_EQ(encode("stages=2", x, n, n, &a), 0);
    CHECK_EQ(encode("stages=2", x, n, 160, &b), 0);
    CHECK_EQ(encode("stages=2", x, n, n, &c), 0);
    CHECK(nct_stream_same(&a, &b)); /* chunking does not matter */
    CHECK(nct_stream_same(&a, &c)); /* nor running again */
    CHECK_EQ(a.count, (n + SEM_DELAY + SEM_TOKEN_SAMPLES * 25 - 1) / (SEM_TOKEN_SAMPLES * 25));
    float *y = NULL, *z = NULL;
    CHECK_EQ(nct_audio_decode("semantic", dec_opts, &a, 0, &y, NULL, NULL), n);
    CHECK_EQ(nct_audio_decode("semantic", dec_opts, &a, 0, &z, NULL, NULL), n);
    CHECK(y && z && !memcmp(y, z, sizeof(float) * (size_t)n));
    free(y);
    free(z);
    nct_stream_free(&a);
    nct_stream_free(&b);
    nct_stream_free(&c);
}

static void test_rates(const float *x, int n)
{
    size_t prev = 0;
    for (int stages = 0; stages <= 4; stages++) {
        char opt[32];
        NCTestStream s;
        snprintf(opt, sizeof(opt), "stages=%d", stages);
        CHECK_EQ(encode(opt, x, n, n, &s), 0);
        CHECK(s.bytes > prev);
        prev = s.bytes;
        nct_stream_free(&s);
    }
    /* bitrate picks more stages as it grows, never more than the model has */
    NCTestStream lo, hi;
    CHECK_EQ(encode("bitrate=200", x, n, n, &lo), 0);
    CHECK_EQ(encode("bitrate=4000", x, n, n, &hi), 0);
    CHECK(lo.bytes < hi.bytes);
    nct_stream_free(&lo);
    nct_stream_free(&hi);
    CHECK(encode("stages=5", x, n, n, &lo) < 0); /* the tiny model has 4 */
    nct_stream_free(&lo);
}

static void test_dump(const float *x, int n)
{
    char path[128], opt[160], line[256];
    snprintf(path, sizeof(path), "%s/tokens.txt", dir);
    snprintf(opt, sizeof(opt), "stages=3:dump_tokens=%s", path);
    NCTestStream s;
    CHECK_EQ(encode(opt, x, n, n, &s), 0);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    int lines = 0, fields = 0, bad = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (line[0] == '#')
            continue;
        int v[6];
        fields = sscanf(line, "%d %d %d %d %d %d", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
        bad += v[0] != lines || v[2] < 0 || v[2] >= 64;
        lines++;
    }
    if (f)
        fclose(f);
    CHECK_EQ(lines, (n + SEM_DELAY + SEM_TOKEN_SAMPLES - 1) / SEM_TOKEN_SAMPLES);
    CHECK_EQ(fields, 6); /* index, gain, semantic, 3 acoustic */
    CHECK_EQ(bad, 0);
    nct_stream_free(&s);
}

static void test_mid_stream(const float *x, int n)
{
    NCTestStream s;
    CHECK_EQ(encode("", x, n, n, &s), 0);
    CHECK(s.count >= 3);
    float *y = NULL;
    int64_t pts;
    int got = nct_audio_decode("semantic", dec_opts, &s, 2, &y, NULL, &pts);
    /* every packet is a key: the output starts SEM_DELAY samples into packet 2
     * (no earlier frame overlaps them) and runs to the end */
    CHECK_EQ(pts, s.pkts[2]->pts + SEM_DELAY);
    CHECK_EQ(got, n - (int)pts);
    free(y);
    nct_stream_free(&s);
}

static void test_damage(const float *x, int n)
{
    NCTestStream s;
    CHECK_EQ(encode("stages=4", x, n, n, &s), 0);
    CHECK(s.count >= 3);
    /* packet 1 cut short, packet 2 with a flipped byte: both refused or decoded
     * within bounds, never more samples than declared */
    s.pkts[1]->size /= 2;
    s.pkts[2]->data[s.pkts[2]->size / 2] ^= 0x5a;
    float *y = NULL;
    int errors = 0;
    int got = nct_audio_decode("semantic", dec_opts, &s, 0, &y, &errors, NULL);
    CHECK(got >= 0 && got <= n);
    CHECK(errors >= 1);
    free(y);
    /* headers: cut, unknown version, too many stages, another model */
    uint8_t keep[256];
    size_t size = s.extradata_size;
    memcpy(keep, s.extradata, size);
    s.extradata_size = size - 1;
    CHECK(nct_audio_decode("semantic", dec_opts, &s, 0, &y, NULL, NULL) < 0);
    s.extradata_size = size;
    s.extradata[0] = 0x80 | 9;
    CHECK(nct_audio_decode("semantic", dec_opts, &s, 0, &y, NULL, NULL) < 0);
    memcpy(s.extradata, keep, size);
    s.extradata[1] = 9; /* stages */
    CHECK(nct_audio_decode("semantic", dec_opts, &s, 0, &y, NULL, NULL) < 0);
    memcpy(s.extradata, keep, size);
    s.extradata[size - 1] ^= 1; /* the model's hash */
    CHECK_EQ(nct_audio_decode("semantic", dec_opts, &s, 0, &y, NULL, NULL), NC_EMODEL);
    nct_stream_free(&s);
}

static void test_trainer(const float *x, int n)
{
    char a[96], b[96], out[128], opts[512];
    snprintf(a, sizeof(a), "%s/speech", dir);
    snprintf(b, sizeof(b), "%s/other", dir);
    CHECK_EQ(mkdir(a, 0700), 0);
    CHECK_EQ(mkdir(b, 0700), 0);
    float *noise = malloc(sizeof(float) * (size_t)n);
    uint64_t r = 1;
    for (int i = 0; noise && i < n; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        noise[i] = (float)((int)(r >> 40) % 2000 - 1000) / 4000.0f * (float)(i % 8000 < 3000);
    }
    char path[192];
    snprintf(path, sizeof(path), "%s/voice.wav", a);
    CHECK_EQ(nct_write_wav(path, x, n, 16000), 0);
    snprintf(path, sizeof(path), "%s/bursts.wav", b);
    CHECK_EQ(noise ? nct_write_wav(path, noise, n, 16000) : -1, 0);
    snprintf(path, sizeof(path), "%s:%s", a, b);
    snprintf(out, sizeof(out), "%s/semantic-trained.ncm", dir);
    static const char *const options[] = {"batch=4", "tokens=16", "channels=8", "sem_codes=16",
                                          "stages=2", "ac_codes=8", "crops=16"};
    char ckpt[192];
    snprintf(ckpt, sizeof(ckpt), "%s.ckpt", out);
    NCTrainJob job = {.data_dir = path, .out_path = out, .checkpoint_path = ckpt, .steps = 20,
                      .seed = 3, .options = options, .n_options = 7};
    CHECK_EQ(trainer_find("semantic")->train(&job), 0);
    /* the codec codes with what it wrote, and what it learnt of the signal's
     * spectrum keeps the decoded level within 10 dB */
    NCTestStream s;
    const int m = 16000;
    snprintf(opts, sizeof(opts), "model=semantic-trained:model_path=%s:stages=2", dir);
    CHECK_EQ(nct_audio_encode("semantic", opts, x, m, 16000, m, 1, &s), 0);
    float *y = NULL;
    snprintf(opts, sizeof(opts), "model_path=%s", dir);
    CHECK_EQ(nct_audio_decode("semantic", opts, &s, 0, &y, NULL, NULL), m);
    double r0 = rms(x, m), r1 = y ? rms(y, m) : 0.0;
    if (!(r1 > r0 / 3.2 && r1 < r0 * 3.2))
        fprintf(stderr, "rms in %g, out %g\n", r0, r1);
    CHECK(r1 > r0 / 3.2 && r1 < r0 * 3.2);
    free(y);
    free(noise);
    nct_stream_free(&s);
    snprintf(path, sizeof(path), "%s/voice.wav", a);
    remove(path);
    snprintf(path, sizeof(path), "%s/bursts.wav", b);
    remove(path);
    rmdir(a);
    rmdir(b);
    remove(out);
    remove(ckpt);
}

int main(void)
{
    nc_log_set_level(getenv("SEMANTIC_TEST_LOG") ? NC_LOG_VERBOSE : NC_LOG_QUIET);
    snprintf(dir, sizeof(dir), "/tmp/test-semantic-%ld", (long)getpid());
    CHECK_EQ(mkdir(dir, 0700), 0);
    char model[128];
    snprintf(model, sizeof(model), "%s/semantic-tiny.ncm", dir);
    CHECK_EQ(sem_test_write_tiny_model(model, 1), 0);
    snprintf(enc_opts, sizeof(enc_opts), "model=semantic-tiny:model_path=%s", dir);
    snprintf(dec_opts, sizeof(dec_opts), "model_path=%s", dir);
    const int n = 16000 * 3 + 123;
    float *x = malloc(sizeof(float) * n);
    rvq_test_signal(x, n, 5);
    test_fft();
    test_lengths(x);
    test_determinism_and_level(x, n);
    test_rates(x, n);
    test_dump(x, n);
    test_mid_stream(x, n);
    test_damage(x, n);
    test_trainer(x, n);
    free(x);
    char path[160];
    snprintf(path, sizeof(path), "%s/tokens.txt", dir);
    remove(path);
    remove(model);
    rmdir(dir);
    return test_result("semantic");
}
