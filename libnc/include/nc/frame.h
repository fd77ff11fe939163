/* Frames: uncompressed media, the input of encoders and output of decoders.
 *
 *   audio  float32 planar: data[c] points to nb_samples floats of channel c
 *          (c < channels <= NC_MAX_CHANNELS), at sample_rate Hz.
 *   video, image  8-bit planes in pix_fmt, width x height; linesize[p] is the
 *          byte stride of plane p (YUV420P chroma planes are (w+1)/2 x (h+1)/2).
 *   bytes  text or raw bytes: data[0] points to nb_bytes bytes.
 *
 * Ownership: a frame owns its data through buf[] references. nc_frame_unref()
 * drops them; nc_frame_ref() shares them. Sending a frame to an encoder never
 * takes the caller's reference: the caller unrefs or reuses it afterwards. */
#ifndef NC_FRAME_H
#define NC_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "nc/buffer.h"
#include "nc/export.h"

#define NC_MAX_PLANES 8
#define NC_MAX_CHANNELS NC_MAX_PLANES
#define NC_NOPTS_VALUE INT64_MIN

enum NCMediaType {
    NC_MEDIA_UNKNOWN = 0,
    NC_MEDIA_AUDIO = 1,
    NC_MEDIA_VIDEO = 2,
    NC_MEDIA_IMAGE = 3,
    NC_MEDIA_BYTES = 4, /* text and raw bytes */
};

enum NCPixelFormat {
    NC_PIX_NONE = 0,
    NC_PIX_GRAY8 = 1,
    NC_PIX_RGB24 = 2, /* packed R, G, B in one plane */
    NC_PIX_YUV420P = 3,
};

typedef struct NCRational {
    int num, den;
} NCRational;

typedef struct NCFrame {
    enum NCMediaType media_type;
    uint8_t *data[NC_MAX_PLANES];
    int linesize[NC_MAX_PLANES]; /* bytes per row (video/image) or plane size (audio) */
    NCBuffer *buf[NC_MAX_PLANES];

    int nb_samples; /* audio */
    int sample_rate;
    int channels;

    int width; /* video, image */
    int height;
    enum NCPixelFormat pix_fmt;

    size_t nb_bytes; /* bytes */

    int64_t pts;      /* in the stream's time base; NC_NOPTS_VALUE if unknown */
    int64_t duration; /* in the stream's time base; 0 if unknown */
    /* Zero (as left by `= {0}`, nc_*_unref() and libnc's own fills). Fields added
     * later take these slots, so sizeof stays the same (APIchanges). */
    void *reserved[8];
} NCFrame;

#ifdef __cplusplus
extern "C" {
#endif

/* An empty frame (no data, pts NC_NOPTS_VALUE), or NULL on failure. */
NC_API NCFrame *nc_frame_alloc(void);
/* Unrefs and frees *frame, then sets *frame to NULL. */
NC_API void nc_frame_free(NCFrame **frame);
/* Allocates zeroed, 64-byte aligned data for the parameters already set:
 * media_type and nb_samples/channels (audio), width/height/pix_fmt (video, image)
 * or nb_bytes (bytes). The frame must not hold data yet. */
NC_API int nc_frame_get_buffer(NCFrame *frame);
/* Makes dst a new reference to src's data and copies its properties. dst must be
 * empty; on failure dst is left empty. */
NC_API int nc_frame_ref(NCFrame *dst, const NCFrame *src);
/* Drops all data references and resets every field. */
NC_API void nc_frame_unref(NCFrame *frame);
/* Moves src's references and properties into the empty dst; src is left empty. */
NC_API void nc_frame_move_ref(NCFrame *dst, NCFrame *src);
/* Bytes per row of plane `plane` for a width, or 0 if the plane does not exist. */
NC_API int nc_pix_fmt_plane_width(enum NCPixelFormat fmt, int plane, int width);
NC_API int nc_pix_fmt_plane_height(enum NCPixelFormat fmt, int plane, int height);
NC_API int nc_pix_fmt_planes(enum NCPixelFormat fmt);
/* "gray", "rgb24", "yuv420p", or NULL; and the reverse (NC_PIX_NONE if unknown). */
NC_API const char *nc_pix_fmt_name(enum NCPixelFormat fmt);
NC_API enum NCPixelFormat nc_pix_fmt_from_name(const char *name);
/* "audio", "video", "image", "bytes", or "unknown". */
NC_API const char *nc_media_type_name(enum NCMediaType type);

#ifdef __cplusplus
}
#endif
#endif
