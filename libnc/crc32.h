/* CRC-32 (IEEE 802.3 polynomial, reflected, as in zlib and PNG). Internal. */
#ifndef NC_CRC32_H
#define NC_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues crc (start with 0) over size bytes. */
uint32_t nci_crc32(uint32_t crc, const uint8_t *data, size_t size);

#endif
