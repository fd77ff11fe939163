/* .nc muxer: header, packets, key-packet index, atomic file output. */
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
};

static int mux_write(NCMuxer *m, const void *data, size_t size)
{
    if (m->failed) return NC_EIO;
    if (m->out.file) {
        if (size && fwrite(data, 1, size, m->out.file) != size) {
            nc_log(m, NC_LOG_ERROR, "%s: write failed", m->out.target);
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
        memcpy(m->mem + m->mem_size, data, size);
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
    nc_wl16(p, NC_CONTAINER_VERSION_MAJOR), p += 2;
    nc_wl16(p, NC_CONTAINER_VERSION_MINOR), p += 2;
    nc_wl32(p, (uint32_t)body), p += 4;
    *p++ = (uint8_t)s->media_type;
    *p++ = (uint8_t)name_len;
    memcpy(p, s->codec_name, name_len), p += name_len;
    nc_wl32(p, (uint32_t)s->sample_rate), p += 4;
    nc_wl16(p, (uint16_t)s->channels), p += 2;
    nc_wl32(p, (uint32_t)s->width), p += 4;
    nc_wl32(p, (uint32_t)s->height), p += 4;
    *p++ = (uint8_t)s->pix_fmt;
    nc_wl32(p, (uint32_t)s->time_base.num), p += 4;
    nc_wl32(p, (uint32_t)s->time_base.den), p += 4;
    nc_wl32(p, (uint32_t)s->extradata_size), p += 4;
    if (s->extradata_size) memcpy(p, s->extradata, s->extradata_size), p += s->extradata_size;
    nc_wl32(p, nc_crc32(0, h, total - 4));
    int ret = mux_write(m, h, total);
    free(h);
    return ret;
}

static int mux_start(NCMuxer *m, const NCStreamInfo *info)
{
    m->last_pts = INT64_MIN;
    NC_FORWARD_IF_ERROR(nc_stream_info_check(info, m, m->out.target ? m->out.target : "stream"));
    return write_header(m, info);
}

int nc_muxer_open_memory(NCMuxer **mux, const NCStreamInfo *info, unsigned flags)
{
    NC_CHECK_ARG(mux && info);
    *mux = NULL;
    NCMuxer *m = calloc(1, sizeof(*m));
    if (!m) return NC_ENOMEM;
    m->flags = flags;
    int ret = mux_start(m, info);
    if (ret < 0) {
        nc_muxer_abort(&m);
        return ret;
    }
    *mux = m;
    return 0;
}

int nc_muxer_open_file(NCMuxer **mux, const char *path, const NCStreamInfo *info, unsigned flags)
{
    NC_CHECK_ARG(mux && path && *path && info);
    *mux = NULL;
    NCMuxer *m = calloc(1, sizeof(*m));
    if (!m) return NC_ENOMEM;
    m->flags = flags;
    int ret = nc_atomic_file_open(&m->out, path, !!(flags & NC_MUX_OVERWRITE));
    if (ret >= 0) ret = mux_start(m, info);
    if (ret < 0) {
        nc_muxer_abort(&m);
        return ret;
    }
    *mux = m;
    return 0;
}

static int remember_key_packet(NCMuxer *m, int64_t pts)
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

int nc_muxer_write_packet(NCMuxer *m, const NCPacket *pkt)
{
    NC_CHECK_ARG(m && pkt && (pkt->data || !pkt->size));
    NC_RETURN_ERROR_IF(pkt->size > NC_CONTAINER_MAX_PACKET, NC_ERANGE, m,
                       "packet of %zu bytes exceeds the container limit", pkt->size);
    NC_RETURN_ERROR_IF(pkt->duration < 0 || pkt->duration > UINT32_MAX, NC_ERANGE, m,
                       "packet duration %lld out of range", (long long)pkt->duration);
    NC_RETURN_ERROR_IF(pkt->pts < m->last_pts, NC_EINVAL, m, "packet pts goes backwards");
    NC_RETURN_ERROR_IF(m->failed, NC_EIO, m, "an earlier write failed");
    if ((pkt->flags & NC_PKT_FLAG_KEY) && !(m->flags & NC_MUX_NO_INDEX))
        NC_FORWARD_IF_ERROR(remember_key_packet(m, pkt->pts));
    uint8_t h[NC_PACKET_HEADER_SIZE];
    memcpy(h, NC_PACKET_MARKER, 4);
    nc_wl32(h + 4, (uint32_t)pkt->size);
    nc_wl64(h + 8, (uint64_t)pkt->pts);
    nc_wl32(h + 16, (uint32_t)pkt->duration);
    nc_wl32(h + 20, (uint32_t)(pkt->flags & NC_PKT_FLAG_KEY));
    nc_wl32(h + 24, nc_crc32(0, pkt->data, pkt->size));
    nc_wl32(h + 28, nc_crc32(0, h, 28));
    NC_FORWARD_IF_ERROR(mux_write(m, h, sizeof(h)));
    NC_FORWARD_IF_ERROR(mux_write(m, pkt->data, pkt->size));
    m->packets++;
    m->duration += pkt->duration;
    m->last_pts = pkt->pts;
    return 0;
}

static int write_index(NCMuxer *m)
{
    size_t size = NC_INDEX_FIXED + m->index_len * NC_INDEX_ENTRY_SIZE + 4 + NC_TRAILER_SIZE;
    uint8_t *b = malloc(size), *p = b;
    if (!b) return NC_ENOMEM;
    uint64_t index_offset = m->offset;
    memcpy(p, NC_INDEX_MARKER, 4), p += 4;
    nc_wl32(p, (uint32_t)m->index_len), p += 4;
    nc_wl64(p, m->packets), p += 8;
    nc_wl64(p, (uint64_t)m->duration), p += 8;
    for (size_t i = 0; i < m->index_len; i++) {
        nc_wl64(p, m->index[i].offset), p += 8;
        nc_wl64(p, (uint64_t)m->index[i].pts), p += 8;
        nc_wl64(p, m->index[i].number), p += 8;
    }
    nc_wl32(p, nc_crc32(0, b, (size_t)(p - b))), p += 4;
    nc_wl64(p, index_offset), p += 8;
    memcpy(p, NC_TRAILER_MAGIC, 8);
    int ret = mux_write(m, b, size);
    free(b);
    return ret;
}

static int finish(NCMuxer *m)
{
    if (!(m->flags & NC_MUX_NO_INDEX)) NC_FORWARD_IF_ERROR(write_index(m));
    return m->failed ? NC_EIO : 0;
}

static void free_muxer(NCMuxer *m)
{
    free(m->index);
    free(m->mem);
    free(m);
}

int nc_muxer_close(NCMuxer **mux)
{
    NC_CHECK_ARG(mux && *mux && (*mux)->out.file);
    NCMuxer *m = *mux;
    int ret = finish(m);
    if (ret >= 0) ret = nc_atomic_file_commit(&m->out);
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
    nc_atomic_file_abort(&m->out);
    free_muxer(m);
    *mux = NULL;
}
