/* SHA-256 (FIPS 180-4). Written here so that libnc needs no crypto library for the
 * one hash that names a model's content. */
#ifndef NC_MODEL_SHA256_H
#define NC_MODEL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define NC_SHA256_SIZE 32

typedef struct NCSha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    uint8_t block[64];
    size_t fill; /* bytes waiting in block */
} NCSha256;

void nci_sha256_init(NCSha256 *s);
void nci_sha256_update(NCSha256 *s, const void *data, size_t size);
void nci_sha256_final(NCSha256 *s, uint8_t digest[NC_SHA256_SIZE]);
/* One call for a whole buffer. */
void nci_sha256(const void *data, size_t size, uint8_t digest[NC_SHA256_SIZE]);
/* Lower-case hex of a digest into out (65 bytes with the NUL). */
void nci_sha256_hex(const uint8_t digest[NC_SHA256_SIZE], char out[2 * NC_SHA256_SIZE + 1]);

#endif
