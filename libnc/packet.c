#include <stdlib.h>
#include <string.h>

#include "libnc/check.h"
#include "libnc/codec_internal.h"
#include "nc/packet.h"

NCPacket *nc_packet_alloc(void)
{
    NCPacket *pkt = calloc(1, sizeof(*pkt));
    if (pkt) nc_packet_unref(pkt);
    return pkt;
}

void nc_packet_free(NCPacket **pkt)
{
    if (!pkt || !*pkt) return;
    nc_packet_unref(*pkt);
    free(*pkt);
    *pkt = NULL;
}

void nc_packet_unref(NCPacket *pkt)
{
    if (!pkt) return;
    nc_buffer_unref(&pkt->buf);
    memset(pkt, 0, sizeof(*pkt));
}

int nc_packet_new(NCPacket *pkt, size_t size)
{
    NC_CHECK_ARG(pkt && !pkt->buf && !pkt->data);
    pkt->buf = nc_buffer_alloc(size);
    if (!pkt->buf) return NC_ENOMEM;
    pkt->data = nc_buffer_data(pkt->buf);
    pkt->size = size;
    return 0;
}

int nc_packet_from_data(NCPacket *pkt, const uint8_t *data, size_t size)
{
    NC_CHECK_ARG(data || !size);
    NC_FORWARD_IF_ERROR(nc_packet_new(pkt, size));
    if (size) memcpy(pkt->data, data, size);
    return 0;
}

int nci_packet_key(NCPacket *pkt, const uint8_t *data, size_t size, int64_t pts,
                   int64_t duration)
{
    int ret = nc_packet_from_data(pkt, data, size);
    if (ret < 0)
        return ret;
    pkt->pts = pts;
    pkt->duration = duration;
    pkt->flags = NC_PKT_FLAG_KEY;
    return 0;
}

int nc_packet_shrink(NCPacket *pkt, size_t size)
{
    NC_CHECK_ARG(pkt && size <= pkt->size);
    NC_CHECK_ARG(pkt->buf && nc_buffer_is_writable(pkt->buf));
    pkt->size = size;
    memset(pkt->data + size, 0, NC_INPUT_PADDING);
    return 0;
}

int nc_packet_ref(NCPacket *dst, const NCPacket *src)
{
    NC_CHECK_ARG(dst && src && dst != src && !dst->buf && !dst->data);
    if (src->buf) {
        *dst = *src;
        dst->buf = nc_buffer_ref(src->buf);
        return 0;
    }
    /* A packet over foreign memory: copy it into a refcounted, padded buffer. */
    NC_FORWARD_IF_ERROR(nc_packet_from_data(dst, src->data, src->size));
    dst->pts = src->pts;
    dst->duration = src->duration;
    dst->flags = src->flags;
    return 0;
}

void nc_packet_move_ref(NCPacket *dst, NCPacket *src)
{
    if (!dst || !src || dst == src) return;
    nc_packet_unref(dst);
    *dst = *src;
    memset(src, 0, sizeof(*src));
}
