/* .nc demuxer. The input is hostile: every size is checked against the format's
 * limits and the bytes left before anything is allocated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/bytes.h"
#include "libnc/check.h"
#include "libnc/container_format.h"
#include "libnc/crc32.h"
#include "libnc/bounds.h"

typedef struct IndexEntry {
    uint64_t offset;
    int64_t pts;
    uint64_t number;
} IndexEntry;

struct NCDemuxer {
    const NCClass *nc_class; /* first: logging (nc/log.h) */
    FILE *file;
    const uint8_t *mem;
    uint64_t size;       /* bytes in the input */
    uint64_t pos;        /* next byte to read */
    uint64_t data_end;   /* where packets end: the index, or the end of the input */
    NCStreamInfo info;
    uint8_t *extradata;
    int64_t packet_index; /* number of the packet last returned or found damaged */
    int done;             /* truncated or index reached: only NC_EOF from now */
    int resync;           /* the last packet header was damaged: scan for the next */
    IndexEntry *index;
    size_t index_len;
    int64_t total_packets, total_duration; /* -1 without an index */
    /* The record being handed out, one packet per read: a version 2 group, or a
     * version 1 packet as a group of one. */
    uint8_t *group;        /* sizes table and payloads */
    uint32_t *group_sizes; /* [group_len] */
    int group_len, group_next;
    size_t group_offset; /* of the next packet's payload in group */
    int64_t group_pts;
    uint32_t group_duration, group_last_duration;
    int group_flags;
    int compact;              /* a compact file: one record of packets, listed in the header */
    NCICompactPackets packets; /* the compact file's packet table */
    int64_t skipped;     /* packets of a damaged group left to number */
    int seek_pending;    /* after a seek: pass over the next group's packets before seek_pts */
    int64_t seek_pts;
};

/* Reads exactly size bytes at pos, or fails with NC_ETRUNCATED. */
static int read_at(NCDemuxer *d, uint64_t pos, uint8_t *dst, size_t size)
{
    if (pos > d->size || size > d->size - pos) return NC_ETRUNCATED;
    if (d->mem) {
        memcpy(dst, d->mem + pos, size);
        return 0;
    }
    if (fseeko(d->file, (off_t)pos, SEEK_SET) || fread(dst, 1, size, d->file) != size)
        return NC_EIO;
    return 0;
}

static int parse_body(NCDemuxer *d, const uint8_t *b, size_t body)
{
    NCStreamInfo *s = &d->info;
    s->media_type = (enum NCMediaType)b[0];
    size_t n = b[1];
    NC_RETURN_ERROR_IF(n < 1 || n > 31 || NC_HEADER_BODY_MIN + n > body, NC_EINVALIDDATA, d,
                       "invalid codec name length %zu", n);
    memcpy(s->codec_name, b + 2, n);
    s->codec_name[n] = 0;
    const uint8_t *p = b + 2 + n;
    s->sample_rate = (int)(nci_rl32(p) & 0x7FFFFFFF);
    NC_RETURN_ERROR_IF(nci_rl32(p) > NC_MAX_SAMPLE_RATE, NC_EINVALIDDATA, d, "invalid sample rate");
    s->channels = nci_rl16(p + 4);
    uint32_t w = nci_rl32(p + 6), h = nci_rl32(p + 10);
    NC_RETURN_ERROR_IF(w > NC_MAX_DIMENSION || h > NC_MAX_DIMENSION, NC_EINVALIDDATA, d,
                       "invalid dimensions %ux%u", w, h);
    s->width = (int)w, s->height = (int)h;
    s->pix_fmt = (enum NCPixelFormat)p[14];
    uint32_t num = nci_rl32(p + 15), den = nci_rl32(p + 19), e = nci_rl32(p + 23);
    NC_RETURN_ERROR_IF(num > INT32_MAX || den > INT32_MAX, NC_EINVALIDDATA, d, "invalid time base");
    s->time_base = (NCRational){(int)num, (int)den};
    NC_RETURN_ERROR_IF(e > NC_MAX_EXTRADATA || NC_HEADER_BODY_MIN + n + e > body, NC_EINVALIDDATA, d,
                       "invalid extradata size %u", e);
    NC_RETURN_ERROR_IF(body > NC_HEADER_BODY_MIN + n + e + NC_HEADER_EXTENSION_MAX, NC_EINVALIDDATA, d,
                       "header has %zu bytes of unknown extension", body - (NC_HEADER_BODY_MIN + n + e));
    d->extradata = calloc(1, (size_t)e + NC_INPUT_PADDING);
    if (!d->extradata) return NC_ENOMEM;
    memcpy(d->extradata, p + 27, e);
    s->extradata = d->extradata;
    s->extradata_size = e;
    return nci_stream_info_check(s, d, "header");
}

/* A compact file's header, the packet table in it, and an index of its one record
 * (when its packets are key). */
static int read_compact_header(NCDemuxer *d)
{
    size_t avail = d->size < NC_COMPACT_MAX_HEADER ? (size_t)d->size : NC_COMPACT_MAX_HEADER, size;
    uint8_t *h = malloc(avail);
    if (!h) return NC_ENOMEM;
    int ret = read_at(d, 0, h, avail);
    if (ret >= 0)
        ret = nci_compact_header_parse(d, h, avail, &d->info, &d->extradata, &d->packets, &size);
    free(h);
    NC_FORWARD_IF_ERROR(ret);
    d->compact = d->info.compact = 1;
    d->info.version_major = NC_CONTAINER_VERSION_MAJOR;
    d->info.version_minor = NC_CONTAINER_VERSION_MINOR;
    d->pos = size;
    const NCICompactPackets *p = &d->packets;
    d->total_packets = p->count;
    d->total_duration = p->count ? (int64_t)(p->count - 1) * p->duration + p->last_duration : 0;
    if (p->key && p->count) {
        if (!(d->index = malloc(sizeof(*d->index)))) return NC_ENOMEM;
        d->index[0] = (IndexEntry){size, p->pts, 0};
        d->index_len = 1;
    }
    return 0;
}

static int read_header(NCDemuxer *d)
{
    uint8_t prefix[NC_FILE_PREFIX_SIZE];
    if (d->size >= NC_COMPACT_MAGIC_SIZE) {
        NC_FORWARD_IF_ERROR(read_at(d, 0, prefix, NC_COMPACT_MAGIC_SIZE));
        if (!memcmp(prefix, NC_COMPACT_MAGIC, NC_COMPACT_MAGIC_SIZE)) return read_compact_header(d);
    }
    int ret = read_at(d, 0, prefix, sizeof(prefix));
    NC_RETURN_ERROR_IF(ret == NC_ETRUNCATED, NC_EINVALIDDATA, d, "too short for a .nc file");
    NC_FORWARD_IF_ERROR(ret);
    NC_RETURN_ERROR_IF(memcmp(prefix, NC_FILE_MAGIC, NC_FILE_MAGIC_SIZE), NC_EINVALIDDATA, d,
                       "not a .nc file (bad magic)");
    d->info.version_major = nci_rl16(prefix + 8);
    d->info.version_minor = nci_rl16(prefix + 10);
    NC_RETURN_ERROR_IF(d->info.version_major < 1 || d->info.version_major > NC_CONTAINER_VERSION_MAJOR,
                       NC_ENOTSUP, d,
                       "container version %d.%d is not supported (this reader knows 1.x to %d.x)",
                       d->info.version_major, d->info.version_minor, NC_CONTAINER_VERSION_MAJOR);
    uint32_t body = nci_rl32(prefix + 12);
    NC_RETURN_ERROR_IF(body < NC_HEADER_BODY_MIN + 1 ||
                           body > NC_HEADER_BODY_MIN + 31 + NC_MAX_EXTRADATA + NC_HEADER_EXTENSION_MAX,
                       NC_EINVALIDDATA, d, "invalid header size %u", body);
    NC_RETURN_ERROR_IF(body + (uint64_t)NC_FILE_PREFIX_SIZE + 4 > d->size, NC_EINVALIDDATA, d,
                       "header is truncated");
    size_t total = NC_FILE_PREFIX_SIZE + (size_t)body + 4;
    uint8_t *h = malloc(total);
    if (!h) return NC_ENOMEM;
    memcpy(h, prefix, NC_FILE_PREFIX_SIZE);
    ret = read_at(d, NC_FILE_PREFIX_SIZE, h + NC_FILE_PREFIX_SIZE, total - NC_FILE_PREFIX_SIZE);
    if (ret >= 0 && nci_crc32(0, h, total - 4) != nci_rl32(h + total - 4)) {
        nc_log(d, NC_LOG_ERROR, "header: CRC mismatch");
        ret = NC_EINVALIDDATA;
    }
    if (ret >= 0) ret = parse_body(d, h + NC_FILE_PREFIX_SIZE, body);
    free(h);
    d->pos = total;
    return ret;
}

static int index_is_consistent(const NCDemuxer *d, const IndexEntry *e, size_t n,
                               uint64_t index_offset)
{
    uint64_t prev_offset = 0, prev_number = 0;
    int64_t prev_pts = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        if (e[i].offset < d->pos || e[i].offset + NC_PACKET_HEADER_SIZE > index_offset ||
            (i && (e[i].offset <= prev_offset || e[i].number <= prev_number)) ||
            e[i].pts < prev_pts || e[i].number >= (uint64_t)d->total_packets)
            return 0;
        prev_offset = e[i].offset, prev_number = e[i].number, prev_pts = e[i].pts;
    }
    return 1;
}

/* Loads the optional index; any inconsistency means "no index", never an error. */
static int read_index(NCDemuxer *d)
{
    uint8_t t[NC_TRAILER_SIZE], fixed[NC_INDEX_FIXED];
    if (d->size < d->pos + NC_INDEX_FIXED + 4 + NC_TRAILER_SIZE) return 0;
    if (read_at(d, d->size - NC_TRAILER_SIZE, t, sizeof(t)) < 0 ||
        memcmp(t + 8, NC_TRAILER_MAGIC, 8))
        return 0;
    uint64_t off = nci_rl64(t);
    if (off < d->pos || off > d->size - NC_TRAILER_SIZE - NC_INDEX_FIXED - 4) return 0;
    if (read_at(d, off, fixed, sizeof(fixed)) < 0 || memcmp(fixed, NC_INDEX_MARKER, 4)) return 0;
    uint64_t n = nci_rl32(fixed + 4);
    uint64_t bytes = NC_INDEX_FIXED + n * NC_INDEX_ENTRY_SIZE;
    if (bytes + 4 + NC_TRAILER_SIZE != d->size - off) return 0; /* also bounds n by the file */
    uint8_t *raw = malloc((size_t)bytes + 4);
    IndexEntry *e = calloc((size_t)n + 1, sizeof(*e));
    int ok = raw && e && read_at(d, off, raw, (size_t)bytes + 4) >= 0 &&
             nci_crc32(0, raw, (size_t)bytes) == nci_rl32(raw + bytes);
    if (ok) {
        d->total_packets = (int64_t)(nci_rl64(raw + 8) & INT64_MAX);
        d->total_duration = (int64_t)(nci_rl64(raw + 16) & INT64_MAX);
        for (uint64_t i = 0; i < n; i++) {
            const uint8_t *p = raw + NC_INDEX_FIXED + i * NC_INDEX_ENTRY_SIZE;
            e[i] = (IndexEntry){nci_rl64(p), (int64_t)nci_rl64(p + 8), nci_rl64(p + 16)};
        }
        ok = index_is_consistent(d, e, (size_t)n, off);
    }
    free(raw);
    if (!ok) {
        free(e);
        d->total_packets = d->total_duration = -1;
        nc_log(d, NC_LOG_WARNING, "seek index is damaged; ignoring it");
        return 0;
    }
    d->index = e;
    d->index_len = (size_t)n;
    d->data_end = off;
    return 0;
}

static int demuxer_open(NCDemuxer *d)
{
    d->packet_index = -1;
    d->total_packets = d->total_duration = -1;
    NC_FORWARD_IF_ERROR(read_header(d));
    d->data_end = d->size;
    return d->compact ? 0 : read_index(d);
}

static const NCClass demuxer_class = {"demuxer", NULL};

int nc_demuxer_open_memory(NCDemuxer **dmx, const uint8_t *data, size_t size)
{
    NC_CHECK_ARG(dmx && (data || !size));
    *dmx = NULL;
    NCDemuxer *d = calloc(1, sizeof(*d));
    if (!d) return NC_ENOMEM;
    d->nc_class = &demuxer_class;
    d->mem = data;
    d->size = size;
    int ret = demuxer_open(d);
    if (ret < 0) {
        nc_demuxer_close(&d);
        return ret;
    }
    *dmx = d;
    return 0;
}

int nc_demuxer_open_file(NCDemuxer **dmx, const char *path)
{
    NC_CHECK_ARG(dmx && path);
    *dmx = NULL;
    NCDemuxer *d = calloc(1, sizeof(*d));
    if (!d) return NC_ENOMEM;
    d->nc_class = &demuxer_class;
    d->file = fopen(path, "rb");
    int ret = NC_EIO;
    if (d->file && fseeko(d->file, 0, SEEK_END) == 0) {
        off_t end = ftello(d->file);
        if (end >= 0) {
            d->size = (uint64_t)end;
            ret = demuxer_open(d);
        }
    }
    if (ret < 0) {
        if (!d->file) nc_log(NULL, NC_LOG_ERROR, "%s: cannot open", path);
        nc_demuxer_close(&d);
        return ret;
    }
    *dmx = d;
    return 0;
}

const NCStreamInfo *nc_demuxer_stream_info(const NCDemuxer *dmx)
{
    return dmx ? &dmx->info : NULL;
}

int64_t nc_demuxer_packet_index(const NCDemuxer *dmx)
{
    return dmx ? dmx->packet_index : -1;
}

int64_t nc_demuxer_packet_count(const NCDemuxer *dmx)
{
    return dmx ? dmx->total_packets : -1;
}

int64_t nc_demuxer_duration(const NCDemuxer *dmx)
{
    return dmx ? dmx->total_duration : -1;
}

/* The record header of this file's version: size, marker, and where its CRC sits. */
static size_t record_header_size(const NCDemuxer *d)
{
    return d->info.version_major == 1 ? NC_PACKET_HEADER_SIZE : NC_GROUP_HEADER_SIZE;
}

static int record_header_valid(const NCDemuxer *d, const uint8_t *h)
{
    size_t crc_at = record_header_size(d) - 4;
    return !memcmp(h, d->info.version_major == 1 ? NC_PACKET_MARKER : NC_GROUP_MARKER, 4) &&
           nci_crc32(0, h, crc_at) == nci_rl32(h + crc_at);
}

/* After a damaged record header: the next offset holding a valid record header or
 * the index marker, or the end of the data. */
static uint64_t resync(NCDemuxer *d, uint64_t from)
{
    uint8_t h[NC_GROUP_HEADER_SIZE];
    size_t hs = record_header_size(d);
    for (uint64_t pos = from; pos + 4 <= d->data_end; pos++) {
        size_t want = d->data_end - pos < hs ? (size_t)(d->data_end - pos) : hs;
        if (read_at(d, pos, h, want) < 0) break;
        if (!memcmp(h, NC_INDEX_MARKER, 4)) return pos;
        if (want == hs && record_header_valid(d, h)) return pos;
    }
    return d->data_end;
}

static void drop_group(NCDemuxer *d)
{
    free(d->group);
    free(d->group_sizes);
    d->group = NULL;
    d->group_sizes = NULL;
    d->group_len = d->group_next = 0;
}

/* Reads a version 2 group's sizes table (n - 1 little-endian base-128 numbers of
 * 1..4 bytes filling exactly table_len bytes; the last size is what is left of
 * bytes). 0, or NC_EINVALIDDATA. */
static int parse_sizes(NCDemuxer *d, size_t table_len, uint32_t bytes)
{
    const uint8_t *t = d->group, *end = t + table_len;
    uint64_t left = bytes;
    for (int i = 0; i + 1 < d->group_len; i++) {
        uint32_t v = 0;
        for (int k = 0;; k++) {
            if (t == end || k == NC_GROUP_MAX_SIZES_BYTES) return NC_EINVALIDDATA;
            v |= (uint32_t)(*t & 0x7F) << (7 * k);
            if (!(*t++ & 0x80)) break;
        }
        if (v > left) return NC_EINVALIDDATA;
        left -= v;
        d->group_sizes[i] = v;
    }
    if (t != end) return NC_EINVALIDDATA;
    d->group_sizes[d->group_len - 1] = (uint32_t)left;
    return 0;
}

/* After a seek: starts the loaded group at its last packet with pts <= the target. */
static void seek_in_group(NCDemuxer *d)
{
    if (d->seek_pending) {
        int64_t first = 0, n = d->group_len;
        if (d->seek_pts > d->group_pts)
            first = d->group_duration ? (d->seek_pts - d->group_pts) / d->group_duration : n - 1;
        if (first > n - 1) first = n - 1;
        for (int i = 0; i < first; i++) d->group_offset += d->group_sizes[i];
        d->group_next = (int)first;
        d->packet_index += first;
    }
    d->seek_pending = 0;
}

/* Loads the record at d->pos (its header is h, CRC already checked) into the
 * group state; the payload CRC is checked here, for the whole record. 1 when the
 * header's fields are out of range (the caller treats it as damaged). */
static int load_record(NCDemuxer *d, const uint8_t *h)
{
    int v1 = d->info.version_major == 1;
    size_t hs = record_header_size(d);
    uint32_t bytes = nci_rl32(h + 4), duration = nci_rl32(h + 16);
    int64_t pts = (int64_t)nci_rl64(h + 8);
    int n = v1 ? 1 : nci_rl16(h + 20);
    size_t table_len = v1 ? 0 : nci_rl16(h + 22);
    int flags = v1 ? (int)(nci_rl32(h + 20) & NC_PKT_FLAG_KEY) : h[24];
    uint32_t crc = nci_rl32(h + (v1 ? 24 : 25));
    /* A header whose CRC holds but whose fields are out of range came from a
     * broken writer: treat it as damaged. */
    if (n < 1 || table_len < (size_t)(n - 1) ||
        table_len > (size_t)(n - 1) * NC_GROUP_MAX_SIZES_BYTES || (flags & ~NC_PKT_FLAG_KEY) ||
        (duration && (uint64_t)(n - 1) * duration > (uint64_t)(INT64_MAX - (pts > 0 ? pts : 0))))
        return 1;
    uint64_t start = d->pos + hs;
    if (bytes > NC_CONTAINER_MAX_PACKET || table_len + (uint64_t)bytes > d->data_end - start) {
        d->done = 1;
        d->packet_index++;
        uint64_t need = table_len + (uint64_t)bytes, have = d->data_end - start;
        if (bytes > NC_CONTAINER_MAX_PACKET)
            nc_log(d, NC_LOG_ERROR, "packet %lld: truncated (%u bytes announced, above the limit)",
                   (long long)d->packet_index, bytes);
        else
            nc_log(d, NC_LOG_ERROR,
                   "packet %lld: truncated: the file ends %llu bytes into a record of %llu "
                   "(%llu bytes missing)",
                   (long long)d->packet_index, (unsigned long long)have,
                   (unsigned long long)need, (unsigned long long)(need - have));
        return NC_ETRUNCATED;
    }
    drop_group(d);
    d->group = malloc(table_len + bytes + 1);
    d->group_sizes = malloc(sizeof(uint32_t) * (size_t)n);
    if (!d->group || !d->group_sizes) {
        drop_group(d);
        return NC_ENOMEM;
    }
    int ret = read_at(d, start, d->group, table_len + bytes);
    d->pos = start + table_len + bytes;
    d->group_len = n;
    if (ret >= 0 && nci_crc32(0, d->group, table_len + bytes) != crc) ret = NC_ECRC;
    if (ret >= 0) ret = parse_sizes(d, table_len, bytes);
    if (ret < 0) {
        drop_group(d);
        nc_log(d, NC_LOG_ERROR, "packet %lld: %s", (long long)d->packet_index + 1,
               ret == NC_ECRC ? "CRC mismatch" : "damaged sizes table");
        d->packet_index++;
        d->skipped = n - 1;
        return ret;
    }
    d->group_offset = table_len;
    d->group_pts = pts;
    d->group_duration = d->group_last_duration = duration;
    d->group_flags = flags;
    seek_in_group(d);
    return 0;
}

/* Loads a compact file's one record: its payloads, checked against their CRC. */
static int load_compact(NCDemuxer *d)
{
    const NCICompactPackets *p = &d->packets;
    d->done = 1; /* whatever happens, nothing follows */
    if (!p->count) return NC_EOF;
    uint64_t need = (uint64_t)p->payload_size + 4, have = d->data_end - d->pos;
    if (need > have) {
        d->packet_index++;
        nc_log(d, NC_LOG_ERROR,
               "packet %lld: truncated: the file ends %llu bytes into a record of %llu "
               "(%llu bytes missing)",
               (long long)d->packet_index, (unsigned long long)have, (unsigned long long)need,
               (unsigned long long)(need - have));
        return NC_ETRUNCATED;
    }
    drop_group(d);
    d->group = malloc((size_t)need);
    d->group_sizes = malloc(sizeof(uint32_t) * p->count);
    if (!d->group || !d->group_sizes) {
        drop_group(d);
        return NC_ENOMEM;
    }
    int ret = read_at(d, d->pos, d->group, (size_t)need);
    if (ret >= 0 && nci_crc32(0, d->group, p->payload_size) != nci_rl32(d->group + p->payload_size))
        ret = NC_ECRC;
    if (ret < 0) {
        drop_group(d);
        nc_log(d, NC_LOG_ERROR, "packet %lld: %s", (long long)d->packet_index + 1,
               ret == NC_ECRC ? "CRC mismatch" : "read error");
        d->packet_index++;
        d->skipped = (int64_t)p->count - 1;
        return ret;
    }
    memcpy(d->group_sizes, p->sizes, sizeof(uint32_t) * p->count);
    d->group_len = (int)p->count;
    d->group_offset = 0;
    d->group_pts = p->pts;
    d->group_duration = p->duration;
    d->group_last_duration = p->last_duration;
    d->group_flags = p->key ? NC_PKT_FLAG_KEY : 0;
    seek_in_group(d);
    return 0;
}

/* Reads the next record header and loads its group. */
static int next_record(NCDemuxer *d)
{
    if (d->resync) {
        d->resync = 0;
        d->pos = resync(d, d->pos);
    }
    if (d->done) return NC_EOF;
    if (d->compact) return load_compact(d); /* also a cut right after the header */
    if (d->pos >= d->data_end) return NC_EOF;
    uint8_t h[NC_GROUP_HEADER_SIZE];
    size_t hs = record_header_size(d);
    int ret = read_at(d, d->pos, h, 4);
    if (ret >= 0 && !memcmp(h, NC_INDEX_MARKER, 4)) {
        d->done = 1;
        return NC_EOF;
    }
    if (ret >= 0) ret = read_at(d, d->pos, h, hs);
    if (ret == NC_ETRUNCATED) {
        d->done = 1;
        d->packet_index++;
        nc_log(d, NC_LOG_ERROR,
               "packet %lld: truncated: the file ends %llu bytes into a record header of %zu",
               (long long)d->packet_index,
               (unsigned long long)(d->data_end > d->pos ? d->data_end - d->pos : 0), hs);
        return ret;
    }
    NC_FORWARD_IF_ERROR(ret);
    if (record_header_valid(d, h)) {
        ret = load_record(d, h);
        if (ret != 1) return ret;
    }
    d->pos++;
    d->resync = 1;
    d->packet_index++;
    nc_log(d, NC_LOG_ERROR, "packet %lld: damaged header", (long long)d->packet_index);
    return NC_EINVALIDDATA;
}

int nc_demuxer_read_packet(NCDemuxer *d, NCPacket *pkt)
{
    NC_CHECK_ARG(d && pkt && !pkt->buf && !pkt->data);
    d->packet_index += d->skipped; /* the rest of a damaged group */
    d->skipped = 0;
    if (d->group_next == d->group_len) NC_FORWARD_IF_ERROR(next_record(d));
    int i = d->group_next;
    uint32_t size = d->group_sizes[i];
    NC_FORWARD_IF_ERROR(nc_packet_new(pkt, size));
    if (size) memcpy(pkt->data, d->group + d->group_offset, size);
    d->group_offset += size;
    d->group_next++;
    d->packet_index++;
    pkt->pts = d->group_pts + (int64_t)i * d->group_duration;
    pkt->duration = i + 1 < d->group_len ? d->group_duration : d->group_last_duration;
    pkt->flags = d->group_flags;
    return 0;
}

int nc_demuxer_seek(NCDemuxer *d, int64_t pts)
{
    NC_CHECK_ARG(d);
    NC_RETURN_ERROR_IF(!d->index_len, NC_ENOTSUP, d, "cannot seek: the file has no index");
    size_t best = 0;
    for (size_t i = 0; i < d->index_len && d->index[i].pts <= pts; i++) best = i;
    drop_group(d);
    d->pos = d->index[best].offset;
    d->packet_index = (int64_t)d->index[best].number - 1;
    d->done = d->resync = 0;
    d->skipped = 0;
    d->seek_pending = 1;
    d->seek_pts = pts;
    return 0;
}

void nc_demuxer_close(NCDemuxer **dmx)
{
    if (!dmx || !*dmx) return;
    NCDemuxer *d = *dmx;
    if (d->file) fclose(d->file);
    free(d->extradata);
    free(d->index);
    free(d->packets.sizes);
    drop_group(d);
    free(d);
    *dmx = NULL;
}
