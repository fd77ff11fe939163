/* Packets: compressed data, the output of encoders and input of decoders.
 *
 * Ownership: a packet owns its payload through buf. Sending a packet to a decoder
 * never takes the caller's reference. nc_receive_packet() unrefs the packet it
 * is given before filling it. Payloads libnc allocates carry NC_INPUT_PADDING
 * zeroed bytes after size. */
#ifndef NC_PACKET_H
#define NC_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include "nc/buffer.h"
#include "nc/export.h"

enum NCPacketFlags {
    NC_PKT_FLAG_KEY = 1,     /* decodable without earlier packets */
    NC_PKT_FLAG_CORRUPT = 2, /* the demuxer found it damaged */
};

typedef struct NCPacket {
    NCBuffer *buf; /* owns data; NULL for an empty packet */
    uint8_t *data;
    size_t size;
    int64_t pts;      /* in the stream's time base */
    int64_t duration; /* in the stream's time base */
    int flags;        /* NC_PKT_FLAG_* */
    /* Zero (as left by `= {0}`, nc_*_unref() and libnc's own fills). Fields added
     * later take these slots, so sizeof stays the same (APIchanges). */
    void *reserved[8];
} NCPacket;

#ifdef __cplusplus
extern "C" {
#endif

NC_API NCPacket *nc_packet_alloc(void);
NC_API void nc_packet_free(NCPacket **pkt);
/* Allocates a zeroed payload of size bytes (plus padding) into the empty pkt. */
NC_API int nc_packet_new(NCPacket *pkt, size_t size);
/* Copies size bytes into a new payload of the empty pkt. */
NC_API int nc_packet_from_data(NCPacket *pkt, const uint8_t *data, size_t size);
/* Shrinks size (never grows) and re-zeroes the padding after it. */
NC_API int nc_packet_shrink(NCPacket *pkt, size_t size);
NC_API int nc_packet_ref(NCPacket *dst, const NCPacket *src);
NC_API void nc_packet_unref(NCPacket *pkt);
NC_API void nc_packet_move_ref(NCPacket *dst, NCPacket *src);

#ifdef __cplusplus
}
#endif
#endif
