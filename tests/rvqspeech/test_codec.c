/* rvqspeech through the public API with a tiny random model: lengths, streaming
 * versus whole-packet decoding, chunking and repeat determinism, nominal rate,
 * model identity checks, damaged packets and decoding from mid-stream. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/bitstream.h"
#include "codecs/rvqspeech/gains.h"
#include "codecs/rvqspeech/spectral.h"
#include "nc/codec.h"
#include "nc/log.h"
#include "tests/support/audio_stream.h"
#include "tests/support/tiny_model.h"
#include "tests/test.h"

static char model_path[64];
static int encoder_threads = 1;

/* Encodes x[n] in chunks of `chunk` samples with the tiny model and options opts. */
static int encode(const char *opts, const float *x, int n, int chunk, NCTestStream *s)
{
    char all[512];
    snprintf(all, sizeof(all), "model_path=%s:model=rvqspeech-tiny%s%s", model_path,
             *opts ? ":" : "", opts);
    return nct_audio_encode("rvqspeech", all, x, n, 16000, chunk, encoder_threads, s);
}

/* Decodes s into *out (malloc'd) with the decoder options opts; returns the sample
 * count or an error. */
static int decode_opts(const char *opts, const NCTestStream *s, float **out, int *errors)
{
    char opt[256];
    snprintf(opt, sizeof(opt), "model_path=%s%s%s", model_path, *opts ? ":" : "", opts);
    return nct_audio_decode("rvqspeech", opt, s, 0, out, errors, NULL);
}

static int decode(const NCTestStream *s, float **out, int *errors)
{
    return decode_opts("", s, out, errors);
}

/* The decoder's int8 option (int8 weights, int16 activations): one frame per packet
 * or fifty give the same samples, bit for bit, as with the stored weights; they stay
 * close to the stored-weights decoder's without being its samples. */
static void test_int8(const float *x, int n)
{
    NCTestStream whole, stream;
    float *a, *b, *ref;
    int e1, e2, e3;
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, n, &whole), 0);
    CHECK_EQ(encode("bitrate=3000:streaming=1", x, n, 160, &stream), 0);
    int na = decode_opts("int8=1", &whole, &a, &e1), nb = decode_opts("int8=1", &stream, &b, &e2);
    int nr = decode(&whole, &ref, &e3);
    CHECK(na == n && nb == n && nr == n && e1 + e2 + e3 == 0);
    if (na == n && nb == n && nr == n) {
        CHECK(!memcmp(a, b, sizeof(float) * (size_t)n));
        double d2 = 0, r2 = 0;
        for (int i = 0; i < n; i++) d2 += ((double)a[i] - ref[i]) * ((double)a[i] - ref[i]), r2 += (double)ref[i] * ref[i];
        printf("int8 decoding against the stored weights: ||d|| / ||y|| = %.2e\n", sqrt(d2 / r2));
        CHECK(d2 > 0 && d2 < 1e-3 * r2);
    }
    free(a);
    free(b);
    free(ref);
    nct_stream_free(&whole);
    nct_stream_free(&stream);
}

static void test_lengths_and_streaming(const float *x, int n)
{
    NCTestStream whole, stream, chunked, again;
    float *a, *b;
    int e1, e2;
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, n, &whole), 0);
    CHECK_EQ(whole.extradata[2], 6); /* 3000 bit/s = 6 stages (compact header: lead, flags, stages) */
    CHECK_EQ(encode("bitrate=3000:streaming=1", x, n, 160, &stream), 0);
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, 777, &chunked), 0);
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, n, &again), 0);
    CHECK(nct_stream_same(&whole, &again)); /* determinism */
    nct_stream_free(&again);
    encoder_threads = 2;
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, n, &again), 0);
    encoder_threads = 1;
    CHECK(nct_stream_same(&whole, &again)); /* thread count does not matter */
    CHECK(nct_stream_same(&whole, &chunked)); /* input chunking does not matter */
    CHECK_EQ((int)stream.count, (n + 319) / 320 + 1);
    int na = decode(&whole, &a, &e1), nb = decode(&stream, &b, &e2);
    CHECK_EQ(na, n);
    CHECK_EQ(nb, n);
    CHECK_EQ(e1 + e2, 0);
    /* one frame per packet or fifty: the same samples, bit for bit */
    CHECK(na == nb && !memcmp(a, b, sizeof(float) * (size_t)n));
    /* timestamps add up */
    int64_t t = 0;
    for (int i = 0; i < stream.count; i++) {
        CHECK_EQ(stream.pkts[i]->pts, t);
        t += stream.pkts[i]->duration;
    }
    CHECK_EQ(t, n);
    free(a);
    free(b);
    nct_stream_free(&whole);
    nct_stream_free(&stream);
    nct_stream_free(&chunked);
    nct_stream_free(&again);
}

static void test_rates(const float *x, int n)
{
    size_t prev = 0;
    for (int stages = 1; stages <= 12; stages++) {
        char opts[64];
        NCTestStream s, nom;
        snprintf(opts, sizeof(opts), "stages=%d:packet_frames=50", stages);
        CHECK_EQ(encode(opts, x, n, n, &s), 0);
        snprintf(opts, sizeof(opts), "stages=%d:nominal=1:packet_frames=50", stages);
        CHECK_EQ(encode(opts, x, n, n, &nom), 0);
        CHECK(s.bytes > prev);
        prev = s.bytes;
        /* the entropy-coded stream is never larger than the nominal one by more than
         * the range coder's flush per packet */
        CHECK(s.bytes <= nom.bytes + 4 * (size_t)s.count);
        /* nominal: every full packet has the same size */
        for (int i = 0; i + 1 < nom.count; i++) CHECK_EQ(nom.pkts[i]->size, nom.pkts[0]->size);
        CHECK_EQ(nom.pkts[0]->size, 3 + (50 * stages * 10 + 7) / 8);
        float *y;
        int e;
        CHECK_EQ(decode(&nom, &y, &e), n);
        free(y);
        nct_stream_free(&s);
        nct_stream_free(&nom);
    }
}

/* Long packets with the default options: every sample comes back. */
static void test_default_packets(void)
{
    const int n = 16000 * 9 + 77;
    float *x = malloc(sizeof(float) * n), *y;
    rvq_test_signal(x, n, 4);
    NCTestStream s;
    int e;
    CHECK_EQ(encode("", x, n, 4096, &s), 0);
    CHECK_EQ(s.count, 3); /* 452 frames in packets of 200 */
    CHECK_EQ(decode(&s, &y, &e), n);
    CHECK_EQ(e, 0);
    free(y);
    free(x);
    nct_stream_free(&s);
}

/* Latency: output sample t depends on input samples before t + 640 (40 ms) only.
 * Two inputs that differ from sample T on decode identically up to T - 640. */
static void test_latency(const float *x, int n)
{
    const int T = 10000 + 123;
    float *x2 = malloc(sizeof(float) * n), *a, *b;
    memcpy(x2, x, sizeof(float) * n);
    for (int i = T; i < n; i++) x2[i] = -0.5f * x[i];
    NCTestStream sa, sb;
    int e;
    CHECK_EQ(encode("streaming=1", x, n, 320, &sa), 0);
    CHECK_EQ(encode("streaming=1", x2, n, 320, &sb), 0);
    CHECK_EQ(decode(&sa, &a, &e), n);
    CHECK_EQ(decode(&sb, &b, &e), n);
    CHECK(!memcmp(a, b, sizeof(float) * (T - 640)));
    CHECK(memcmp(a, b, sizeof(float) * n)); /* the change does reach the output */
    free(a);
    free(b);
    free(x2);
    nct_stream_free(&sa);
    nct_stream_free(&sb);
}

static void test_damage(const float *x, int n)
{
    NCTestStream s;
    CHECK_EQ(encode("bitrate=6000:packet_frames=10", x, n, n, &s), 0);
    float *y;
    int e;
    /* a model with another hash is refused */
    s.extradata[s.extradata_size - 1] ^= 1;
    CHECK(decode(&s, &y, &e) < 0);
    free(y);
    s.extradata[s.extradata_size - 1] ^= 1;
    /* damaged packets: clean errors, the rest still decodes */
    int flipped = 0;
    for (int i = 0; i < s.count; i += 2) {
        NCPacket *p = s.pkts[i];
        p->data[(i * 7) % p->size] ^= (uint8_t)(1 + i);
        flipped++;
    }
    int got = decode(&s, &y, &e);
    CHECK(got >= 0);
    CHECK(e >= 1 && e <= flipped);
    free(y);
    nct_stream_free(&s);
}

/* Decoding from a packet in mid-stream (after a seek): the decoder lacks the
 * hop before the packet, so its first frame starts one hop after the packet's
 * pts and ends where the packet does. */
static void test_start_mid_stream(const float *x, int n)
{
    NCTestStream s;
    CHECK_EQ(encode("packet_frames=10", x, n, n, &s), 0);
    CHECK(s.count > 3);
    const NCPacket *p = s.pkts[2];
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_decoder_by_name("rvqspeech"));
    CHECK_EQ(nc_opt_set(ctx, "model_path", model_path), 0);
    CHECK_EQ(nc_codec_set_extradata(ctx, s.extradata, s.extradata_size), 0);
    CHECK_EQ(nc_codec_open(ctx), 0);
    NCFrame *f = nc_frame_alloc();
    CHECK_EQ(nc_send_packet(ctx, s.pkts[0]), 0);
    CHECK_EQ(nc_receive_frame(ctx, f), 0);
    CHECK_EQ(f->pts, s.pkts[0]->pts); /* the stream's start: no shift */
    nc_frame_unref(f);
    CHECK_EQ(nc_codec_flush(ctx), 0);
    CHECK_EQ(nc_send_packet(ctx, p), 0);
    CHECK_EQ(nc_receive_frame(ctx, f), 0);
    CHECK_EQ(f->pts, p->pts + 320);
    CHECK_EQ(f->pts + f->nb_samples, p->pts + p->duration);
    nc_frame_free(&f);
    nc_codec_free_context(&ctx);
    nct_stream_free(&s);
}

/* Mean absolute difference (dB) of the band energies (gains.h's bands) of x and y,
 * frame by frame on the codec's grid. */
static double band_error_db(const float *x, const float *y, int n)
{
    NCRvqSpectral sp;
    CHECK_EQ(rvq_spectral_init(&sp), 0);
    float fx[NC_RVQ_BINS], fy[NC_RVQ_BINS];
    double sum = 0;
    int count = 0;
    for (int t = 0; t + NC_RVQ_WIN <= n; t += NC_RVQ_HOP) {
        rvq_analyze(&sp, x + t, fx);
        rvq_analyze(&sp, y + t, fy);
        for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++) {
            double ex = 0, ey = 0;
            for (int b = rvq_gain_edges[j]; b < rvq_gain_edges[j + 1]; b++) {
                ex += exp(10.0 * fx[b]);
                ey += exp(10.0 * fy[b]);
            }
            sum += fabs(10.0 * log10(ex / ey));
            count++;
        }
    }
    rvq_spectral_free(&sp);
    return sum / count;
}

/* Band gains (bitstream version 3): the rate plan turns them on from 5000 bit/s, in
 * place of 6 stages; the output's band energies come much closer to the input's
 * than without them (the tiny model's decoder is far from them), streaming too, and
 * closer in whole packets than streaming, where the encoder's closed loop on the
 * overlap-added output has no neighbours to work with (gains.h); nominal streams
 * refuse them. */
static void test_gains(const float *x, int n)
{
    NCTestStream plain, whole, stream, planned, off;
    CHECK_EQ(encode("stages=2:gains=0:packet_frames=50", x, n, n, &plain), 0);
    CHECK_EQ(encode("stages=2:gains=1:packet_frames=50", x, n, n, &whole), 0);
    CHECK_EQ(encode("stages=2:gains=1:streaming=1", x, n, 160, &stream), 0);
    CHECK_EQ(encode("bitrate=5000", x, n, n, &planned), 0);
    CHECK_EQ(encode("bitrate=6000:gains=0", x, n, n, &off), 0);
    CHECK_EQ(plain.extradata[1], 0); /* compact header: lead, flags, stages */
    CHECK_EQ(whole.extradata[1], NC_RVQ_FLAG_GAINS);
    CHECK(planned.extradata[1] == NC_RVQ_FLAG_GAINS && planned.extradata[2] == 4);
    CHECK(off.extradata[1] == 0 && off.extradata[2] == 12); /* the stages gains would replace */
    CHECK(whole.bytes > plain.bytes);
    NCTestStream nom;
    CHECK(encode("bitrate=6000:nominal=1:gains=1", x, n, n, &nom) < 0);
    float *a, *b, *c;
    int e1, e2, e3;
    CHECK_EQ(decode(&plain, &a, &e1), n);
    CHECK_EQ(decode(&whole, &b, &e2), n);
    CHECK_EQ(decode(&stream, &c, &e3), n);
    CHECK_EQ(e1 + e2 + e3, 0);
    double without = band_error_db(x, a, n), with = band_error_db(x, b, n);
    double streamed = band_error_db(x, c, n);
    printf("band error: %.2f dB without gains, %.2f with, %.2f streaming\n", without, with, streamed);
    CHECK(with < 0.6 * without);
    CHECK(streamed < 0.6 * without);
    CHECK(with < streamed - 0.5);
    free(a);
    free(b);
    free(c);
    nct_stream_free(&plain);
    nct_stream_free(&whole);
    nct_stream_free(&stream);
    nct_stream_free(&planned);
    nct_stream_free(&off);
}

/* The turns' measurement and their application: a frame whose predicted phases are
 * the input's turned by t eighths in every group gives t back, and applying it
 * restores the input's phases. (The same turn in every group: where neighbouring
 * groups turn differently, the window mixes them at their edges, and a group between
 * two harmonics can read another turn.) */
static void test_phase_measure(const float *x, int n)
{
    CHECK(n >= 4 * NC_RVQ_WIN);
    NCRvqSpectral sp;
    CHECK_EQ(rvq_spectral_init(&sp), 0);
    float feat[NC_RVQ_BINS], logmag[NC_RVQ_BINS], phase[NC_RVQ_BINS], want[NC_RVQ_BINS];
    NCComplex in[NC_RVQ_PHASE_BINS];
    rvq_analyze(&sp, x + 2 * NC_RVQ_WIN, feat); /* the input frame, Hann windowed */
    memcpy(in, sp.spec + NC_RVQ_PHASE_FIRST_BIN, sizeof(in));
    /* the decoder's spectrum whose synthesis (Hann windowed) is that frame */
    dsp_fft_real_forward(sp.fft, x + 2 * NC_RVQ_WIN, sp.spec);
    for (int b = 0; b < NC_RVQ_BINS; b++) {
        logmag[b] = logf(hypotf(sp.spec[b].re, sp.spec[b].im) + 1e-9f);
        want[b] = atan2f(sp.spec[b].im, sp.spec[b].re);
    }
    for (int t = 0; t < NC_RVQ_PHASE_STEPS; t++) {
        memcpy(phase, want, sizeof(phase));
        for (int b = NC_RVQ_PHASE_FIRST_BIN; b < NC_RVQ_PHASE_FIRST_BIN + NC_RVQ_PHASE_BINS; b++)
            phase[b] -= (float)(t * 2 * M_PI / NC_RVQ_PHASE_STEPS);
        int8_t q[NC_RVQ_PHASE_GROUPS];
        rvq_phase_measure(&sp, in, logmag, phase, q);
        for (int g = 0; g < NC_RVQ_PHASE_GROUPS; g++) CHECK_EQ(q[g], t);
        rvq_phase_apply(q, phase);
        double worst = 0;
        for (int b = 0; b < NC_RVQ_BINS; b++) {
            double d = fabs(remainder(phase[b] - want[b], 2 * M_PI));
            worst = d > worst ? d : worst;
        }
        CHECK(worst < 1e-5);
    }
    rvq_spectral_free(&sp);
}

/* Phase turns (bitstream version 4) in the codec: the rate plan turns them on at
 * 6000 bit/s, in place of 2 more stages; streaming and whole packets decode; they
 * are refused without gains and at a constant rate. (The tiny model's
 * random phases differ from bin to bin, so its output does not show what turns do
 * for a trained decoder: test_phase_measure and the bench do.) */
static void test_phase(const float *x, int n)
{
    NCTestStream gains, whole, stream, planned, off, bad;
    CHECK_EQ(encode("stages=2:gains=1:phase=0:packet_frames=50", x, n, n, &gains), 0);
    CHECK_EQ(encode("stages=2:gains=1:phase=1:packet_frames=50", x, n, n, &whole), 0);
    CHECK_EQ(encode("stages=2:phase=1:streaming=1", x, n, 160, &stream), 0);
    CHECK_EQ(encode("bitrate=6000", x, n, n, &planned), 0);
    CHECK_EQ(encode("bitrate=6000:phase=0", x, n, n, &off), 0);
    CHECK_EQ(whole.extradata[0] & 0x3F, 4); /* compact header: lead (version), flags, stages */
    CHECK_EQ(whole.extradata[1], NC_RVQ_FLAG_GAINS | NC_RVQ_FLAG_PHASE);
    CHECK(planned.extradata[1] == (NC_RVQ_FLAG_GAINS | NC_RVQ_FLAG_PHASE) && planned.extradata[2] == 4);
    CHECK(off.extradata[1] == NC_RVQ_FLAG_GAINS && off.extradata[2] == 6 && (off.extradata[0] & 0x3F) == 3);
    CHECK(whole.bytes > gains.bytes);
    CHECK(encode("bitrate=6000:gains=0:phase=1", x, n, n, &bad) < 0);
    CHECK(encode("bitrate=6000:nominal=1:phase=1", x, n, n, &bad) < 0);
    float *a, *b, *c;
    int e1, e2, e3;
    CHECK_EQ(decode(&gains, &a, &e1), n);
    CHECK_EQ(decode(&whole, &b, &e2), n);
    CHECK_EQ(decode(&stream, &c, &e3), n);
    CHECK_EQ(e1 + e2 + e3, 0);
    CHECK(memcmp(a, b, sizeof(float) * (size_t)n)); /* the turns changed the output */
    free(a);
    free(b);
    free(c);
    nct_stream_free(&gains);
    nct_stream_free(&whole);
    nct_stream_free(&stream);
    nct_stream_free(&planned);
    nct_stream_free(&off);
}

int main(void)
{
    nc_log_set_level(NC_LOG_QUIET);
    snprintf(model_path, sizeof(model_path), "/tmp/rvqspeech-codec-XXXXXX.ncm");
    int fd = mkstemps(model_path, 4);
    CHECK(fd >= 0);
    CHECK_EQ(rvq_test_write_tiny_model(model_path, 2), 0);
    const int n = 16000 + 12345;
    float *x = malloc(sizeof(float) * n);
    rvq_test_signal(x, n, 1);
    test_lengths_and_streaming(x, n);
    test_int8(x, n);
    test_rates(x, n);
    test_gains(x, n);
    test_phase_measure(x, n);
    test_phase(x, n);
    test_default_packets();
    test_latency(x, n);
    test_damage(x, n);
    test_start_mid_stream(x, n);
    free(x);
    remove(model_path);
    return test_result("test_rvqspeech_codec");
}
