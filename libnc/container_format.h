/* Constants and shared checks of the .nc format (conformance/spec/container.md).
 * Internal to the muxer and demuxer. */
#ifndef NC_CONTAINER_FORMAT_H
#define NC_CONTAINER_FORMAT_H

#include "nc/container.h"

#define NC_FILE_MAGIC "\x89NCF\r\n\x1a\n"
#define NC_FILE_MAGIC_SIZE 8
#define NC_FILE_PREFIX_SIZE 16 /* magic, versions, header_size */
#define NC_HEADER_BODY_MIN 29  /* body bytes besides codec name and extradata */
#define NC_HEADER_EXTENSION_MAX 65536
#define NC_PACKET_HEADER_SIZE 32 /* version 1: one packet per record */
#define NC_PACKET_MARKER "NCPK"
#define NC_GROUP_HEADER_SIZE 33 /* version 2: a group of packets per record */
#define NC_GROUP_MARKER "NCPG"
#define NC_GROUP_MAX_SIZES_BYTES 4 /* a packet size in the sizes table: 1..4 bytes */
/* What the muxer puts in one group: packets of at most this many bytes together,
 * at most this many of them, and at most this many seconds of them. Eight seconds,
 * not one: a stream of 0.3-1.5 kbit/s (semantic) would otherwise spend more on
 * group headers and index entries (57 bytes a group) than on its packets, while
 * damage still costs at most 1 KiB of packets. */
#define NC_GROUP_MUX_PACKETS 255
#define NC_GROUP_MUX_BYTES 1024
#define NC_GROUP_MUX_SECONDS 8
#define NC_INDEX_MARKER "NCIX"
#define NC_INDEX_FIXED 24 /* marker, count, total packets, total duration */
#define NC_INDEX_ENTRY_SIZE 24
#define NC_TRAILER_SIZE 16
#define NC_TRAILER_MAGIC "NCIXTAIL"

/* The compact profile: one header with the packet table, then all payloads. */
#define NC_COMPACT_MAGIC "\x89NCc"
#define NC_COMPACT_MAGIC_SIZE 4
#define NC_COMPACT_MAX_PACKETS 65535
#define NC_COMPACT_MAX_HEADER (1 << 21) /* bounds every field: extradata, 65535 sizes */
/* What the muxer writes compact: one packet of any size, or at most this many
 * packets of at most this many bytes together (damage to the one payload CRC
 * loses them all), timed and flagged as one group. */
#define NC_COMPACT_MUX_PACKETS 255
#define NC_COMPACT_MUX_BYTES 4096

/* A compact file's packets: count packets from pts on, each of duration but the
 * last (last_duration), all key or none, of these sizes. */
typedef struct NCICompactPackets {
    uint32_t count;
    int key;
    int64_t pts;
    uint32_t duration, last_duration;
    uint32_t *sizes; /* [count] */
    uint32_t payload_size; /* their sum */
} NCICompactPackets;

/* Writes the compact header (magic to header CRC) of s and p into a buffer it
 * allocates (free() it). */
int nci_compact_header_write(const NCStreamInfo *s, const NCICompactPackets *p, uint8_t **out,
                             size_t *size);
/* Parses the compact header at the start of b (avail bytes of the file): s (its
 * extradata allocated into *extradata) and p (p->sizes allocated), and *size, the
 * header's bytes. NC_EINVALIDDATA (logged) for a damaged or truncated header. */
int nci_compact_header_parse(const void *log_ctx, const uint8_t *b, size_t avail,
                             NCStreamInfo *s, uint8_t **extradata, NCICompactPackets *p,
                             size_t *size);

/* 0 if info holds a stream a .nc file can describe; otherwise logs why
 * (naming `what`, a file name or "stream") and returns NC_EINVALIDDATA. */
int nci_stream_info_check(const NCStreamInfo *info, const void *log_ctx, const char *what);

#endif
