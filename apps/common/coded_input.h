/* A .nc input for the apps that read one: a file, or "-", standard input, which
 * is read whole first (the demuxer checks the index at the end of the stream). */
#ifndef NC_APPS_CODED_INPUT_H
#define NC_APPS_CODED_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "nc/container.h"

/* Opens *dmx on path. For "-" *piped receives the bytes the demuxer reads (free()
 * them after nc_demuxer_close(); NULL for a file) and *size their count. Errors are
 * logged (cli_fail() prints them) and returned as NC_E* codes. */
int coded_input_open(NCDemuxer **dmx, const char *path, uint8_t **piped, size_t *size);

#endif
