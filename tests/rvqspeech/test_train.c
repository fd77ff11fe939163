/* The rvqspeech trainer on tiny synthetic folders: a warm start (-o from=) from a
 * model of the trainer's shape over two folders (one at 8 kHz, resampled) writes a
 * model the codec codes with, close to where it started; a start widened to a wider
 * network computes what it did, and trains into a model the codec codes with;
 * with -o average= the export is the weights' moving average, nearer the start
 * than the last step's weights, and the checkpoint keeps the average; -o stages=
 * and -o corrections= change what is learnt, the same way every run;
 * narrower starts, a missing folder and --resume together with from= are refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codecs/rvqspeech/train_net.h"
#include "codecs/trainers.h"
#include "nc/log.h"
#include "nc/model.h"
#include "tests/support/audio_stream.h"
#include "tests/support/tiny_model.h"
#include "tests/test.h"

static char dir[64];

static int average_kept; /* the last train() left a checkpoint weight average */

static int train(const char *data, const char *out, const char *const *options, int n_options,
                 const char *resume)
{
    char ckpt[192];
    snprintf(ckpt, sizeof(ckpt), "%s.ckpt", out);
    NCTrainJob job = {.data_dir = data, .out_path = out, .checkpoint_path = ckpt,
                      .resume_path = resume, .steps = 2, .seed = 3, .options = options,
                      .n_options = n_options};
    int ret = trainer_find("rvqspeech")->train(&job);
    char path[256];
    snprintf(path, sizeof(path), "%s.net.ncm", ckpt);
    remove(path);
    snprintf(path, sizeof(path), "%s.rvq.ncm", ckpt);
    remove(path);
    snprintf(path, sizeof(path), "%s.avg.ncm", ckpt);
    average_kept = access(path, F_OK) == 0;
    remove(path);
    return ret;
}

/* Largest and mean absolute difference between tensor `name` of two model files
 * (-1 when either is missing or they differ in size). */
static double max_diff(const char *a, const char *b, const char *name, double *mean)
{
    NCModel *ma = NULL, *mb = NULL;
    double d = -1;
    if (nc_model_load_file(&ma, a) == 0 && nc_model_load_file(&mb, b) == 0) {
        const NCModelTensor *ta = nc_model_tensor(ma, name), *tb = nc_model_tensor(mb, name);
        float *x = ta ? malloc(sizeof(float) * (size_t)ta->numel) : NULL;
        float *y = ta ? malloc(sizeof(float) * (size_t)ta->numel) : NULL;
        if (x && y && tb && tb->numel == ta->numel && nc_model_tensor_to_f32(ta, x, ta->numel) >= 0 &&
            nc_model_tensor_to_f32(tb, y, tb->numel) >= 0) {
            d = 0, *mean = 0;
            for (int64_t i = 0; i < ta->numel; i++) {
                d = fmax(d, fabs((double)x[i] - y[i]));
                *mean += fabs((double)x[i] - y[i]) / (double)ta->numel;
            }
        }
        free(x);
        free(y);
    }
    nc_model_free(&ma);
    nc_model_free(&mb);
    return d;
}

/* The decoder of the model at path, and the same network widened to dec_channels
 * wide (nn_params_load_widened), give the same output for a random latent. */
static double widened_decoder_diff(const char *path, int channels, int dec_channels)
{
    NCModel *m = NULL;
    NNParams *narrow = nn_params_alloc(), *wide = nn_params_alloc();
    NNGraph *g = nn_graph_alloc();
    NNRng rng;
    nn_rng_seed(&rng, 5);
    NCRvqShape sn = {channels, 64, 12, 1024, channels}, sw = sn;
    sw.dec_channels = dec_channels;
    double d = -1;
    enum { T = 20 };
    float z[64 * T];
    for (int i = 0; i < 64 * T; i++) z[i] = nn_rng_normal(&rng);
    if (nc_model_load_file(&m, path) == 0 && narrow && wide && g &&
        rvq_net_create(narrow, &sn, &rng) >= 0 && rvq_net_create(wide, &sw, &rng) >= 0 &&
        nn_params_load(narrow, m) >= 0 && nn_params_load_widened(wide, m) >= 0) {
        nn_graph_set_grad(g, 0);
        NNTensor *a = rvq_net_decode(g, narrow, &sn, nn_tensor_from(g, 3, (int[]){1, 64, T}, z));
        NNTensor *b = rvq_net_decode(g, wide, &sw, nn_tensor_from(g, 3, (int[]){1, 64, T}, z));
        d = 0;
        for (int64_t i = 0; i < a->numel; i++) d = fmax(d, fabs((double)a->data[i] - b->data[i]));
        /* the widened decoder's new units are live: a widened model can learn */
        const NNParam *w = nn_params_find(wide, "dec.rb0.c1.weight");
        double live = 0;
        for (int64_t i = (int64_t)channels * dec_channels * 3; i < w->t.numel; i++) live += fabs(w->t.data[i]);
        if (!(live > 0))
            d = -1;
    }
    nn_graph_free(&g);
    nn_params_free(&narrow);
    nn_params_free(&wide);
    nc_model_free(&m);
    return d;
}

int main(void)
{
    nc_log_set_level(getenv("RVQ_TEST_LOG") ? NC_LOG_VERBOSE : NC_LOG_QUIET);
    snprintf(dir, sizeof(dir), "/tmp/test-rvqtrain-%ld", (long)getpid());
    CHECK_EQ(mkdir(dir, 0700), 0);
    char a[96], b[96], path[256], start[128], out[128], data[256], from[160];
    snprintf(a, sizeof(a), "%s/a", dir);
    snprintf(b, sizeof(b), "%s/b", dir);
    CHECK_EQ(mkdir(a, 0700), 0);
    CHECK_EQ(mkdir(b, 0700), 0);
    const int n = 32000;
    float *x = malloc(sizeof(float) * n);
    CHECK(x != NULL);
    rvq_test_signal(x, n, 7);
    snprintf(path, sizeof(path), "%s/voice16k.wav", a);
    CHECK_EQ(nct_write_wav(path, x, n, 16000), 0);
    rvq_test_signal(x, n / 2, 8);
    snprintf(path, sizeof(path), "%s/voice8k.wav", b);
    CHECK_EQ(nct_write_wav(path, x, n / 2, 8000), 0);

    snprintf(start, sizeof(start), "%s/start.ncm", dir);
    CHECK_EQ(rvq_test_write_model(start, "start", 8, 64, 1), 0);
    snprintf(out, sizeof(out), "%s/trained.ncm", dir);
    snprintf(data, sizeof(data), "%s:%s", a, b);
    snprintf(from, sizeof(from), "from=%s", start);
    const char *opts[] = {from, "channels=8", "batch=1"};
    CHECK_EQ(train(data, out, opts, 3, NULL), 0);

    /* two small steps away from the start: the weights moved a little; the codes
     * the data used moved toward it, the others (most) stayed */
    double mw = 0, mc = 0;
    double dw = max_diff(start, out, "dec.out.weight", &mw);
    double dc = max_diff(start, out, "rvq.codebooks", &mc);
    if (!(dw > 0 && dw < 0.01 && dc > 0 && mc < 0.01))
        fprintf(stderr, "weights moved %g, codebooks %g (mean %g)\n", dw, dc, mc);
    CHECK(dw > 0 && dw < 0.01);
    CHECK(dc > 0 && mc < 0.01);
    NCModel *m = NULL;
    CHECK_EQ(nc_model_load_file(&m, out), 0);
    const char *steps = m ? nc_model_param(m, "train.steps") : NULL;
    CHECK(steps && !strcmp(steps, "2"));
    nc_model_free(&m);

    /* the codec codes with it */
    char enc[256], dec[160];
    snprintf(enc, sizeof(enc), "model=trained:model_path=%s:bitrate=3000", dir);
    snprintf(dec, sizeof(dec), "model_path=%s", dir);
    NCTestStream s;
    rvq_test_signal(x, n, 9);
    CHECK_EQ(nct_audio_encode("rvqspeech", enc, x, n, 16000, 4000, 1, &s), 0);
    float *y = NULL;
    CHECK_EQ(nct_audio_decode("rvqspeech", dec, &s, 0, &y, NULL, NULL), n);
    free(y);
    nct_stream_free(&s);

    /* the same two steps with a weight average of decay 0.5: the export is
     * 0.25 start + 0.25 step 1 + 0.5 step 2, nearer the start than step 2 */
    CHECK(!average_kept);
    char avg_out[128];
    snprintf(avg_out, sizeof(avg_out), "%s/averaged.ncm", dir);
    const char *avg_opts[] = {from, "channels=8", "batch=1", "average=0.5"};
    CHECK_EQ(train(data, avg_out, avg_opts, 4, NULL), 0);
    CHECK(average_kept);
    double ma = 0, da = max_diff(start, avg_out, "dec.out.weight", &ma);
    if (!(da > 0 && ma > 0.4 * mw && ma < 0.85 * mw))
        fprintf(stderr, "averaged weights moved %g (mean %g), the last step's mean %g\n", da,
                ma, mw);
    CHECK(da > 0 && ma > 0.4 * mw && ma < 0.85 * mw);
    remove(avg_out);
    const char *bad_avg[] = {from, "channels=8", "batch=1", "average=1"};
    CHECK(train(data, avg_out, bad_avg, 4, NULL) < 0);
    CHECK(access(avg_out, F_OK) != 0);

    /* a fixed stage count, and the encoder's band gains and phase turns applied to
     * the decoder's output: each changes the steps, a run again gives the same
     * weights; out-of-range values are refused */
    char tuned[128], again[128];
    snprintf(tuned, sizeof(tuned), "%s/tuned.ncm", dir);
    snprintf(again, sizeof(again), "%s/again.ncm", dir);
    const char *fixed[] = {from, "channels=8", "batch=1", "stages=2"};
    CHECK_EQ(train(data, tuned, fixed, 4, NULL), 0);
    double mt = 0, dt = max_diff(out, tuned, "dec.out.weight", &mt);
    CHECK(dt > 0);
    const char *corr[] = {from, "channels=8", "batch=1", "stages=2", "corrections=0.5"};
    CHECK_EQ(train(data, again, corr, 5, NULL), 0);
    dt = max_diff(tuned, again, "dec.out.weight", &mt);
    CHECK(dt > 0);
    CHECK_EQ(train(data, tuned, corr, 5, NULL), 0);
    dt = max_diff(tuned, again, "dec.out.weight", &mt);
    CHECK(dt == 0);
    remove(tuned);
    remove(again);
    const char *bad_stages[] = {from, "channels=8", "batch=1", "stages=13"};
    CHECK(train(data, tuned, bad_stages, 4, NULL) < 0);
    const char *bad_corr[] = {from, "channels=8", "batch=1", "corrections=-1"};
    CHECK(train(data, tuned, bad_corr, 4, NULL) < 0);
    CHECK(access(tuned, F_OK) != 0);

    /* widening the decoder: the same output, then a model that codes; the stream
     * header carries the new model's hash, and the model its width */
    double dwide = widened_decoder_diff(start, 8, 24);
    if (!(dwide >= 0 && dwide < 1e-5))
        fprintf(stderr, "widened decoder differs by %g\n", dwide);
    CHECK(dwide >= 0 && dwide < 1e-5);
    char wide_out[128];
    snprintf(wide_out, sizeof(wide_out), "%s/wide.ncm", dir);
    const char *wide[] = {from, "channels=8", "dec_channels=24", "batch=1"};
    CHECK_EQ(train(data, wide_out, wide, 4, NULL), 0);
    CHECK_EQ(nc_model_load_file(&m, wide_out), 0);
    const char *width = m ? nc_model_param(m, "dec_channels") : NULL;
    CHECK(width && !strcmp(width, "24"));
    nc_model_free(&m);
    snprintf(enc, sizeof(enc), "model=wide:model_path=%s:bitrate=3000", dir);
    CHECK_EQ(nct_audio_encode("rvqspeech", enc, x, n, 16000, 4000, 1, &s), 0);
    CHECK_EQ(nct_audio_decode("rvqspeech", dec, &s, 0, &y, NULL, NULL), n);
    free(y);
    nct_stream_free(&s);
    remove(wide_out);

    /* refusals, none of which writes a model */
    char other[128];
    snprintf(other, sizeof(other), "%s/other.ncm", dir);
    const char *narrower[] = {from, "channels=4", "batch=1"};
    CHECK(train(data, other, narrower, 3, NULL) < 0);
    const char *missing[] = {"from=/nonexistent/model.ncm", "channels=8", "batch=1"};
    CHECK(train(data, other, missing, 3, NULL) < 0);
    snprintf(path, sizeof(path), "%s:%s/none", a, dir);
    CHECK(train(path, other, opts, 3, NULL) < 0);
    CHECK(train(data, other, opts, 3, out) < 0);
    CHECK(access(other, F_OK) != 0);

    free(x);
    remove(out);
    remove(start);
    snprintf(path, sizeof(path), "%s/voice16k.wav", a);
    remove(path);
    snprintf(path, sizeof(path), "%s/voice8k.wav", b);
    remove(path);
    rmdir(a);
    rmdir(b);
    rmdir(dir);
    return test_result("rvqspeech_train");
}
