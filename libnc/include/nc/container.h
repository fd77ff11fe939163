/* The .nc container (conformance/spec/container.md): one stream of packets with
 * the header a decoder needs. The muxer writes a file atomically (a temporary
 * file renamed over the target when it is closed) or into memory; the demuxer
 * reads a file or a memory buffer and treats it as hostile. */
#ifndef NC_CONTAINER_H
#define NC_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include "nc/codec.h"
#include "nc/export.h"
#include "nc/packet.h"

#define NC_CONTAINER_VERSION_MAJOR 2 /* readers also read version 1 */
#define NC_CONTAINER_VERSION_MINOR 0
#define NC_CONTAINER_MAX_PACKET (64u << 20)

typedef struct NCStreamInfo {
    char codec_name[32];
    enum NCMediaType media_type;
    int sample_rate, channels;  /* audio */
    int width, height;          /* video, image */
    enum NCPixelFormat pix_fmt; /* video, image */
    NCRational time_base;
    const uint8_t *extradata; /* owned by the muxer's caller or by the demuxer */
    size_t extradata_size;
    int version_major, version_minor; /* of the file (demuxer) */
    int compact; /* of the file (demuxer): 1 when it is in the compact profile */
    /* Zero (as left by `= {0}`, nc_*_unref() and libnc's own fills). Fields added
     * later take these slots, so sizeof stays the same (APIchanges). */
    void *reserved[7];
} NCStreamInfo;

typedef struct NCMuxer NCMuxer;
typedef struct NCDemuxer NCDemuxer;

enum NCMuxFlags {
    NC_MUX_OVERWRITE = 1, /* replace an existing file instead of failing with NC_EEXIST */
    NC_MUX_NO_INDEX = 2,  /* do not write the seek index */
    /* Always write the classic form. Without it a short stream (one packet, or up
     * to 255 gapless packets of 4 KiB together) is written in the compact profile:
     * no record headers, no index, about 20 bytes besides extradata. */
    NC_MUX_CLASSIC = 4,
};

#ifdef __cplusplus
extern "C" {
#endif

/* Fills info from an open codec context (codec name, media parameters, extradata
 * pointer). */
NC_API int nc_stream_info_from_context(NCStreamInfo *info, const NCCodecContext *ctx);
/* Sets a decoder context's media parameters and extradata from info. */
NC_API int nc_stream_info_to_context(const NCStreamInfo *info, NCCodecContext *ctx);

/* Starts writing path (through a temporary file beside it) with the header from
 * info. NC_EEXIST if path exists without NC_MUX_OVERWRITE. */
NC_API int nc_muxer_open_file(NCMuxer **mux, const char *path, const NCStreamInfo *info,
                              unsigned flags);
/* Starts writing to fd, an open descriptor the caller keeps (standard output, a
 * pipe, a socket), never seeking. With NC_MUX_CLASSIC the header goes out now and
 * each group of packets as it is complete, so a reader at the other end decodes
 * while the stream is written; without it a short stream is held for the compact
 * profile, as in a file. nc_muxer_close() finishes and flushes; fd stays open.
 * (Since api 1.1.) */
NC_API int nc_muxer_open_fd(NCMuxer **mux, int fd, const NCStreamInfo *info, unsigned flags);
/* Starts writing into a growing memory buffer; see nc_muxer_close_memory(). */
NC_API int nc_muxer_open_memory(NCMuxer **mux, const NCStreamInfo *info, unsigned flags);
/* Appends one packet. Packet pts must not decrease. Packets that follow each
 * other without a gap (same duration and key flag) are stored together in
 * groups of up to a second, so a packet reaches the output when its group is
 * complete or at nc_muxer_close(); while the stream may still be written
 * compact (see NC_MUX_CLASSIC), its packets (at most 4 KiB, or one packet) wait
 * for nc_muxer_close(): a writer that streams passes NC_MUX_CLASSIC. */
NC_API int nc_muxer_write_packet(NCMuxer *mux, const NCPacket *pkt);
/* Writes the index, flushes, renames the temporary file over the target (a file
 * muxer) and frees *mux. On failure the target is untouched and the temporary
 * file removed. */
NC_API int nc_muxer_close(NCMuxer **mux);
/* For a memory muxer: finishes and hands over the bytes (free() them). */
NC_API int nc_muxer_close_memory(NCMuxer **mux, uint8_t **data, size_t *size);
/* Abandons the output: removes the temporary file, frees *mux. */
NC_API void nc_muxer_abort(NCMuxer **mux);

NC_API int nc_demuxer_open_file(NCDemuxer **dmx, const char *path);
/* Reads from data, which must outlive the demuxer. */
NC_API int nc_demuxer_open_memory(NCDemuxer **dmx, const uint8_t *data, size_t size);
NC_API const NCStreamInfo *nc_demuxer_stream_info(const NCDemuxer *dmx);
/* Reads the next packet into the empty pkt. Returns 0, NC_EOF after the last one,
 * or an error for a damaged packet: NC_ECRC (payload checksum), NC_EINVALIDDATA
 * (damaged packet header; the demuxer resynchronizes on the next call),
 * NC_ETRUNCATED (the file ends inside a packet: no further packets). After an
 * error nc_demuxer_packet_index() names the damaged packet, and reading may go on. */
NC_API int nc_demuxer_read_packet(NCDemuxer *dmx, NCPacket *pkt);
/* Index (from 0) of the packet last returned or found damaged. */
NC_API int64_t nc_demuxer_packet_index(const NCDemuxer *dmx);
/* Packets and total duration from the seek index; -1 when the file has none. */
NC_API int64_t nc_demuxer_packet_count(const NCDemuxer *dmx);
NC_API int64_t nc_demuxer_duration(const NCDemuxer *dmx);
/* Positions the demuxer on the last key packet with pts <= target. NC_ENOTSUP
 * without an index. */
NC_API int nc_demuxer_seek(NCDemuxer *dmx, int64_t pts);
NC_API void nc_demuxer_close(NCDemuxer **dmx);

#ifdef __cplusplus
}
#endif
#endif
