#include "libnc/crc32.h"

/* A byte-at-a-time table built from the polynomial: small, and fast enough for
 * container framing, which is never the bottleneck next to a neural codec. */
static const uint32_t *crc_table(void)
{
    static uint32_t table[256];
    static int ready; /* same values from every thread, so a race is harmless */
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    return table;
}

uint32_t nc_crc32(uint32_t crc, const uint8_t *data, size_t size)
{
    const uint32_t *t = crc_table();
    crc = ~crc;
    for (size_t i = 0; i < size; i++) crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
