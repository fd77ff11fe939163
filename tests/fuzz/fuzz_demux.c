/* The .nc demuxer on arbitrary bytes: open, read every packet, seek, read again. */
#include <stddef.h>
#include <stdint.h>

#include "nc/container.h"
#include "nc/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nc_log_set_level(NC_LOG_QUIET);
    NCDemuxer *dmx = NULL;
    if (nc_demuxer_open_memory(&dmx, data, size) < 0) return 0;
    NCPacket pkt = {0};
    for (int pass = 0; pass < 2; pass++) {
        int ret;
        while ((ret = nc_demuxer_read_packet(dmx, &pkt)) != NC_EOF) {
            if (ret == 0) nc_packet_unref(&pkt);
            else if (ret != NC_ECRC && ret != NC_EINVALIDDATA && ret != NC_ETRUNCATED)
                __builtin_trap(); /* only damage errors are expected */
        }
        if (nc_demuxer_seek(dmx, pass ? INT64_MIN : 0) < 0) break;
    }
    nc_demuxer_close(&dmx);
    return 0;
}
