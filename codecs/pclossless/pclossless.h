/* pclossless: lossless images coded with a probabilistic circuit (an HCLT).
 * Shared by the encoder and the decoder: the stream header, model loading and the
 * tiling of planes into the model's patches. The bitstream is specified in
 * conformance/spec/pclossless.md. */
#ifndef NC_CODECS_PCLOSSLESS_H
#define NC_CODECS_PCLOSSLESS_H

#include <stddef.h>
#include <stdint.h>

#include "codecs/pclossless/hclt.h"
#include "codecs/pclossless/patch_coder.h"
#include "codecs/pclossless/pc_model.h"
#include "libnc/model_header.h"
#include "nc/codec.h"
#include "nc/model.h"

#define PC_DEFAULT_MODEL "pclossless-mnist"
#define PC_PHOTO_MODEL "pclossless-photo"
#define PC_HEADER_MAGIC "PCL"
/* Version 2: a picture packet of exactly W x H x channels bytes is the pixels
 * themselves (conformance/spec/pclossless.md §3), so no picture costs more than
 * raw. Decoders read versions 1 and 2. */
#define PC_HEADER_VERSION 2
#define PC_HEADER_ID_PREFIX "pclossless-" /* left out of model ids in the stream header */
/* magic, version, id length, id, SHA-256 */
#define PC_HEADER_MAX_SIZE NCI_MODEL_HEADER_MAX_SIZE(0)

/* The state both directions keep: the model and a workspace to code with. */
typedef struct PCContext {
    NCModel *model;
    PCCodingModel cm;
    PCPatchCoder coder;
    uint8_t *patch; /* patch_w * patch_h pixels */
    int transform;   /* enum PCTransform, the model's "transform" parameter */
    uint8_t *planes; /* transformed planes of one image (residual models) */
    size_t planes_size;
    uint64_t pixel_info; /* pc_pixel_info_floor() of the model */
    /* The codec context whose interrupt callback long work polls; NULL: none. */
    const NCCodecContext *owner;
} PCContext;

/* Loads model id (searched as nc_model_find() does, or at path when it is not
 * empty), checks its hash when sha256 is not NULL, and prepares to code. */
int pc_context_open(PCContext *pcx, NCCodecContext *log_ctx, const char *id, const char *path,
                    const NCIModelPin *pin);
void pc_context_close(PCContext *pcx);

/* What both pclossless encoders (images and pclossless_bytes) keep as their
 * private data; the two option fields come first. */
typedef struct PCEncoder {
    char *model_id;   /* option */
    char *model_path; /* option */
    PCContext pcx;
    RCEncoder enc;
    int enc_ready;
    int warned_fit; /* the "model does not fit" warning was given */
} PCEncoder;

/* The model option's value that lets the encoder choose (pc_encoder_init()). */
#define PC_AUTO_MODEL "auto"
/* Bits per sample from which a model is said not to fit the picture. */
#define PC_UNFIT_BITS 7.5

/* The public description both image descriptors share (pclossless_enc.c, _dec.c). */
#define PC_IMAGE_CODEC                                                            \
    .name = "pclossless", .long_name = "lossless images with a probabilistic circuit (HCLT)", \
    .media_type = NC_MEDIA_IMAGE, .capabilities = NC_CODEC_CAP_LOSSLESS,                    \
    .pix_fmts = pc_image_pix_fmts, .model_arch = PC_MODEL_ARCH
extern const enum NCPixelFormat pc_image_pix_fmts[];

/* What both pclossless decoders keep as their private data. */
typedef struct PCDecoder {
    char *model_path;    /* option */
    int max_frame_bytes; /* option (pclossless_bytes) */
    int version;         /* of the stream header */
    PCContext pcx;
} PCDecoder;

/* The init and close callbacks of both encoders (priv_data a PCEncoder): loads
 * the model_id option's model, sets the stream header as extradata, readies the
 * range coder; frees it all. */
int pc_encoder_init(NCCodecContext *ctx);
void pc_encoder_close(NCCodecContext *ctx);
/* Ends the stream coded into p->enc and makes it pkt's payload. */
int pc_encoder_packet(PCEncoder *p, NCPacket *pkt);
/* The init and close callbacks of both decoders (priv_data a PCDecoder): loads the
 * model ctx's extradata (the stream header) names, searched at the model_path
 * option first when it is not empty, with the header's hash checked. */
int pc_decoder_init(NCCodecContext *ctx);
void pc_decoder_close(NCCodecContext *ctx);

/* The stream header for pcx's model; returns its size. */
size_t pc_header_write(const PCContext *pcx, uint8_t buf[PC_HEADER_MAX_SIZE]);
/* Parses a stream header: id (NUL-terminated) and sha256. NC_EINVALIDDATA or
 * NC_ENOTSUP (a later version) with a logged reason. */
int pc_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, NCIModelPin *pin);

/* Codes one plane of w x h samples, sample (x, y) at data[y * linesize + x * step],
 * as tiles of the model's patch shape in raster order. Both return NC_EINTR when
 * pcx->owner's interrupt callback stops them between tiles; decoding also stops
 * with NC_ETRUNCATED (or the coder's error) once it has read past the end of the
 * stream, so the work is bounded by the bytes present (pc_plane_info_floor()).
 * Pixels of the tiles not reached are left as they were. */
int pc_encode_plane(PCContext *pcx, RCEncoder *enc, const uint8_t *data, ptrdiff_t linesize,
                    int step, int w, int h);
int pc_decode_plane(PCContext *pcx, RCDecoder *dec, uint8_t *data, ptrdiff_t linesize,
                    int step, int w, int h);
/* A lower bound, in 2^-RC_INFO_FRAC_BITS bits, on the information coding a w x h
 * plane carries: every tile's flag costs at least 1/64 bit and every pixel
 * pixel_info. With rc_stream_can_hold() a decoder refuses a packet too short for
 * the picture it declares before allocating the picture. */
uint64_t pc_plane_info_floor(const PCContext *pcx, int w, int h);

/* Codes one image of `channels` interleaved channels (1 or 3), sample (x, y, c)
 * at data[y * linesize + x * channels + c]: its planes under the model's
 * transform (plane_transform.h), each as pc_encode_plane() does, with its errors.
 * NC_ENOMEM if the planes of a transformed image cannot be allocated. */
int pc_encode_image(PCContext *pcx, RCEncoder *enc, const uint8_t *data, ptrdiff_t linesize,
                    int channels, int w, int h);
int pc_decode_image(PCContext *pcx, RCDecoder *dec, uint8_t *data, ptrdiff_t linesize,
                    int channels, int w, int h);

/* Channels of a pixel format pclossless codes (1 gray, 3 RGB), 0 if unsupported. */
int pc_channels(enum NCPixelFormat fmt);
/* Bytes of a raw picture packet (version 2): W x H x channels. */
static inline size_t pc_raw_packet_size(int w, int h, enum NCPixelFormat fmt)
{
    return (size_t)w * (size_t)h * (size_t)pc_channels(fmt);
}

#endif
