/* rvqspeech speed on one core, without process start-up: CPU seconds to encode
 * (features, encoder network, quantizer search) and decode (codebook sums,
 * decoder network, iSTFT) 60 s of speech-like signal, frame by frame as in
 * streaming, at each stage count. Decoding runs twice: through the inference
 * kernels (libnc/nn/kernels.h, the decoder's default) and through the scalar loops
 * the decoder used before them (still the encoder's), so both speeds come from one
 * run. The last two columns decode with the opt-in int8 weights and int16
 * activations (the decoder's int8 option, rvq_model_decoder_i8a16), frame by frame
 * and in packets. The anchors' speeds (Opus, Codec2, with their process start-up)
 * are in rvqspeech.sh's table.
 *
 *   bench_speed [MODEL.ncm]     (default: the search path's rvqspeech-small) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codecs/rvqspeech/rvqspeech.h"
#include "codecs/rvqspeech/stream.h"

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Decodes frames frames of indices (idx, NC_RVQ_MAX_STAGES per frame, s used) in
 * packets of 200 frames (the encoder's default), indices packed per frame. */
static void decode_packets(NCRvqStream *st, const int *idx, int s, int frames, float *y)
{
    for (int f = 0; f < frames; f += 200) {
        int n = frames - f < 200 ? frames - f : 200, pidx[200 * NC_RVQ_MAX_STAGES];
        for (int i = 0; i < n; i++) memcpy(pidx + i * s, idx + (f + i) * NC_RVQ_MAX_STAGES, sizeof(int) * (size_t)s);
        rvq_stream_decode_frames(st, pidx, NULL, s, n, y + (size_t)f * NC_RVQ_HOP);
    }
}

int main(int argc, char **argv)
{
    NCRvqModel m, m8;
    if (rvq_open_model(&m, NULL, NC_RVQ_DEFAULT_MODEL, argc > 1 ? argv[1] : NULL, NULL) < 0 ||
        rvq_open_model(&m8, NULL, NC_RVQ_DEFAULT_MODEL, argc > 1 ? argv[1] : NULL, NULL) < 0 ||
        rvq_model_decoder_i8a16(&m8) < 0)
        return 1;
    const int seconds = 60, frames = seconds * 50;
    float *x = malloc(sizeof(float) * (size_t)frames * NC_RVQ_HOP);
    float *y = malloc(sizeof(float) * (size_t)frames * NC_RVQ_HOP), *yb = malloc(sizeof(float) * (size_t)frames * NC_RVQ_HOP);
    int *idx = malloc(sizeof(int) * (size_t)frames * NC_RVQ_MAX_STAGES);
    if (!x || !y || !yb || !idx)
        return 1;
    double phase = 0;
    for (int i = 0; i < frames * NC_RVQ_HOP; i++) { /* gliding harmonics, syllable envelope */
        double t = i / 16000.0;
        phase += 2 * M_PI * (120 + 40 * sin(2 * M_PI * 0.7 * t)) / 16000;
        x[i] = (float)(0.1 * (0.5 + 0.5 * sin(2 * M_PI * 4 * t)) * (sin(phase) + 0.5 * sin(2 * phase)));
    }
    printf("| stages | kbit/s | encode x real-time | decode x real-time, 200-frame packets | frame by frame | "
           "scalar loops | packets / frames | frames / loops | int8, frame by frame | int8, packets |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (int s = 1; s <= m.shape.stages; s = s < 2 ? 2 : s < 3 ? 3 : s < 6 ? 6 : s + 6) {
        NCRvqStream enc, dec, loops, pk, d8, p8;
        if (rvq_stream_init(&enc, &m, 0) < 0 || rvq_stream_init(&dec, &m, 1) < 0 ||
            rvq_stream_init(&loops, &m, 1) < 0 || rvq_stream_init(&pk, &m, 1) < 0 ||
            rvq_stream_init(&d8, &m8, 1) < 0 || rvq_stream_init(&p8, &m8, 1) < 0)
            return 1;
        loops.kernels = NULL; /* the scalar loops */
        double t0 = cpu_seconds();
        for (int f = 0; f < frames; f++)
            rvq_stream_encode(&enc, x + (size_t)f * NC_RVQ_HOP, s, idx + f * NC_RVQ_MAX_STAGES);
        double t1 = cpu_seconds();
        for (int f = 0; f < frames; f++)
            rvq_stream_decode(&dec, idx + f * NC_RVQ_MAX_STAGES, NULL, s, y + (size_t)f * NC_RVQ_HOP);
        double t2 = cpu_seconds();
        for (int f = 0; f < frames; f++) rvq_stream_decode(&loops, idx + f * NC_RVQ_MAX_STAGES, NULL, s, yb);
        double t3 = cpu_seconds();
        decode_packets(&pk, idx, s, frames, yb);
        double t4 = cpu_seconds();
        int same = !memcmp(y, yb, sizeof(float) * (size_t)frames * NC_RVQ_HOP);
        for (int f = 0; f < frames; f++)
            rvq_stream_decode(&d8, idx + f * NC_RVQ_MAX_STAGES, NULL, s, y + (size_t)f * NC_RVQ_HOP);
        double t5 = cpu_seconds();
        decode_packets(&p8, idx, s, frames, yb);
        double t6 = cpu_seconds();
        same = same && !memcmp(y, yb, sizeof(float) * (size_t)frames * NC_RVQ_HOP);
        printf("| %d | %.1f | %.0f | %.0f | %.0f | %.0f | %.2fx | %.2fx | %.0f | %.0f |%s\n", s, s * 0.5,
               seconds / (t1 - t0), seconds / (t4 - t3), seconds / (t2 - t1), seconds / (t3 - t2),
               (t2 - t1) / (t4 - t3), (t3 - t2) / (t2 - t1), seconds / (t5 - t4), seconds / (t6 - t5),
               same ? "" : " (packets differ from frames!)");
        rvq_stream_free(&d8);
        rvq_stream_free(&p8);
        rvq_stream_free(&pk);
        rvq_stream_free(&enc);
        rvq_stream_free(&dec);
        rvq_stream_free(&loops);
    }
    free(x);
    free(y);
    free(yb);
    free(idx);
    rvq_model_free(&m);
    rvq_model_free(&m8);
    return 0;
}
