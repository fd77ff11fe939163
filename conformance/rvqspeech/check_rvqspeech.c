/* rvqspeech conformance (conformance/spec/rvqspeech.md): golden .nc streams coded
 * with every shipped model (models/rvqspeech-*.ncm, the table below; the four
 * without a model option are version 1 streams of rvqspeech-small, kept as written),
 * their decoded indices (SHA-256, bit-exact) and decoded audio
 * (16-bit reference, tolerance), and a damaged stream whose bad packets must fail
 * cleanly while the rest decodes (tests/support/golden_audio.h). Streams of version
 * 3 hash their band gains after each packet's indices, those of version 4 each
 * frame's gains and phase turns.
 *
 *   check_rvqspeech DIR           checks every stream in DIR against DIR/<name>.expect
 *   check_rvqspeech DIR --write   regenerates them (after a model change) */
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/bitstream.h"
#include "codecs/rvqspeech/rvqspeech.h"
#include "tests/support/golden_audio.h"

static const GoldenAudio goldens[] = {
    {"entropy-3000", "bitrate=3000:packet_frames=25", 0, 0},
    {"streaming-1500", "bitrate=1500:streaming=1", 0, 0},
    {"nominal-6000", "bitrate=6000:nominal=1", 0, 0},
    {"entropy-500-damaged", "bitrate=500:packet_frames=10", 1, 0},
    {"v2-entropy-3000", "model=rvqspeech-small:bitrate=3000:packet_frames=25", 0, 1},
    {"v2-streaming-1500", "model=rvqspeech-small:bitrate=1500:streaming=1", 0, 1},
    {"v2-nominal-6000", "model=rvqspeech-small:bitrate=6000:nominal=1", 0, 1},
    {"v2-entropy-500-damaged", "model=rvqspeech-small:bitrate=500:packet_frames=10", 1, 1},
    /* the default model on 2026-12-04 until rvqspeech-small3 (issue 19's leg 4) */
    {"small2-entropy-3000", "model=rvqspeech-small2:bitrate=3000:packet_frames=25", 0, 1},
    {"small2-streaming-1500", "model=rvqspeech-small2:bitrate=1500:streaming=1", 0, 1},
    {"small2-nominal-6000", "model=rvqspeech-small2:bitrate=6000:nominal=1", 0, 1},
    {"small2-entropy-500-damaged", "model=rvqspeech-small2:bitrate=500:packet_frames=10", 1, 1},
    /* the default model later on 2026-12-04 (issue 19's legs 5-8) */
    {"small3-entropy-3000", "model=rvqspeech-small3:bitrate=3000:packet_frames=25", 0, 1},
    {"small3-streaming-1500", "model=rvqspeech-small3:bitrate=1500:streaming=1", 0, 1},
    {"small3-nominal-6000", "model=rvqspeech-small3:bitrate=6000:nominal=1", 0, 1},
    {"small3-entropy-500-damaged", "model=rvqspeech-small3:bitrate=500:packet_frames=10", 1, 1},
    /* the default model on 2026-12-04 evening (issue 19's legs 9-10: decoder 256 wide) */
    {"small4-entropy-3000", "model=rvqspeech-small4:bitrate=3000:packet_frames=25", 0, 1},
    {"small4-streaming-1500", "model=rvqspeech-small4:bitrate=1500:streaming=1", 0, 1},
    {"small4-nominal-6000", "model=rvqspeech-small4:bitrate=6000:nominal=1", 0, 1},
    {"small4-entropy-500-damaged", "model=rvqspeech-small4:bitrate=500:packet_frames=10", 1, 1},
    /* the default model on 2026-12-04, session 11 (issue 19's legs 11-12) */
    {"small5-entropy-3000", "model=rvqspeech-small5:bitrate=3000:packet_frames=25", 0, 1},
    {"small5-streaming-1500", "model=rvqspeech-small5:bitrate=1500:streaming=1", 0, 1},
    {"small5-nominal-6000", "model=rvqspeech-small5:bitrate=6000:nominal=1", 0, 1},
    {"small5-entropy-500-damaged", "model=rvqspeech-small5:bitrate=500:packet_frames=10", 1, 1},
    /* the default model on 2026-12-04, session 12 (issue 19's leg 13: speech-games added) */
    {"small6-entropy-3000", "model=rvqspeech-small6:bitrate=3000:packet_frames=25", 0, 1},
    {"small6-streaming-1500", "model=rvqspeech-small6:bitrate=1500:streaming=1", 0, 1},
    {"small6-nominal-6000", "model=rvqspeech-small6:bitrate=6000:nominal=1", 0, 1},
    {"small6-entropy-500-damaged", "model=rvqspeech-small6:bitrate=500:packet_frames=10", 1, 1},
    /* the default model on 2026-12-05 and 06, sessions 13-24 (issue 19's leg 15: speech-more added) */
    {"small7-entropy-3000", "model=rvqspeech-small7:bitrate=3000:packet_frames=25", 0, 1},
    {"small7-streaming-1500", "model=rvqspeech-small7:bitrate=1500:streaming=1", 0, 1},
    {"small7-nominal-6000", "model=rvqspeech-small7:bitrate=6000:nominal=1", 0, 1},
    {"small7-entropy-500-damaged", "model=rvqspeech-small7:bitrate=500:packet_frames=10", 1, 1},
    /* the default model on 2026-12-06, session 25 (issue 19's legs 16-17: speech-voices added) */
    {"small9-entropy-3000", "model=rvqspeech-small9:bitrate=3000:packet_frames=25", 0, 1},
    {"small9-streaming-1500", "model=rvqspeech-small9:bitrate=1500:streaming=1", 0, 1},
    {"small9-nominal-6000", "model=rvqspeech-small9:bitrate=6000:nominal=1", 0, 1},
    {"small9-entropy-500-damaged", "model=rvqspeech-small9:bitrate=500:packet_frames=10", 1, 1},
    {"small9-phase-6000", "model=rvqspeech-small9:bitrate=6000:packet_frames=25", 0, 1},
    /* the default model since 2026-12-06, session 26 (issue 19's legs 18-19: the weights' average) */
    {"small10-entropy-3000", "model=rvqspeech-small10:bitrate=3000:packet_frames=25", 0, 1},
    {"small10-streaming-1500", "model=rvqspeech-small10:bitrate=1500:streaming=1", 0, 1},
    {"small10-nominal-6000", "model=rvqspeech-small10:bitrate=6000:nominal=1", 0, 1},
    {"small10-entropy-500-damaged", "model=rvqspeech-small10:bitrate=500:packet_frames=10", 1, 1},
    {"small10-phase-6000", "model=rvqspeech-small10:bitrate=6000:packet_frames=25", 0, 1},
    /* model=auto's model at 6000 bit/s since 2026-12-07, session 27 (issue 19's leg 23:
     * trained with the encoder's gains and turns applied) */
    {"6k-phase-6000", "model=rvqspeech-6k:bitrate=6000:packet_frames=25", 0, 1},
    /* bitstream version 3: band gains (6000 bit/s by default until phase turns: 6 stages) */
    {"small7-gains-6000", "model=rvqspeech-small7:bitrate=6000:phase=0:packet_frames=25", 0, 1},
    {"small7-gains-streaming-6000", "model=rvqspeech-small7:bitrate=6000:phase=0:streaming=1", 0, 1},
    {"small7-gains-6000-damaged", "model=rvqspeech-small7:bitrate=6000:phase=0:packet_frames=10", 1, 1},
    /* bitstream version 4: band gains and phase turns (6000 bit/s by default: 4 stages) */
    {"small7-phase-6000", "model=rvqspeech-small7:bitrate=6000:packet_frames=25", 0, 1},
    {"small7-phase-streaming-6000", "model=rvqspeech-small7:bitrate=6000:streaming=1", 0, 1},
    {"small7-phase-6000-damaged", "model=rvqspeech-small7:bitrate=6000:packet_frames=10", 1, 1},
};

typedef struct Layer {
    NCRvqHeader h;
    NCRvqModel model;
    NCRvqCoder coder;
    int *idx;
    int8_t *gains; /* band gains (version 3) and phase turns (4): [frames][NC_RVQ_SIDE] */
} Layer;

static void layer_close(void *opaque)
{
    Layer *l = opaque;
    rvq_coder_free(&l->coder);
    rvq_model_free(&l->model);
    free(l->idx);
    free(l->gains);
    free(l);
}

static void *layer_open(const NCStreamInfo *info)
{
    Layer *l = calloc(1, sizeof(*l));
    int ret = l ? rvq_header_parse(&l->h, info->extradata, info->extradata_size) : NC_ENOMEM;
    if (ret >= 0) ret = rvq_open_model(&l->model, NULL, l->h.model.id, NULL, &l->h.model);
    if (ret >= 0) ret = rvq_coder_init(&l->coder, &l->model, l->h.stages, l->h.gains, l->h.phase);
    if (ret >= 0 && (!(l->idx = malloc(sizeof(int) * (size_t)l->h.packet_frames * l->h.stages)) ||
                     !(l->gains = malloc((size_t)l->h.packet_frames * NC_RVQ_SIDE))))
        ret = NC_ENOMEM;
    if (ret < 0 && l) {
        layer_close(l);
        l = NULL;
    }
    return l;
}

static int hash_packet(void *opaque, const NCPacket *pkt, NCSha256 *sha)
{
    Layer *l = opaque;
    int n, ns;
    int ret = rvq_packet_read(&l->coder, &l->h, pkt->data, pkt->size, l->idx, l->gains, &n, &ns);
    for (int i = 0; ret >= 0 && i < n * l->h.stages; i++) {
        uint8_t le[2] = {(uint8_t)l->idx[i], (uint8_t)(l->idx[i] >> 8)};
        nci_sha256_update(sha, le, 2);
    }
    /* then the packet's band gains, one byte each, frame by frame, each frame's with
     * its phase turns after them */
    const size_t side = l->h.phase ? NC_RVQ_SIDE : NC_RVQ_GAIN_BANDS;
    for (int f = 0; ret >= 0 && l->h.gains && f < n; f++)
        nci_sha256_update(sha, (const uint8_t *)l->gains + (size_t)f * NC_RVQ_SIDE, side);
    return ret;
}

/* Flags, stages, frames per packet, model id and as much of its hash as both pin
 * (golden streams predate the compact header). */
static int same_header(const NCStreamInfo *a, const NCStreamInfo *b)
{
    NCRvqHeader ha, hb;
    return rvq_header_parse(&ha, a->extradata, a->extradata_size) >= 0 &&
           rvq_header_parse(&hb, b->extradata, b->extradata_size) >= 0 && ha.flags == hb.flags &&
           ha.stages == hb.stages && ha.packet_frames == hb.packet_frames &&
           !strcmp(ha.model.id, hb.model.id) &&
           !memcmp(ha.model.sha256, hb.model.sha256, NCI_MODEL_PIN_SIZE);
}

int main(int argc, char **argv)
{
    static const GoldenAudioCodec codec = {"rvqspeech", 24000, "indices", 1e-3, 60.0,
                                           layer_open, hash_packet, layer_close, same_header};
    return golden_audio_main(&codec, goldens, sizeof(goldens) / sizeof(goldens[0]), argc, argv);
}
