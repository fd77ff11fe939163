#include "libnc/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bytes of the printable UTF-8 character at s (n > 0 bytes left), 0 if s does not
 * start one. */
static size_t printable_char(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    if (c < 0x80) return c >= 0x20 && c != 0x7f;
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!len || len > n) return 0;
    uint32_t cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t shortest[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < shortest[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    if (cp >= 0x80 && cp <= 0x9f) return 0; /* C1 controls: 0x9b is CSI on some terminals */
    return len;
}

int nc_text_is_printable(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < len;) {
        size_t n = printable_char(p + i, len - i);
        if (!n) return 0;
        i += n;
    }
    return 1;
}

char *nc_text_escape(char *out, size_t size, const char *in)
{
    const uint8_t *p = (const uint8_t *)in;
    size_t left = strlen(in), o = 0;
    while (left) {
        size_t n = *p == '\\' ? 0 : printable_char(p, left);
        char esc[5];
        const char *piece = (const char *)p;
        size_t piece_len = n;
        if (!n) {
            if (*p == '\\') memcpy(esc, "\\\\", 3);
            else snprintf(esc, sizeof(esc), "\\x%02x", *p);
            piece = esc;
            piece_len = strlen(esc);
            n = 1;
        }
        if (o + piece_len >= size) break;
        memcpy(out + o, piece, piece_len);
        o += piece_len;
        p += n;
        left -= n;
    }
    out[o] = 0;
    return out;
}
