/* Text from outside (model hyper-parameters, file names, stream fields) on its way
 * to a terminal or a log: valid UTF-8 without control characters passes, anything
 * else is refused (on load) or escaped (when printed), so no byte sequence read
 * from a file can drive the terminal. Internal. */
#ifndef NC_TEXT_H
#define NC_TEXT_H

#include <stddef.h>

/* 1 if s[0 .. len) is valid UTF-8 (shortest forms, no surrogates) holding no
 * control character (C0, DEL, C1), else 0. */
int nc_text_is_printable(const char *s, size_t len);

/* Copies the NUL-terminated in to out (size >= 1; always NUL-terminated, cut
 * if too long), with every byte that is not part of a printable UTF-8 character
 * written as \xNN and a backslash as \\. Returns out. */
char *nc_text_escape(char *out, size_t size, const char *in);

#endif
