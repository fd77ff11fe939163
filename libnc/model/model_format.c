#include <string.h>

#include "libnc/model/model_format.h"

int ncm_dtype_size(int dtype)
{
    switch (dtype) {
    case NC_MODEL_F32: return 4;
    case NC_MODEL_F16: return 2;
    case NC_MODEL_I8: return 1;
    case NC_MODEL_I16: return 2;
    case NC_MODEL_I32: return 4;
    default: return 0;
    }
}

uint64_t ncm_payload_size(int dtype, int64_t numel, int64_t rows)
{
    uint64_t n = (uint64_t)numel * (uint64_t)ncm_dtype_size(dtype);
    if (dtype == NC_MODEL_I8)
        n += ncm_align((uint64_t)rows * 4);
    return n;
}

static int host_is_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 0;
}

static void swap_elements(uint8_t *p, uint64_t count, int width)
{
    for (uint64_t i = 0; i < count; i++, p += width)
        for (int a = 0, b = width - 1; a < b; a++, b--) {
            uint8_t t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

void ncm_payload_byte_order(uint8_t *payload, int dtype, int64_t numel, int64_t rows)
{
    if (!host_is_big_endian())
        return;
    if (dtype == NC_MODEL_I8)
        swap_elements(payload, (uint64_t)rows, 4); /* the f32 scales; int8 needs nothing */
    else
        swap_elements(payload, (uint64_t)numel, ncm_dtype_size(dtype));
}

int ncm_valid_id(const char *s, size_t len, size_t max)
{
    if (len < 1 || len > max)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int ncm_valid_name(const char *s, size_t len)
{
    if (len < 1 || len > NCM_MAX_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return 0;
    return 1;
}

uint16_t ncm_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t exp = (x >> 23) & 0xff;
    uint32_t man = x & 0x7fffff;
    if (exp == 0xff) /* inf, nan (keep a quiet nan) */
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31)
        return (uint16_t)(sign | 0x7c00);
    if (e <= 0) {
        /* subnormal half (or zero): shift the full mantissa, round to nearest even */
        if (e < -10)
            return (uint16_t)sign;
        man |= 0x800000;
        int shift = 14 - e;
        uint32_t h = man >> shift;
        uint32_t rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1)))
            h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = (uint32_t)e << 10 | man >> 13;
    uint32_t rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++; /* may carry into the exponent, up to inf: that is the right rounding */
    return (uint16_t)(sign | h);
}

float ncm_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t x;
    if (exp == 0x1f) {
        x = sign | 0x7f800000 | man << 13;
    } else if (exp) {
        x = sign | (exp + 112) << 23 | man << 13;
    } else if (man) {
        int e = 113;
        while (!(man & 0x400)) {
            man <<= 1;
            e--;
        }
        x = sign | (uint32_t)e << 23 | (man & 0x3ff) << 13;
    } else {
        x = sign;
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}
