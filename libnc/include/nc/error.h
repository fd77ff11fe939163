/* Error codes. Every libnc function that can fail returns 0 (or a non-negative
 * count) on success and one of these negative codes on failure. The values are
 * part of the ABI and never change. */
#ifndef NC_ERROR_H
#define NC_ERROR_H

#include <stddef.h>
#include "nc/export.h"

enum NCError {
    NC_OK = 0,
    NC_EAGAIN = -1,       /* output not ready: send more input, or drain output first */
    NC_EOF = -2,          /* end of stream: the codec is drained, or input was flushed */
    NC_EINVAL = -3,       /* invalid argument or call in the wrong state */
    NC_ENOMEM = -4,       /* allocation failed */
    NC_EINVALIDDATA = -5, /* input data is malformed */
    NC_ENOTSUP = -6,      /* valid but unsupported (format, version, feature) */
    NC_ERANGE = -7,       /* value out of the allowed range */
    NC_ENOOPT = -8,       /* no option of that name */
    NC_EIO = -9,          /* read, write or file system error */
    NC_EMODEL = -10,      /* model missing, corrupt or not the one the stream needs */
    NC_ENOSPC = -11,      /* caller-supplied buffer too small */
    NC_ECRC = -12,        /* checksum mismatch */
    NC_ETRUNCATED = -13,  /* input ends early */
    NC_EEXIST = -14,      /* output exists and overwriting was not allowed */
    NC_ENOCODEC = -15,    /* no codec of that name */
    NC_EBUG = -16,        /* internal error: please report it */
    NC_EINTR = -17,       /* stopped by the caller's interrupt callback */
};

#ifdef __cplusplus
extern "C" {
#endif

/* A short English description of an error code; never NULL. */
NC_API const char *nc_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
