/* Prints what a .nc reader must see in a file, one line per fact, so that golden
 * files can be compared with their expected readings (*.expect). */
#include <stdio.h>

#include "libnc/model/sha256.h"
#include "nc/nc.h"

static void print_digest(const uint8_t *data, size_t size)
{
    uint8_t digest[NC_SHA256_SIZE];
    char hex[2 * NC_SHA256_SIZE + 1];
    nci_sha256(data, size, digest);
    nci_sha256_hex(digest, hex);
    printf("%.16s", hex);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.nc\n", argv[0]);
        return 2;
    }
    nc_log_set_level(NC_LOG_QUIET);
    NCDemuxer *dmx = NULL;
    int ret = nc_demuxer_open_file(&dmx, argv[1]);
    if (ret < 0) {
        printf("open: error %s\n", nc_strerror(ret));
        return 0;
    }
    const NCStreamInfo *s = nc_demuxer_stream_info(dmx);
    printf("version %d.%d%s codec %s media %s\n", s->version_major, s->version_minor,
           s->compact ? " compact" : "", s->codec_name, nc_media_type_name(s->media_type));
    printf("audio %d Hz x %d, picture %dx%d %s, time base %d/%d\n", s->sample_rate, s->channels,
           s->width, s->height, nc_pix_fmt_name(s->pix_fmt) ? nc_pix_fmt_name(s->pix_fmt) : "-",
           s->time_base.num, s->time_base.den);
    printf("extradata %zu bytes ", s->extradata_size);
    print_digest(s->extradata, s->extradata_size);
    printf("\nindex: %lld packets, duration %lld\n", (long long)nc_demuxer_packet_count(dmx),
           (long long)nc_demuxer_duration(dmx));
    NCPacket pkt = {0};
    while ((ret = nc_demuxer_read_packet(dmx, &pkt)) != NC_EOF) {
        long long i = (long long)nc_demuxer_packet_index(dmx);
        if (ret < 0) {
            printf("packet %lld: error %s\n", i, nc_strerror(ret));
            continue;
        }
        printf("packet %lld: size %zu pts %lld duration %lld flags %d payload ", i, pkt.size,
               (long long)pkt.pts, (long long)pkt.duration, pkt.flags);
        print_digest(pkt.data, pkt.size);
        printf("\n");
        nc_packet_unref(&pkt);
    }
    printf("end\n");
    nc_demuxer_close(&dmx);
    return 0;
}
