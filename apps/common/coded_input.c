#include "apps/common/coded_input.h"

#include <stdio.h>
#include <stdlib.h>

#include "apps/common/output_file.h"
#include "nc/error.h"
#include "nc/log.h"

/* Beyond this a stream must come as a file: a pipe is held in memory. */
#define MAX_PIPED_BYTES ((uint64_t)1 << 32)

static int read_stdin(uint8_t **out, size_t *out_size)
{
    size_t size = 0, cap = 1 << 16;
    uint8_t *data = malloc(cap);
    for (;;) {
        if (!data) return NC_ENOMEM;
        *out = data;
        size_t n = fread(data + size, 1, cap - size, stdin);
        size += n;
        if (n == 0) break;
        if (size == cap) {
            if ((uint64_t)cap >= MAX_PIPED_BYTES || cap > SIZE_MAX / 2) {
                nc_log(NULL, NC_LOG_ERROR, "more than %llu bytes on standard input; give it as a file",
                       (unsigned long long)cap);
                return NC_EINVAL;
            }
            cap *= 2;
            data = realloc(*out, cap);
        }
    }
    *out_size = size;
    if (ferror(stdin)) {
        nc_log(NULL, NC_LOG_ERROR, "cannot read standard input");
        return NC_EIO;
    }
    return 0;
}

int coded_input_open(NCDemuxer **dmx, const char *path, uint8_t **piped, size_t *size)
{
    *dmx = NULL;
    *piped = NULL;
    *size = 0;
    if (!output_is_stdio(path)) return nc_demuxer_open_file(dmx, path);
    int ret = read_stdin(piped, size);
    return ret < 0 ? ret : nc_demuxer_open_memory(dmx, *piped, *size);
}
