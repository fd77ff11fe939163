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
 * at most this many of them, and at most one second of them. */
#define NC_GROUP_MUX_PACKETS 255
#define NC_GROUP_MUX_BYTES 1024
#define NC_INDEX_MARKER "NCIX"
#define NC_INDEX_FIXED 24 /* marker, count, total packets, total duration */
#define NC_INDEX_ENTRY_SIZE 24
#define NC_TRAILER_SIZE 16
#define NC_TRAILER_MAGIC "NCIXTAIL"

/* 0 if info holds a stream a .nc file can describe; otherwise logs why
 * (naming `what`, a file name or "stream") and returns NC_EINVALIDDATA. */
int nci_stream_info_check(const NCStreamInfo *info, const void *log_ctx, const char *what);

#endif
