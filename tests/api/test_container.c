/* The .nc container: round trip, atomic files, and every kind of damage. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libnc/bytes.h"
#include "libnc/crc32.h"
#include "nc/nc.h"
#include "tests/api/test_codec.h"
#include "tests/test.h"

#define NPKT 6
/* Bytes before the payload of a record holding one packet (a version 2 group of
 * one: header, empty sizes table). */
#define REC 33

static const uint8_t extradata[] = {'T', 'S', 'T', '1', 2};

static NCStreamInfo sample_info(void)
{
    NCStreamInfo info = {0};
    strcpy(info.codec_name, "test_bytes");
    info.media_type = NC_MEDIA_BYTES;
    info.time_base = (NCRational){1, 1000};
    info.extradata = extradata;
    info.extradata_size = sizeof(extradata);
    return info;
}

/* Packet i: i*7 bytes of a pattern (packet 0 is empty), pts 10*i, every
 * other packet a key packet. */
static void sample_packet(NCPacket *pkt, int i)
{
    CHECK_EQ(nc_packet_new(pkt, (size_t)i * 7), 0);
    for (size_t k = 0; k < pkt->size; k++) pkt->data[k] = (uint8_t)(i * 31 + k * 7);
    pkt->pts = 10 * i;
    pkt->duration = 10;
    pkt->flags = i % 2 == 0 ? NC_PKT_FLAG_KEY : 0;
}

/* Whether pkt equals the packet make(&want, i) makes. */
static int packet_equals(const NCPacket *pkt, void (*make)(NCPacket *, int), int i)
{
    NCPacket want = {0};
    make(&want, i);
    int same = pkt->size == want.size && (!pkt->size || !memcmp(pkt->data, want.data, pkt->size)) &&
               pkt->pts == want.pts && pkt->duration == want.duration && pkt->flags == want.flags;
    nc_packet_unref(&want);
    return same;
}

static int packet_matches(const NCPacket *pkt, int i)
{
    return packet_equals(pkt, sample_packet, i);
}

static void write_sample(uint8_t **data, size_t *size, unsigned flags)
{
    NCMuxer *mux = NULL;
    NCStreamInfo info = sample_info();
    CHECK_EQ(nc_muxer_open_memory(&mux, &info, flags), 0);
    for (int i = 0; i < NPKT; i++) {
        NCPacket pkt = {0};
        sample_packet(&pkt, i);
        CHECK_EQ(nc_muxer_write_packet(mux, &pkt), 0);
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(nc_muxer_close_memory(&mux, data, size), 0);
    CHECK(mux == NULL);
}

static void test_round_trip(void)
{
    uint8_t *data;
    size_t size;
    write_sample(&data, &size, 0);
    NCDemuxer *dmx = NULL;
    CHECK_EQ(nc_demuxer_open_memory(&dmx, data, size), 0);
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    CHECK(!strcmp(info->codec_name, "test_bytes"));
    CHECK_EQ(info->media_type, NC_MEDIA_BYTES);
    CHECK_EQ(info->time_base.den, 1000);
    CHECK(info->extradata_size == sizeof(extradata) &&
          !memcmp(info->extradata, extradata, sizeof(extradata)));
    CHECK_EQ(info->version_major, NC_CONTAINER_VERSION_MAJOR);
    CHECK_EQ(nc_demuxer_packet_count(dmx), NPKT);
    CHECK_EQ(nc_demuxer_duration(dmx), 10 * NPKT);
    NCPacket pkt = {0};
    for (int i = 0; i < NPKT; i++) {
        CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
        CHECK(packet_matches(&pkt, i));
        CHECK_EQ(nc_demuxer_packet_index(dmx), i);
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), NC_EOF);
    CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), NC_EOF);
    /* Seek to pts 35: the last key packet at or before it is packet 2. */
    CHECK_EQ(nc_demuxer_seek(dmx, 35), 0);
    CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
    CHECK(packet_matches(&pkt, 2));
    CHECK_EQ(nc_demuxer_packet_index(dmx), 2);
    nc_packet_unref(&pkt);
    nc_demuxer_close(&dmx);
    CHECK(dmx == NULL);
    free(data);

    /* Without an index: same packets, no counts, no seeking. */
    write_sample(&data, &size, NC_MUX_NO_INDEX);
    CHECK_EQ(nc_demuxer_open_memory(&dmx, data, size), 0);
    CHECK_EQ(nc_demuxer_packet_count(dmx), -1);
    CHECK_EQ(nc_demuxer_seek(dmx, 0), NC_ENOTSUP);
    int n = 0;
    while (nc_demuxer_read_packet(dmx, &pkt) == 0) {
        CHECK(packet_matches(&pkt, n++));
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(n, NPKT);
    nc_demuxer_close(&dmx);
    free(data);
}

static void test_context_round_trip(void)
{
    NCCodecContext *enc = nc_codec_alloc_context(&test_bytes_encoder.p);
    CHECK_EQ(nc_codec_open(enc), 0);
    NCStreamInfo info;
    CHECK_EQ(nc_stream_info_from_context(&info, enc), 0);
    NCCodecContext *dec = nc_codec_alloc_context(&test_bytes_decoder.p);
    CHECK_EQ(nc_stream_info_to_context(&info, dec), 0);
    CHECK_EQ(nc_codec_open(dec), 0);
    NCCodecContext *audio = nc_codec_alloc_context(&test_audio_encoder.p);
    CHECK_EQ(nc_stream_info_to_context(&info, audio), NC_EINVAL); /* another codec */
    nc_codec_free_context(&audio);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
}

static int count_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

static void test_atomic_files(void)
{
    char dir[] = "/tmp/nc-container-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof(path), "%s/out.nc", dir);
    NCStreamInfo info = sample_info();
    NCMuxer *mux = NULL;
    CHECK_EQ(nc_muxer_open_file(&mux, path, &info, 0), 0);
    NCPacket pkt = {0};
    sample_packet(&pkt, 3);
    CHECK_EQ(nc_muxer_write_packet(mux, &pkt), 0);
    struct stat st;
    CHECK(stat(path, &st) != 0); /* nothing at the target until close */
    CHECK_EQ(nc_muxer_close(&mux), 0);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
    CHECK_EQ(count_dir_entries(dir), 1); /* no temporary left behind */

    /* No overwrite without the flag; the old file is intact. */
    CHECK_EQ(nc_muxer_open_file(&mux, path, &info, 0), NC_EEXIST);
    CHECK(mux == NULL);
    /* An abandoned output leaves the target as it was. */
    CHECK_EQ(nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE), 0);
    nc_muxer_abort(&mux);
    CHECK(mux == NULL);
    CHECK_EQ(count_dir_entries(dir), 1);
    NCDemuxer *dmx = NULL;
    CHECK_EQ(nc_demuxer_open_file(&dmx, path), 0);
    NCPacket got = {0};
    CHECK_EQ(nc_demuxer_read_packet(dmx, &got), 0);
    CHECK(packet_matches(&got, 3));
    nc_packet_unref(&got);
    nc_demuxer_close(&dmx);
    /* Overwrite with the flag. */
    CHECK_EQ(nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE), 0);
    CHECK_EQ(nc_muxer_close(&mux), 0);
    CHECK_EQ(nc_demuxer_open_file(&dmx, path), 0);
    CHECK_EQ(nc_demuxer_read_packet(dmx, &got), NC_EOF);
    nc_demuxer_close(&dmx);

    /* Bad arguments and unwritable places. */
    CHECK_EQ(nc_muxer_open_file(&mux, "/nonexistent-dir/x.nc", &info, 0), NC_EIO);
    CHECK_EQ(nc_demuxer_open_file(&dmx, "/nonexistent-dir/x.nc"), NC_EIO);
    CHECK_EQ(nc_muxer_open_file(&mux, NULL, &info, 0), NC_EINVAL);
    CHECK_EQ(nc_demuxer_open_memory(NULL, NULL, 0), NC_EINVAL);
    NCStreamInfo bad = info;
    strcpy(bad.codec_name, "Bad Name");
    CHECK_EQ(nc_muxer_open_memory(&mux, &bad, 0), NC_EINVALIDDATA);
    bad = info;
    bad.media_type = NC_MEDIA_AUDIO; /* no sample rate */
    CHECK_EQ(nc_muxer_open_memory(&mux, &bad, 0), NC_EINVALIDDATA);
    CHECK_EQ(nc_muxer_open_memory(&mux, &info, 0), 0);
    sample_packet(&got, 2);
    CHECK_EQ(nc_muxer_write_packet(mux, &got), 0);
    got.pts = 0; /* backwards */
    CHECK_EQ(nc_muxer_write_packet(mux, &got), NC_EINVAL);
    nc_packet_unref(&got);
    nc_muxer_abort(&mux);

    unlink(path);
    rmdir(dir);
    nc_packet_unref(&pkt);
}

/* Reads a damaged file to the end. Every packet it returns must be one of the
 * originals at its own index; returns how many were returned intact. */
static int read_damaged(const uint8_t *data, size_t size, int *errors)
{
    NCDemuxer *dmx = NULL;
    *errors = 0;
    if (nc_demuxer_open_memory(&dmx, data, size) < 0) return -1;
    int good = 0, ret, calls = 0;
    NCPacket pkt = {0};
    while ((ret = nc_demuxer_read_packet(dmx, &pkt)) != NC_EOF && calls++ < 1000) {
        if (ret == 0) {
            int64_t i = nc_demuxer_packet_index(dmx);
            CHECK(i >= 0 && i < NPKT && packet_matches(&pkt, (int)i));
            good++;
            nc_packet_unref(&pkt);
        } else {
            CHECK(ret == NC_ECRC || ret == NC_EINVALIDDATA || ret == NC_ETRUNCATED);
            CHECK(pkt.data == NULL);
            (*errors)++;
        }
    }
    CHECK(calls < 1000); /* no endless loop */
    nc_demuxer_close(&dmx);
    return good;
}

static void test_bit_flips(void)
{
    uint8_t *data;
    size_t size;
    write_sample(&data, &size, 0);
    size_t header_end = 16 + nci_rl32(data + 12) + 4;
    int errors;
    for (size_t off = 0; off < size; off++) {
        for (int bit = 0; bit < 8; bit++) {
            data[off] ^= (uint8_t)(1 << bit);
            int good = read_damaged(data, size, &errors);
            if (off < header_end) {
                CHECK_EQ(good, -1); /* the header is checked as a whole */
            } else {
                /* One flipped bit damages at most one packet (or only the index). */
                CHECK(good >= NPKT - 1);
                CHECK(good == NPKT || errors >= 1);
            }
            data[off] ^= (uint8_t)(1 << bit);
        }
    }
    free(data);
}

static void test_truncation(void)
{
    uint8_t *data;
    size_t size;
    write_sample(&data, &size, NC_MUX_NO_INDEX);
    size_t header_end = 16 + nci_rl32(data + 12) + 4;
    /* Where each packet ends, to know how many survive a cut. */
    size_t ends[NPKT], pos = header_end;
    for (int i = 0; i < NPKT; i++) ends[i] = pos += REC + (size_t)i * 7;
    CHECK_EQ(ends[NPKT - 1], size);
    int errors;
    for (size_t cut = 0; cut <= size; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, data, cut);
        int good = read_damaged(copy, cut, &errors);
        if (cut < header_end) {
            CHECK_EQ(good, -1);
        } else {
            int whole = 0;
            while (whole < NPKT && ends[whole] <= cut) whole++;
            CHECK_EQ(good, whole);
            int at_boundary = cut == header_end || (whole > 0 && ends[whole - 1] == cut);
            CHECK_EQ(errors, at_boundary ? 0 : 1);
        }
        free(copy);
    }
    free(data);

    /* Truncating a file with an index: the index is lost, the packets are not. */
    write_sample(&data, &size, 0);
    CHECK_EQ(read_damaged(data, size - 1, &errors), NPKT);
    free(data);
}

/* Rewrites the header CRC after editing a field, so the field check itself is hit. */
static void fix_header_crc(uint8_t *data)
{
    size_t body = nci_rl32(data + 12);
    nci_wl32(data + 16 + body, nci_crc32(0, data, 16 + body));
}

static void expect_rejected(uint8_t *data, size_t size, size_t field, uint32_t value,
                            int bytes, int want)
{
    uint8_t saved[4];
    memcpy(saved, data + field, 4);
    if (bytes == 1) data[field] = (uint8_t)value;
    if (bytes == 2) nci_wl16(data + field, (uint16_t)value);
    if (bytes == 4) nci_wl32(data + field, value);
    if (field >= 16) fix_header_crc(data);
    NCDemuxer *dmx = NULL;
    int ret = nc_demuxer_open_memory(&dmx, data, size);
    if (ret != want) fprintf(stderr, "field at %zu = %u: got %d, want %d\n", field, value, ret, want);
    CHECK_EQ(ret, want);
    CHECK(dmx == NULL);
    memcpy(data + field, saved, 4);
    fix_header_crc(data);
}

static void test_absurd_headers(void)
{
    uint8_t *data;
    size_t size;
    write_sample(&data, &size, 0);
    /* Offsets: name at 18 (10 bytes "test_bytes"), then rate 28, channels 32,
     * width 34, height 38, pix_fmt 42, tb 43/47, extradata size 51. */
    expect_rejected(data, size, 0, 'X', 1, NC_EINVALIDDATA);         /* magic */
    expect_rejected(data, size, 8, NC_CONTAINER_VERSION_MAJOR + 1, 2, NC_ENOTSUP); /* major version */
    expect_rejected(data, size, 8, 0, 2, NC_ENOTSUP);
    expect_rejected(data, size, 12, 0xFFFFFFFFu, 4, NC_EINVALIDDATA); /* header size */
    expect_rejected(data, size, 12, 3, 4, NC_EINVALIDDATA);
    expect_rejected(data, size, 16, 9, 1, NC_EINVALIDDATA);  /* media type */
    expect_rejected(data, size, 16, 1, 1, NC_EINVALIDDATA);  /* audio without a rate */
    expect_rejected(data, size, 17, 0, 1, NC_EINVALIDDATA);  /* name length */
    expect_rejected(data, size, 17, 200, 1, NC_EINVALIDDATA);
    expect_rejected(data, size, 18, 'T', 1, NC_EINVALIDDATA); /* name character */
    expect_rejected(data, size, 28, 0xFFFFFFFFu, 4, NC_EINVALIDDATA);
    expect_rejected(data, size, 34, 0x7FFFFFFFu, 4, NC_EINVALIDDATA);
    expect_rejected(data, size, 43, 0, 4, NC_EINVALIDDATA); /* time base */
    expect_rejected(data, size, 47, 0x80000000u, 4, NC_EINVALIDDATA);
    expect_rejected(data, size, 51, 0xFFFFFFF0u, 4, NC_EINVALIDDATA); /* extradata size */
    expect_rejected(data, size, 51, 6, 4, NC_EINVALIDDATA);
    /* A higher minor version is fine. */
    nci_wl16(data + 10, 7);
    fix_header_crc(data);
    NCDemuxer *dmx = NULL;
    CHECK_EQ(nc_demuxer_open_memory(&dmx, data, size), 0);
    CHECK_EQ(nc_demuxer_stream_info(dmx)->version_minor, 7);
    nc_demuxer_close(&dmx);

    /* A packet that claims 4 GB in a small file is truncation, not an allocation. */
    size_t first = 16 + nci_rl32(data + 12) + 4 + REC; /* packet 1 (packet 0 is empty) */
    nci_wl32(data + first + 4, 0xFFFFFFF0u);
    nci_wl32(data + first + 29, nci_crc32(0, data + first, 29));
    int errors;
    CHECK_EQ(read_damaged(data, size, &errors), 1);
    CHECK_EQ(errors, 1);
    free(data);
}

static void test_resync(void)
{
    uint8_t *data;
    size_t size;
    write_sample(&data, &size, 0);
    size_t pkt2 = 16 + nci_rl32(data + 12) + 4 + REC + (REC + 7);
    data[pkt2 + 1] ^= 0x40; /* packet 2's marker */
    NCDemuxer *dmx = NULL;
    CHECK_EQ(nc_demuxer_open_memory(&dmx, data, size), 0);
    NCPacket pkt = {0};
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), NC_EINVALIDDATA);
    CHECK_EQ(nc_demuxer_packet_index(dmx), 2);
    CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
    CHECK_EQ(nc_demuxer_packet_index(dmx), 3);
    CHECK(packet_matches(&pkt, 3));
    nc_packet_unref(&pkt);
    nc_demuxer_close(&dmx);
    free(data);
}

/* A low-rate stream of 160 ms packets: 120 gapless key packets of 0..29 bytes at
 * time base 1/16000 go into groups of eight seconds (50 packets), so each packet
 * costs about one byte of container instead of a record header. */
#define GPKT 120
#define GDUR 2560

static void group_packet(NCPacket *pkt, int i)
{
    CHECK_EQ(nc_packet_new(pkt, (size_t)(i * 7 % 30)), 0);
    for (size_t k = 0; k < pkt->size; k++) pkt->data[k] = (uint8_t)(i + 3 * k);
    pkt->pts = 1000 + (int64_t)i * GDUR;
    pkt->duration = GDUR;
    pkt->flags = NC_PKT_FLAG_KEY;
}

static int group_packet_matches(const NCPacket *pkt, int i)
{
    return packet_equals(pkt, group_packet, i);
}

static void test_groups(void)
{
    NCStreamInfo info = {.codec_name = "rvqspeech", .media_type = NC_MEDIA_AUDIO,
                         .sample_rate = 16000, .channels = 1, .time_base = {1, 16000}};
    NCMuxer *mux = NULL;
    CHECK_EQ(nc_muxer_open_memory(&mux, &info, NC_MUX_NO_INDEX | NC_MUX_CLASSIC), 0);
    size_t payload = 0;
    for (int i = 0; i < GPKT; i++) {
        NCPacket pkt = {0};
        group_packet(&pkt, i);
        payload += pkt.size;
        CHECK_EQ(nc_muxer_write_packet(mux, &pkt), 0);
        nc_packet_unref(&pkt);
    }
    uint8_t *data;
    size_t size;
    CHECK_EQ(nc_muxer_close_memory(&mux, &data, &size), 0);
    size_t header_end = 16 + nci_rl32(data + 12) + 4;
    /* Groups of 50, 50 and 20 packets: a header each and one size byte for every
     * packet but the last of its group. */
    CHECK_EQ(size - header_end - payload, 3 * (size_t)REC + 49 + 49 + 19);

    /* Payload damage in the second group loses its 50 packets and no more;
     * numbering goes on after them. */
    size_t second = header_end + REC + 49;
    for (int i = 0; i < 50; i++) second += (size_t)(i * 7 % 30);
    CHECK(!memcmp(data + second, "NCPG", 4));
    data[second + REC + 49 + 5] ^= 1;
    NCDemuxer *dmx = NULL;
    CHECK_EQ(nc_demuxer_open_memory(&dmx, data, size), 0);
    NCPacket pkt = {0};
    int ret, good = 0, errors = 0;
    while ((ret = nc_demuxer_read_packet(dmx, &pkt)) != NC_EOF) {
        int64_t i = nc_demuxer_packet_index(dmx);
        if (ret == 0) {
            CHECK(i < 50 || i >= 100);
            CHECK(group_packet_matches(&pkt, (int)i));
            nc_packet_unref(&pkt);
            good++;
        } else {
            CHECK_EQ(ret, NC_ECRC);
            CHECK_EQ(i, 50);
            errors++;
        }
    }
    CHECK_EQ(good, GPKT - 50);
    CHECK_EQ(errors, 1);
    nc_demuxer_close(&dmx);
    free(data);

    /* With the index (one entry per key group), seeking lands on the packet itself. */
    CHECK_EQ(nc_muxer_open_memory(&mux, &info, NC_MUX_CLASSIC), 0);
    for (int i = 0; i < GPKT; i++) {
        group_packet(&pkt, i);
        CHECK_EQ(nc_muxer_write_packet(mux, &pkt), 0);
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(nc_muxer_close_memory(&mux, &data, &size), 0);
    CHECK_EQ(nc_demuxer_open_memory(&dmx, data, size), 0);
    CHECK_EQ(nc_demuxer_packet_count(dmx), GPKT);
    CHECK_EQ(nc_demuxer_duration(dmx), (int64_t)GPKT * GDUR);
    static const int targets[] = {77, 0, 50, 119, 49, 100};
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        int want = targets[t];
        CHECK_EQ(nc_demuxer_seek(dmx, 1000 + (int64_t)want * GDUR + GDUR / 2), 0);
        CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
        CHECK_EQ(nc_demuxer_packet_index(dmx), want);
        CHECK(group_packet_matches(&pkt, want));
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(nc_demuxer_seek(dmx, -5), 0); /* before the first packet: the first */
    CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
    CHECK_EQ(nc_demuxer_packet_index(dmx), 0);
    nc_packet_unref(&pkt);
    nc_demuxer_close(&dmx);

    /* Fields out of range under valid CRCs (a broken writer): the group is
     * reported damaged, the reader goes on. Group 0: 49 size bytes, then payload. */
    uint8_t *copy = malloc(size);
    size_t table = header_end + REC;
    for (int variant = 0; variant < 5; variant++) {
        memcpy(copy, data, size);
        if (variant == 0) nci_wl16(copy + header_end + 20, 0);        /* no packets */
        if (variant == 1) nci_wl16(copy + header_end + 22, 300);      /* sizes too long */
        if (variant == 2) copy[header_end + 24] = 2;                 /* unknown flag */
        if (variant == 3) copy[table] = 0xFF, copy[table + 1] = 0x7F; /* a size > S */
        if (variant == 4) memset(copy + table, 0x80, 5);             /* 5-byte size */
        nci_wl32(copy + header_end + 29, nci_crc32(0, copy + header_end, 29));
        uint32_t bytes = nci_rl32(copy + header_end + 4);
        nci_wl32(copy + header_end + 25, nci_crc32(0, copy + table, 49 + bytes));
        CHECK_EQ(nc_demuxer_open_memory(&dmx, copy, size), 0);
        CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), NC_EINVALIDDATA);
        CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
        CHECK(group_packet_matches(&pkt, 50)); /* the next group is intact */
        nc_packet_unref(&pkt);
        nc_demuxer_close(&dmx);
    }
    free(copy);

    /* Every single bit flip after the header costs at most one group. (After a
     * damaged group header the packet numbers are a guess, so packets are
     * identified by pts here.) */
    for (size_t off = header_end; off < size; off += 3) {
        data[off] ^= 0x08;
        CHECK_EQ(nc_demuxer_open_memory(&dmx, data, size), 0);
        good = 0;
        int calls = 0;
        while ((ret = nc_demuxer_read_packet(dmx, &pkt)) != NC_EOF && calls++ < 1000) {
            if (ret == 0) {
                int64_t i = (pkt.pts - 1000) / GDUR;
                CHECK(i >= 0 && i < GPKT && group_packet_matches(&pkt, (int)i));
                nc_packet_unref(&pkt);
                good++;
            }
        }
        CHECK(good >= GPKT - 50);
        nc_demuxer_close(&dmx);
        data[off] ^= 0x08;
    }
    free(data);
}

/* nc_muxer_open_fd() with NC_MUX_CLASSIC: the same bytes as a memory muxer, each
 * group out as soon as it is complete (a reader at the other end of a pipe gets it
 * before close), and the caller's descriptor left open. */
static void test_fd_stream(void)
{
    uint8_t *want;
    size_t want_size;
    write_sample(&want, &want_size, NC_MUX_CLASSIC);
    int p[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    NCMuxer *mux = NULL;
    NCStreamInfo info = sample_info();
    CHECK_EQ(nc_muxer_open_fd(&mux, p[1], &info, NC_MUX_CLASSIC), 0);
    uint8_t got[4096];
    size_t got_size = 0;
    for (int i = 0; i < NPKT; i++) {
        NCPacket pkt = {0};
        sample_packet(&pkt, i);
        CHECK_EQ(nc_muxer_write_packet(mux, &pkt), 0);
        nc_packet_unref(&pkt);
        /* The key flag alternates, so packet i ends packet i-1's group. */
        ssize_t n = read(p[0], got + got_size, sizeof(got) - got_size);
        CHECK(n > 0);
        got_size += n > 0 ? (size_t)n : 0;
    }
    CHECK_EQ(nc_muxer_close(&mux), 0);
    CHECK(fcntl(p[1], F_GETFD) >= 0); /* still the caller's */
    close(p[1]);
    for (ssize_t n; (n = read(p[0], got + got_size, sizeof(got) - got_size)) > 0;)
        got_size += (size_t)n;
    close(p[0]);
    CHECK(got_size == want_size && !memcmp(got, want, want_size));
    free(want);
    CHECK_EQ(nc_muxer_open_fd(&mux, -1, &info, 0), NC_EINVAL);

    /* Without the flag a short stream is held and goes out compact, as in memory. */
    write_sample(&want, &want_size, 0);
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(nc_muxer_open_fd(&mux, p[1], &info, 0), 0);
    for (int i = 0; i < NPKT; i++) {
        NCPacket pkt = {0};
        sample_packet(&pkt, i);
        CHECK_EQ(nc_muxer_write_packet(mux, &pkt), 0);
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(nc_muxer_close(&mux), 0);
    close(p[1]);
    got_size = 0;
    for (ssize_t n; (n = read(p[0], got + got_size, sizeof(got) - got_size)) > 0;)
        got_size += (size_t)n;
    close(p[0]);
    CHECK(got_size == want_size && !memcmp(got, want, want_size));
    free(want);
}

int main(void)
{
    nc_log_set_level(NC_LOG_QUIET);
    test_round_trip();
    test_context_round_trip();
    test_atomic_files();
    test_bit_flips();
    test_truncation();
    test_absurd_headers();
    test_resync();
    test_groups();
    test_fd_stream();
    return test_result("test_container");
}
