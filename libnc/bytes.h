/* Little-endian reads and writes of fixed-width integers, and the big-endian
 * read some foreign formats need. Internal. */
#ifndef NC_BYTES_H
#define NC_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t nci_rl16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t nci_rl32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t nci_rl64(const uint8_t *p)
{
    return (uint64_t)nci_rl32(p) | (uint64_t)nci_rl32(p + 4) << 32;
}

static inline uint32_t nci_rb32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void nci_wl16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void nci_wl32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline void nci_wl64(uint8_t *p, uint64_t v)
{
    nci_wl32(p, (uint32_t)v);
    nci_wl32(p + 4, (uint32_t)(v >> 32));
}

/* Unsigned LEB128: 7 bits a byte, low bits first, bit 7 set on all but the last
 * byte. Writes v at p (at most 10 bytes) and returns the bytes written. */
static inline size_t nci_put_leb128(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) p[n++] = (uint8_t)(v | 0x80), v >>= 7;
    p[n++] = (uint8_t)v;
    return n;
}

/* Reads an unsigned LEB128 of at most max_bytes bytes (<= 10) from *p, never past
 * end, and advances *p. 0, or -1 when it runs past end or is longer. */
static inline int nci_get_leb128(const uint8_t **p, const uint8_t *end, int max_bytes,
                                 uint64_t *v)
{
    uint64_t x = 0;
    for (int k = 0; k < max_bytes && *p < end; k++) {
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7F) << (7 * k);
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

#endif
