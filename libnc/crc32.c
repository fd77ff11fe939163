#include <pthread.h>

#include "libnc/crc32.h"

/* A byte-at-a-time table built from the polynomial once: small, and fast enough
 * for container framing, which is never the bottleneck next to a neural codec. */
static uint32_t crc_table[256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void build_crc_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t nci_crc32(uint32_t crc, const uint8_t *data, size_t size)
{
    pthread_once(&crc_table_once, build_crc_table);
    crc = ~crc;
    for (size_t i = 0; i < size; i++) crc = crc_table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
