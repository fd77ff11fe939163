/* .nc muxer: header, packet groups, key-group index, atomic file output; or, for a
 * short stream, the compact profile (packets held back until close decides). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/atomic_file.h"
#include "libnc/bytes.h"
#include "libnc/check.h"
#include "libnc/container_format.h"
#include "libnc/crc32.h"

typedef struct IndexEntry {
    uint64_t offset;
    int64_t pts;
    uint64_t number;
} IndexEntry;

struct NCMuxer {
    const NCClass *nc_class; /* first: logging (nc/log.h) */
    unsigned flags;
    NCAtomicFile out; /* file output (out.file is NULL for memory output) */
    uint8_t *mem;     /* memory output */
    size_t mem_size, mem_cap;
    uint64_t offset; /* bytes written */
    int failed;      /* a write failed: close reports it */
    uint64_t packets;
    int64_t duration;
    int64_t last_pts;
    IndexEntry *index;
    size_t index_len, index_cap;
    int64_t units_per_second; /* time-base units in one second (0: more than a second each) */
    /* The group being collected: packets that follow each other without a gap. */
    uint8_t *group;
    size_t group_bytes;
    uint32_t group_sizes[NC_GROUP_MUX_PACKETS];
    int group_len;
    int64_t group_pts;
    uint32_t group_duration;
    int group_key;
    /* Until the header is written, the stream may still go out compact: its info
     * (extradata copied) and the packets so far, held back. */
    int header_written;
    NCStreamInfo info;
    uint8_t *extradata;
    NCICompactPackets held;
    uint32_t held_sizes[NC_COMPACT_MUX_PACKETS];
    uint8_t *held_data;
    size_t held_cap;
};

static int mux_write(NCMuxer *m, const void *data, size_t size)
{
    if (m->failed) return NC_EIO;
    if (m->out.file) {
        /* A stream is flushed at once: a reader at the other end decodes as it comes. */
        if ((size && fwrite(data, 1, size, m->out.file) != size) ||
            (m->out.stream && fflush(m->out.file) != 0)) {
            nc_log(m, NC_LOG_ERROR, "cannot write %s: %s", m->out.target,
                   errno ? strerror(errno) : "input/output error");
            m->failed = 1;
            return NC_EIO;
        }
    } else {
        if (size > m->mem_cap - m->mem_size) {
            size_t cap = m->mem_cap ? m->mem_cap : 4096;
            while (cap - m->mem_size < size) {
                if (cap > SIZE_MAX / 2) return NC_ENOMEM;
                cap *= 2;
            }
            uint8_t *grown = realloc(m->mem, cap);
            if (!grown) {
                m->failed = 1;
                return NC_ENOMEM;
            }
            m->mem = grown;
            m->mem_cap = cap;
        }
        if (size) memcpy(m->mem + m->mem_size, data, size);
        m->mem_size += size;
    }
    m->offset += size;
    return 0;
}

static int write_header(NCMuxer *m, const NCStreamInfo *s)
{
    size_t name_len = strlen(s->codec_name);
    size_t body = NC_HEADER_BODY_MIN + name_len + s->extradata_size;
    size_t total = NC_FILE_PREFIX_SIZE + body + 4;
    uint8_t *h = calloc(1, total), *p = h;
    if (!h) return NC_ENOMEM;
    memcpy(p, NC_FILE_MAGIC, NC_FILE_MAGIC_SIZE), p += 8;
    nci_wl16(p, NC_CONTAINER_VERSION_MAJOR), p += 2;
    nci_wl16(p, NC_CONTAINER_VERSION_MINOR), p += 2;
    nci_wl32(p, (uint32_t)body), p += 4;
    *p++ = (uint8_t)s->media_type;
    *p++ = (uint8_t)name_len;
    memcpy(p, s->codec_name, name_len), p += name_len;
    nci_wl32(p, (uint32_t)s->sample_rate), p += 4;
    nci_wl16(p, (uint16_t)s->channels), p += 2;
    nci_wl32(p, (uint32_t)s->width), p += 4;
    nci_wl32(p, (uint32_t)s->height), p += 4;
    *p++ = (uint8_t)s->pix_fmt;
    nci_wl32(p, (uint32_t)s->time_base.num), p += 4;
    nci_wl32(p, (uint32_t)s->time_base.den), p += 4;
    nci_wl32(p, (uint32_t)s->extradata_size), p += 4;
    if (s->extradata_size) memcpy(p, s->extradata, s->extradata_size), p += s->extradata_size;
    nci_wl32(p, nci_crc32(0, h, total - 4));
    int ret = mux_write(m, h, total);
    free(h);
    return ret;
}

static int mux_start(NCMuxer *m, const NCStreamInfo *info)
{
    m->last_pts = INT64_MIN;
    m->units_per_second = info->time_base.num > 0 ? info->time_base.den / info->time_base.num : 0;
    NC_FORWARD_IF_ERROR(nci_stream_info_check(info, m, m->out.target ? m->out.target : "stream"));
    if (m->flags & NC_MUX_CLASSIC) {
        m->header_written = 1;
        return write_header(m, info);
    }
    m->info = *info;
    if (info->extradata_size) {
        if (!(m->extradata = malloc(info->extradata_size))) return NC_ENOMEM;
        memcpy(m->extradata, info->extradata, info->extradata_size);
    }
    m->info.extradata = m->extradata;
    m->held.sizes = m->held_sizes;
    return 0;
}

static const NCClass muxer_class = {"muxer", NULL};

static NCMuxer *alloc_muxer(unsigned flags)
{
    NCMuxer *m = calloc(1, sizeof(*m));
    if (m) m->nc_class = &muxer_class, m->flags = flags;
    return m;
}

/* Writes the header once the output is open (opened < 0: it failed). */
static int start_muxer(NCMuxer **mux, NCMuxer *m, int opened, const NCStreamInfo *info)
{
    int ret = opened >= 0 ? mux_start(m, info) : opened;
    if (ret < 0) {
        nc_muxer_abort(&m);
        return ret;
    }
    *mux = m;
    return 0;
}

int nc_muxer_open_memory(NCMuxer **mux, const NCStreamInfo *info, unsigned flags)
{
    NC_CHECK_ARG(mux && info);
    *mux = NULL;
    NCMuxer *m = alloc_muxer(flags);
    return m ? start_muxer(mux, m, 0, info) : NC_ENOMEM;
}

int nc_muxer_open_fd(NCMuxer **mux, int fd, const NCStreamInfo *info, unsigned flags)
{
    NC_CHECK_ARG(mux && fd >= 0 && info);
    *mux = NULL;
    NCMuxer *m = alloc_muxer(flags);
    if (!m) return NC_ENOMEM;
    char name[32];
    if (fd == 1) snprintf(name, sizeof(name), "standard output");
    else snprintf(name, sizeof(name), "descriptor %d", fd);
    return start_muxer(mux, m, nci_atomic_file_open_stream(&m->out, fd, name, NC_STREAM_DIRECT),
                       info);
}

int nc_muxer_open_file(NCMuxer **mux, const char *path, const NCStreamInfo *info, unsigned flags)
{
    NC_CHECK_ARG(mux && path && *path && info);
    *mux = NULL;
    NCMuxer *m = alloc_muxer(flags);
    if (!m) return NC_ENOMEM;
    return start_muxer(mux, m, nci_atomic_file_open(&m->out, path, !!(flags & NC_MUX_OVERWRITE)),
                       info);
}

static int remember_key_group(NCMuxer *m, int64_t pts)
{
    if (m->index_len == m->index_cap) {
        size_t cap = m->index_cap ? m->index_cap * 2 : 64;
        IndexEntry *grown = realloc(m->index, cap * sizeof(*grown));
        if (!grown) return NC_ENOMEM;
        m->index = grown;
        m->index_cap = cap;
    }
    m->index[m->index_len++] = (IndexEntry){m->offset, pts, m->packets};
    return 0;
}

/* Writes one group record: n packets from pts on, each of the given duration,
 * whose sizes add up to bytes. */
static int write_group(NCMuxer *m, int64_t pts, uint32_t duration, int key,
                       const uint32_t *sizes, int n, const uint8_t *payload, size_t bytes)
{
    uint8_t table[NC_GROUP_MUX_PACKETS * NC_GROUP_MAX_SIZES_BYTES], *t = table;
    for (int i = 0; i + 1 < n; i++) { /* the last size is implied by the total */
        uint32_t v = sizes[i];
        while (v >= 0x80) *t++ = (uint8_t)(v | 0x80), v >>= 7;
        *t++ = (uint8_t)v;
    }
    size_t table_len = (size_t)(t - table);
    if (key && !(m->flags & NC_MUX_NO_INDEX)) NC_FORWARD_IF_ERROR(remember_key_group(m, pts));
    uint8_t h[NC_GROUP_HEADER_SIZE];
    memcpy(h, NC_GROUP_MARKER, 4);
    nci_wl32(h + 4, (uint32_t)bytes);
    nci_wl64(h + 8, (uint64_t)pts);
    nci_wl32(h + 16, duration);
    nci_wl16(h + 20, (uint16_t)n);
    nci_wl16(h + 22, (uint16_t)table_len);
    h[24] = key ? NC_PKT_FLAG_KEY : 0;
    nci_wl32(h + 25, nci_crc32(nci_crc32(0, table, table_len), payload, bytes));
    nci_wl32(h + 29, nci_crc32(0, h, 29));
    NC_FORWARD_IF_ERROR(mux_write(m, h, sizeof(h)));
    NC_FORWARD_IF_ERROR(mux_write(m, table, table_len));
    NC_FORWARD_IF_ERROR(mux_write(m, payload, bytes));
    m->packets += (uint64_t)n;
    m->duration += (int64_t)n * duration;
    return 0;
}

static int flush_group(NCMuxer *m)
{
    if (!m->group_len) return 0;
    int n = m->group_len;
    m->group_len = 0;
    return write_group(m, m->group_pts, m->group_duration, m->group_key, m->group_sizes, n,
                       m->group, m->group_bytes);
}

/* Whether pkt continues the group being collected: it follows the last packet
 * without a gap, has the same duration and key flag, and the group stays within
 * the muxer's limits. */
static int continues_group(const NCMuxer *m, const NCPacket *pkt)
{
    int64_t n = m->group_len, d = m->group_duration;
    return n && n < NC_GROUP_MUX_PACKETS && pkt->duration == d &&
           (uint64_t)pkt->pts - (uint64_t)m->group_pts == (uint64_t)(n * d) &&
           !!(pkt->flags & NC_PKT_FLAG_KEY) == m->group_key &&
           pkt->size <= NC_GROUP_MUX_BYTES - m->group_bytes &&
           (n + 1) * d <= NC_GROUP_MUX_SECONDS * m->units_per_second;
}

/* Appends pkt to the classic stream: to the group being collected, or as a group. */
static int write_classic_packet(NCMuxer *m, const NCPacket *pkt)
{
    if (!continues_group(m, pkt)) NC_FORWARD_IF_ERROR(flush_group(m));
    int key = !!(pkt->flags & NC_PKT_FLAG_KEY);
    if (pkt->size > NC_GROUP_MUX_BYTES) { /* a large packet is a group of its own */
        uint32_t size = (uint32_t)pkt->size;
        return write_group(m, pkt->pts, (uint32_t)pkt->duration, key, &size, 1, pkt->data,
                           pkt->size);
    }
    if (!m->group_len) {
        if (!m->group && !(m->group = malloc(NC_GROUP_MUX_BYTES))) return NC_ENOMEM;
        m->group_bytes = 0;
        m->group_pts = pkt->pts;
        m->group_duration = (uint32_t)pkt->duration;
        m->group_key = key;
    }
    if (pkt->size) memcpy(m->group + m->group_bytes, pkt->data, pkt->size);
    m->group_bytes += pkt->size;
    m->group_sizes[m->group_len++] = (uint32_t)pkt->size;
    return 0;
}

/* Whether pkt keeps the held packets within what the muxer writes compact: one
 * packet, or a few small ones without gaps, of one duration but the last, all key
 * or none. */
static int continues_compact(const NCMuxer *m, const NCPacket *pkt)
{
    const NCICompactPackets *h = &m->held;
    return !h->count ||
           (h->count < NC_COMPACT_MUX_PACKETS && !!(pkt->flags & NC_PKT_FLAG_KEY) == h->key &&
            (uint64_t)pkt->pts == (uint64_t)m->last_pts + h->last_duration &&
            (h->count == 1 || h->last_duration == h->duration) &&
            (uint64_t)h->payload_size + pkt->size <= NC_COMPACT_MUX_BYTES);
}

static int hold_packet(NCMuxer *m, const NCPacket *pkt)
{
    NCICompactPackets *h = &m->held;
    if (pkt->size > m->held_cap - h->payload_size) {
        size_t cap = h->payload_size + pkt->size;
        uint8_t *grown = realloc(m->held_data, cap);
        if (!grown) return NC_ENOMEM;
        m->held_data = grown;
        m->held_cap = cap;
    }
    if (pkt->size) memcpy(m->held_data + h->payload_size, pkt->data, pkt->size);
    if (!h->count) {
        h->pts = pkt->pts;
        h->key = !!(pkt->flags & NC_PKT_FLAG_KEY);
    }
    h->duration = h->count ? h->last_duration : (uint32_t)pkt->duration;
    h->last_duration = (uint32_t)pkt->duration;
    h->sizes[h->count++] = (uint32_t)pkt->size;
    h->payload_size += (uint32_t)pkt->size;
    return 0;
}

/* The stream will not be compact: writes the classic header and the held packets. */
static int release_held(NCMuxer *m)
{
    NCICompactPackets *h = &m->held;
    m->header_written = 1;
    NC_FORWARD_IF_ERROR(write_header(m, &m->info));
    size_t offset = 0;
    for (uint32_t i = 0; i < h->count; i++) {
        NCPacket pkt = {.data = m->held_data + offset, .size = h->sizes[i],
                        .pts = h->pts + (int64_t)i * h->duration,
                        .duration = i + 1 < h->count ? h->duration : h->last_duration,
                        .flags = h->key ? NC_PKT_FLAG_KEY : 0};
        NC_FORWARD_IF_ERROR(write_classic_packet(m, &pkt));
        offset += h->sizes[i];
    }
    h->count = 0;
    return 0;
}

int nc_muxer_write_packet(NCMuxer *m, const NCPacket *pkt)
{
    NC_CHECK_ARG(m && pkt && (pkt->data || !pkt->size));
    NC_RETURN_ERROR_IF(pkt->size > NC_CONTAINER_MAX_PACKET, NC_ERANGE, m,
                       "packet of %zu bytes exceeds the container limit", pkt->size);
    NC_RETURN_ERROR_IF(pkt->duration < 0 || pkt->duration > UINT32_MAX, NC_ERANGE, m,
                       "packet duration %lld out of range", (long long)pkt->duration);
    NC_RETURN_ERROR_IF(pkt->pts < m->last_pts, NC_EINVAL, m, "packet pts goes backwards");
    NC_RETURN_ERROR_IF(m->failed, NC_EIO, m, "an earlier write failed");
    int ret = 0;
    if (!m->header_written && continues_compact(m, pkt)) ret = hold_packet(m, pkt);
    else if (!m->header_written) ret = release_held(m);
    if (ret >= 0 && m->header_written) ret = write_classic_packet(m, pkt);
    if (ret >= 0) m->last_pts = pkt->pts;
    return ret;
}

/* Writes the compact file: header with the packet table, payloads, payload CRC. */
static int write_compact(NCMuxer *m)
{
    uint8_t *header, crc[4];
    size_t size;
    NC_FORWARD_IF_ERROR(nci_compact_header_write(&m->info, &m->held, &header, &size));
    int ret = mux_write(m, header, size);
    free(header);
    if (ret < 0 || !m->held.count) return ret;
    nci_wl32(crc, nci_crc32(0, m->held_data, m->held.payload_size));
    NC_FORWARD_IF_ERROR(mux_write(m, m->held_data, m->held.payload_size));
    return mux_write(m, crc, 4);
}

static int write_index(NCMuxer *m)
{
    size_t size = NC_INDEX_FIXED + m->index_len * NC_INDEX_ENTRY_SIZE + 4 + NC_TRAILER_SIZE;
    uint8_t *b = malloc(size), *p = b;
    if (!b) return NC_ENOMEM;
    uint64_t index_offset = m->offset;
    memcpy(p, NC_INDEX_MARKER, 4), p += 4;
    nci_wl32(p, (uint32_t)m->index_len), p += 4;
    nci_wl64(p, m->packets), p += 8;
    nci_wl64(p, (uint64_t)m->duration), p += 8;
    for (size_t i = 0; i < m->index_len; i++) {
        nci_wl64(p, m->index[i].offset), p += 8;
        nci_wl64(p, (uint64_t)m->index[i].pts), p += 8;
        nci_wl64(p, m->index[i].number), p += 8;
    }
    nci_wl32(p, nci_crc32(0, b, (size_t)(p - b))), p += 4;
    nci_wl64(p, index_offset), p += 8;
    memcpy(p, NC_TRAILER_MAGIC, 8);
    int ret = mux_write(m, b, size);
    free(b);
    return ret;
}

static int finish(NCMuxer *m)
{
    if (!m->header_written) {
        NC_FORWARD_IF_ERROR(write_compact(m));
        return m->failed ? NC_EIO : 0;
    }
    NC_FORWARD_IF_ERROR(flush_group(m));
    if (!(m->flags & NC_MUX_NO_INDEX)) NC_FORWARD_IF_ERROR(write_index(m));
    return m->failed ? NC_EIO : 0;
}

static void free_muxer(NCMuxer *m)
{
    free(m->index);
    free(m->group);
    free(m->extradata);
    free(m->held_data);
    free(m->mem);
    free(m);
}

int nc_muxer_close(NCMuxer **mux)
{
    NC_CHECK_ARG(mux && *mux && (*mux)->out.file);
    NCMuxer *m = *mux;
    int ret = finish(m);
    if (ret >= 0) ret = nci_atomic_file_commit(&m->out);
    if (ret < 0) {
        nc_muxer_abort(mux);
        return ret;
    }
    free_muxer(m);
    *mux = NULL;
    return 0;
}

int nc_muxer_close_memory(NCMuxer **mux, uint8_t **data, size_t *size)
{
    NC_CHECK_ARG(mux && *mux && !(*mux)->out.file && data && size);
    NCMuxer *m = *mux;
    int ret = finish(m);
    if (ret < 0) {
        nc_muxer_abort(mux);
        return ret;
    }
    *data = m->mem;
    *size = m->mem_size;
    m->mem = NULL;
    free_muxer(m);
    *mux = NULL;
    return 0;
}

void nc_muxer_abort(NCMuxer **mux)
{
    if (!mux || !*mux) return;
    NCMuxer *m = *mux;
    nci_atomic_file_abort(&m->out);
    free_muxer(m);
    *mux = NULL;
}
