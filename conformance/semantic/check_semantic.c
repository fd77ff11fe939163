/* semantic conformance (conformance/spec/semantic.md): golden .nc streams coded
 * with the shipped model, their tokens (SHA-256, bit-exact) and decoded audio
 * (16-bit reference, tolerance), and a damaged stream whose bad packets must fail
 * cleanly while the rest decodes (tests/support/golden_audio.h).
 *
 *   check_semantic DIR           checks every stream in DIR against DIR/<name>.expect
 *   check_semantic DIR --write   regenerates them (after a model change) */
#include <stdlib.h>
#include <string.h>

#include "codecs/semantic/semantic_codec.h"
#include "tests/support/golden_audio.h"

static const GoldenAudio goldens[] = {
    {"semantic-only", "stages=0", 0, 1},
    {"stages3-p10", "stages=3:packet_tokens=10", 0, 1},
    {"stages8", "stages=8", 0, 1},
    {"stages2-p5-damaged", "stages=2:packet_tokens=5", 1, 1},
};

typedef struct Layer {
    SemHeader h;
    SemModel model;
    SemToken tok[SEM_MAX_PACKET_TOKENS];
} Layer;

static void layer_close(void *opaque)
{
    Layer *l = opaque;
    sem_model_free(&l->model);
    free(l);
}

static void *layer_open(const NCStreamInfo *info)
{
    Layer *l = calloc(1, sizeof(*l));
    int ret = l ? sem_header_parse(NULL, info->extradata, info->extradata_size, &l->h) : NC_ENOMEM;
    if (ret >= 0) ret = sem_open_model(&l->model, NULL, l->h.pin.id, NULL, &l->h.pin);
    if (ret < 0 && l) {
        free(l);
        l = NULL;
    }
    return l;
}

static int hash_packet(void *opaque, const NCPacket *pkt, NCSha256 *sha)
{
    Layer *l = opaque;
    int n, ns;
    int ret = sem_packet_read(&l->model, &l->h, pkt->data, pkt->size, l->tok, &n, &ns);
    for (int k = 0; ret >= 0 && k < n; k++) {
        uint8_t le[2 * (2 + SEM_MAX_STAGES)];
        int v[2 + SEM_MAX_STAGES] = {l->tok[k].gain, l->tok[k].sem};
        for (int s = 0; s < l->h.stages; s++) v[2 + s] = l->tok[k].ac[s];
        for (int i = 0; i < 2 + l->h.stages; i++) {
            le[2 * i] = (uint8_t)v[i];
            le[2 * i + 1] = (uint8_t)(v[i] >> 8);
        }
        nci_sha256_update(sha, le, (size_t)(2 * (2 + l->h.stages)));
    }
    return ret;
}

static int same_header(const NCStreamInfo *a, const NCStreamInfo *b)
{
    return a->extradata_size == b->extradata_size &&
           !memcmp(a->extradata, b->extradata, a->extradata_size);
}

int main(int argc, char **argv)
{
    static const GoldenAudioCodec codec = {"semantic", 24000, "tokens", 1e-3, 60.0,
                                           layer_open, hash_packet, layer_close, same_header};
    return golden_audio_main(&codec, goldens, sizeof(goldens) / sizeof(goldens[0]), argc, argv);
}
