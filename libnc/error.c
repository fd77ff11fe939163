#include "nc/error.h"

const char *nc_strerror(int err)
{
    switch (err) {
    case NC_OK: return "success";
    case NC_EAGAIN: return "resource temporarily unavailable (send or receive more)";
    case NC_EOF: return "end of stream";
    case NC_EINVAL: return "invalid argument";
    case NC_ENOMEM: return "out of memory";
    case NC_EINVALIDDATA: return "invalid data found when processing input";
    case NC_ENOTSUP: return "not supported";
    case NC_ERANGE: return "value out of range";
    case NC_ENOOPT: return "no such option";
    case NC_EIO: return "input/output error";
    case NC_EMODEL: return "model missing, corrupt or mismatched";
    case NC_ENOSPC: return "buffer too small";
    case NC_ECRC: return "CRC mismatch";
    case NC_ETRUNCATED: return "truncated input";
    case NC_EEXIST: return "file exists";
    case NC_ENOCODEC: return "codec not found";
    case NC_EBUG: return "internal bug, please report";
    case NC_EINTR: return "interrupted";
    default: return "unknown error";
    }
}
