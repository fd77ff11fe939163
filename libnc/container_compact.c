/* The compact profile's header (conformance/spec/container.md, "Compact profile"):
 * LEB128 fields, a codec number from the table below instead of its name, and the
 * packet table that replaces record headers and the index. */
#include <stdlib.h>
#include <string.h>

#include "libnc/bounds.h"
#include "libnc/bytes.h"
#include "libnc/check.h"
#include "libnc/container_format.h"
#include "libnc/crc32.h"

/* Codec numbers of the compact header; 0 means the name follows. Append only. */
static const char *const codec_numbers[] = {NULL, "rvqspeech", "pclossless", "pclossless_bytes",
                                            "lmtext", "walloc"};
#define CODEC_NUMBERS (sizeof(codec_numbers) / sizeof(codec_numbers[0]))

#define MEDIA_TIME_BASE 0x40 /* the time base is written out */
_Static_assert(NC_MAX_CHANNELS <= 8, "channels - 1 fill the media byte's 3 bits");

static int default_time_base(const NCStreamInfo *s)
{
    return s->time_base.num == 1 &&
           s->time_base.den == (s->media_type == NC_MEDIA_AUDIO ? s->sample_rate : 1);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

int nci_compact_header_write(const NCStreamInfo *s, const NCICompactPackets *p, uint8_t **out,
                             size_t *size)
{
    size_t cap = 128 + s->extradata_size + 5 * (size_t)p->count;
    uint8_t *b = malloc(cap), *q = b;
    if (!b) return NC_ENOMEM;
    memcpy(q, NC_COMPACT_MAGIC, NC_COMPACT_MAGIC_SIZE), q += NC_COMPACT_MAGIC_SIZE;
    size_t number = 1;
    while (number < CODEC_NUMBERS && strcmp(codec_numbers[number], s->codec_name)) number++;
    if (number < CODEC_NUMBERS) {
        *q++ = (uint8_t)number;
    } else {
        size_t n = strlen(s->codec_name);
        *q++ = 0;
        *q++ = (uint8_t)n;
        memcpy(q, s->codec_name, n), q += n;
    }
    int audio = s->media_type == NC_MEDIA_AUDIO;
    unsigned param = audio ? (unsigned)s->channels - 1 : (unsigned)s->pix_fmt;
    *q++ = (uint8_t)((unsigned)s->media_type | param << 3 |
                     (default_time_base(s) ? 0 : MEDIA_TIME_BASE));
    if (audio) q += nci_put_leb128(q, (uint64_t)s->sample_rate);
    if (s->media_type == NC_MEDIA_VIDEO || s->media_type == NC_MEDIA_IMAGE) {
        q += nci_put_leb128(q, (uint64_t)s->width);
        q += nci_put_leb128(q, (uint64_t)s->height);
    }
    if (!default_time_base(s)) {
        q += nci_put_leb128(q, (uint64_t)s->time_base.num);
        q += nci_put_leb128(q, (uint64_t)s->time_base.den);
    }
    q += nci_put_leb128(q, s->extradata_size);
    if (s->extradata_size) memcpy(q, s->extradata, s->extradata_size), q += s->extradata_size;
    int key = p->count && p->key, pts = p->count && p->pts;
    q += nci_put_leb128(q, (uint64_t)p->count << 2 | (unsigned)key << 1 | (unsigned)pts);
    if (p->count) {
        if (pts) q += nci_put_leb128(q, zigzag(p->pts));
        if (p->count > 1) q += nci_put_leb128(q, p->duration);
        q += nci_put_leb128(q, p->last_duration);
        for (uint32_t i = 0; i + 1 < p->count; i++) q += nci_put_leb128(q, p->sizes[i]);
        q += nci_put_leb128(q, p->payload_size);
    }
    nci_wl32(q, nci_crc32(0, b, (size_t)(q - b))), q += 4;
    *out = b;
    *size = (size_t)(q - b);
    return 0;
}

/* Reads a LEB128 field of at most max into *v; 0, or -1 (damaged). */
static int field(const uint8_t **q, const uint8_t *end, uint64_t max, uint64_t *v)
{
    return nci_get_leb128(q, end, 10, v) < 0 || *v > max ? -1 : 0;
}

/* The media byte and the fields it announces. */
static int parse_media(const uint8_t **q, const uint8_t *end, NCStreamInfo *s)
{
    if (*q == end) return -1;
    unsigned m = *(*q)++, param = m >> 3 & 7;
    uint64_t a, b;
    if (m & 0x80) return -1;
    s->media_type = (enum NCMediaType)(m & 7);
    if (s->media_type == NC_MEDIA_AUDIO) {
        if (field(q, end, NC_MAX_SAMPLE_RATE, &a) < 0) return -1;
        s->sample_rate = (int)a;
        s->channels = (int)param + 1;
    } else if (s->media_type == NC_MEDIA_VIDEO || s->media_type == NC_MEDIA_IMAGE) {
        if (field(q, end, NC_MAX_DIMENSION, &a) < 0 || field(q, end, NC_MAX_DIMENSION, &b) < 0)
            return -1;
        s->width = (int)a, s->height = (int)b;
        s->pix_fmt = (enum NCPixelFormat)param;
    } else if (param) {
        return -1;
    }
    s->time_base = (NCRational){1, s->media_type == NC_MEDIA_AUDIO ? s->sample_rate : 1};
    if (m & MEDIA_TIME_BASE) {
        if (field(q, end, INT32_MAX, &a) < 0 || field(q, end, INT32_MAX, &b) < 0) return -1;
        s->time_base = (NCRational){(int)a, (int)b};
    }
    return 0;
}

/* The packet table: count, key flag and whether a pts follows (0 when not), pts,
 * durations, sizes, payload size. */
static int parse_packets(const uint8_t **q, const uint8_t *end, NCICompactPackets *p)
{
    uint64_t v, d = 0, last, total;
    if (field(q, end, (uint64_t)NC_COMPACT_MAX_PACKETS << 2 | 3, &v) < 0) return -1;
    p->count = (uint32_t)(v >> 2);
    p->key = (int)(v >> 1 & 1);
    if (!p->count) return v ? -1 : 0;
    p->pts = 0;
    if (v & 1) {
        uint64_t z;
        if (field(q, end, UINT64_MAX, &z) < 0) return -1;
        p->pts = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
    }
    if ((p->count > 1 && field(q, end, UINT32_MAX, &d) < 0) || field(q, end, UINT32_MAX, &last) < 0)
        return -1;
    if (d && (uint64_t)(p->count - 1) * d > (uint64_t)(INT64_MAX - (p->pts > 0 ? p->pts : 0)))
        return -1; /* the last packet's pts must fit */
    p->duration = (uint32_t)(p->count > 1 ? d : last);
    p->last_duration = (uint32_t)last;
    p->sizes = malloc(sizeof(uint32_t) * p->count);
    if (!p->sizes) return NC_ENOMEM;
    uint64_t sum = 0;
    for (uint32_t i = 0; i + 1 < p->count; i++) {
        if (field(q, end, NC_CONTAINER_MAX_PACKET, &v) < 0) return -1;
        p->sizes[i] = (uint32_t)v;
        sum += v;
    }
    if (field(q, end, NC_CONTAINER_MAX_PACKET, &total) < 0 || sum > total) return -1;
    p->sizes[p->count - 1] = (uint32_t)(total - sum);
    p->payload_size = (uint32_t)total;
    return 0;
}

int nci_compact_header_parse(const void *log_ctx, const uint8_t *b, size_t avail,
                             NCStreamInfo *s, uint8_t **extradata, NCICompactPackets *p,
                             size_t *size)
{
    const uint8_t *q = b + NC_COMPACT_MAGIC_SIZE, *end = b + avail;
    uint64_t e;
    int ret = -1;
    if (q < end && *q) {
        unsigned number = *q++;
        if (number < CODEC_NUMBERS) strcpy(s->codec_name, codec_numbers[number]), ret = 0;
    } else if (end - q >= 2 && q[1] >= 1 && q[1] <= 31 && end - q - 2 >= q[1]) {
        memcpy(s->codec_name, q + 2, q[1]);
        s->codec_name[q[1]] = 0;
        q += 2 + q[1];
        ret = 0;
    }
    if (ret == 0) ret = parse_media(&q, end, s);
    if (ret == 0) ret = field(&q, end, NC_MAX_EXTRADATA, &e) < 0 || e > (size_t)(end - q) ? -1 : 0;
    if (ret == 0) {
        *extradata = calloc(1, (size_t)e + NC_INPUT_PADDING);
        if (!*extradata) return NC_ENOMEM;
        memcpy(*extradata, q, (size_t)e);
        s->extradata = *extradata;
        s->extradata_size = (size_t)e;
        q += e;
        ret = parse_packets(&q, end, p);
    }
    if (ret == NC_ENOMEM) return ret;
    NC_RETURN_ERROR_IF(ret < 0 || end - q < 4, NC_EINVALIDDATA, log_ctx,
                       "compact header is damaged or truncated");
    NC_RETURN_ERROR_IF(nci_crc32(0, b, (size_t)(q - b)) != nci_rl32(q), NC_EINVALIDDATA, log_ctx,
                       "header: CRC mismatch");
    *size = (size_t)(q - b) + 4;
    return nci_stream_info_check(s, log_ctx, "header");
}
