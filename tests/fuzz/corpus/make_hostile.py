#!/usr/bin/env python3
"""Writes the hostile-header seeds of the fuzz corpora (issue 21): headers and
packets that declare far more than they hold, sizes at and past every limit,
strings with control bytes. Every file is named hostile_*; rerun after a format
change:  python3 tests/fuzz/corpus/make_hostile.py  (from the repository root).

Each decoder's and the demuxer's target replays these on every build (the corpus
replay driver) and starts from them under libFuzzer, whose -timeout,
-malloc_limit_mb and -rss_limit_mb (tests/fuzz/run-fuzzer.sh) turn work or memory
out of proportion to the input into a failure. Layouts: conformance/spec/container.md
for .nc files; the comment at the top of each fuzz_*.c for the targets' inputs."""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
MAGIC = b"\x89NCF\r\n\x1a\n"


def crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


def nc_header(media=3, name=b"pclossless", rate=0, channels=0, width=28, height=28, pix=1,
              tb=(1, 25), extradata=b"", size=None, major=2, extension=b""):
    body = struct.pack("<BB", media, len(name)) + name
    body += struct.pack("<IHIIBIII", rate, channels, width, height, pix, tb[0], tb[1],
                        len(extradata)) + extradata + extension
    head = MAGIC + struct.pack("<HHI", major, 0, len(body) if size is None else size) + body
    return head + struct.pack("<I", crc(head))


def leb128(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def nc_group(payloads, pts=0, duration=1, flags=1, size=None, count=None, sizes=None):
    table = sizes if sizes is not None else b"".join(leb128(len(p)) for p in payloads[:-1])
    data = b"".join(payloads)
    head = b"NCPG" + struct.pack("<IqIHHB", len(data) if size is None else size, pts, duration,
                                 len(payloads) if count is None else count, len(table), flags)
    head += struct.pack("<I", crc(table + data))
    return head + struct.pack("<I", crc(head)) + table + data


def compact(codec=2, media=3, params=(28, 28), pix=1, tb=None, extradata=b"", count=1, key=1,
            pts=0, duration=1, last=1, sizes=(), payload=b"\x00", size=None, fields=None):
    """A compact-profile file (conformance/spec/container.md); fields replaces the
    packet table's bytes when given."""
    head = b"\x89NCc" + bytes([codec, media | pix << 3 | (0x40 if tb else 0)])
    head += b"".join(leb128(v) for v in params)
    if tb:
        head += leb128(tb[0]) + leb128(tb[1])
    head += leb128(len(extradata)) + extradata
    if fields is None:
        fields = leb128(count << 2 | key << 1 | (1 if pts else 0))
        if count:
            fields += leb128(((pts << 1) ^ (pts >> 63)) & ((1 << 64) - 1)) if pts else b""
            fields += (leb128(duration) if count > 1 else b"") + leb128(last)
            fields += b"".join(leb128(s) for s in sizes)
            fields += leb128(len(payload) if size is None else size)
    head += fields
    head += struct.pack("<I", crc(head))
    return head + (payload + struct.pack("<I", crc(payload)) if count else b"")


def compact_raw(body, payload=b"\x00"):
    """A compact file of these header bytes after the magic, CRC valid."""
    head = b"\x89NCc" + body
    return head + struct.pack("<I", crc(head)) + payload + struct.pack("<I", crc(payload))


def nc_index(entries, packets, duration, offset, count=None):
    ix = b"NCIX" + struct.pack("<IQQ", len(entries) if count is None else count, packets, duration)
    ix += b"".join(struct.pack("<QqQ", *e) for e in entries)
    ix += struct.pack("<I", crc(ix))
    return ix + struct.pack("<Q", offset) + b"NCIXTAIL"


def pc_stream_header(model=b"pclossless-mnist"):
    return b"PCL\x01" + bytes([len(model)]) + model + bytes(32)


def redeclare(path, width, height, pix=None):
    """A conformance file with another picture size (and format), header CRC fixed:
    the reproduction of issue 21 (1)."""
    d = bytearray(open(path, "rb").read())
    n = d[17]
    at = 16 + 2 + n + 4 + 2
    struct.pack_into("<II", d, at, width, height)
    if pix is not None:
        d[at + 8] = pix
    h = struct.unpack_from("<I", d, 12)[0]
    struct.pack_into("<I", d, 16 + h, crc(bytes(d[:16 + h])))
    return bytes(d)


def noise(n, seed):
    out = bytearray()
    for _ in range(n):
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(seed >> 24)
    return bytes(out)


def write(folder, name, data):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    with open(os.path.join(HERE, folder, "hostile_" + name), "wb") as f:
        f.write(data)


def demux():
    gray = os.path.join(ROOT, "conformance", "pclossless", "gray_1x1.nc")
    write("demux", "pclossless_4096x4096.nc", redeclare(gray, 4096, 4096))
    write("demux", "pclossless_32768x8192_rgb.nc", redeclare(gray, 32768, 8192, pix=2))
    pcl = pc_stream_header()
    one = nc_group([b"\x00"])
    cases = {
        "width_0": nc_header(width=0, extradata=pcl) + one,
        "width_32769": nc_header(width=32769, extradata=pcl) + one,
        "pixels_over_2p28": nc_header(width=32768, height=16385, extradata=pcl) + one,
        "name_empty": nc_header(name=b"", extradata=pcl) + one,
        "name_32": nc_header(name=b"a" * 32, extradata=pcl) + one,
        "name_escape": nc_header(name=b"pc\x1b[2J", extradata=pcl) + one,
        "header_size_huge": nc_header(size=0xFFFFFFF0, extradata=pcl) + one,
        "header_size_short": nc_header(size=5, extradata=pcl) + one,
        "version_3": nc_header(major=3, extradata=pcl) + one,
        "timebase_zero": nc_header(tb=(0, 0), extradata=pcl) + one,
        "audio_rate_huge": nc_header(media=1, name=b"rvqspeech", rate=0xFFFFFFFF, channels=1,
                                     width=0, height=0, pix=0, tb=(1, 16000)) + one,
        "audio_channels_9": nc_header(media=1, name=b"rvqspeech", rate=16000, channels=9,
                                      width=0, height=0, pix=0, tb=(1, 16000)) + one,
        "group_size_64mib": nc_header(extradata=pcl) + nc_group([b"\x00"], size=1 << 26),
        "group_size_over": nc_header(extradata=pcl) + nc_group([b"\x00"], size=(1 << 26) + 1),
        "group_count_65535": nc_header(extradata=pcl) + nc_group([b"\x00"], count=65535),
        "group_sizes_5_bytes": nc_header(extradata=pcl) + nc_group(
            [b"\x00", b"\x00"], sizes=b"\x80\x80\x80\x80\x01"),
        "group_pts_overflow": nc_header(extradata=pcl) + nc_group(
            [b"\x00"] * 3, pts=(1 << 63) - 2, duration=0x7FFFFFFF),
        "many_tiny_groups": nc_header(media=4, name=b"pclossless_bytes", width=0, height=0,
                                      pix=0, tb=(1, 1), extradata=pcl)
        + b"".join(nc_group([b"\x01"], pts=i) for i in range(2000)),
    }
    # extradata_size field past its limit, CRC valid
    d = bytearray(nc_header(extradata=b"")[:-4])
    struct.pack_into("<I", d, len(d) - 4, (1 << 20) + 1)
    cases["extradata_over_1mib"] = bytes(d) + struct.pack("<I", crc(bytes(d))) + one
    # an index whose entries point outside the file, and one claiming 2^32-1 entries
    head = nc_header(extradata=pcl)
    body = head + one
    cases["index_outside"] = body + nc_index([(1 << 40, 0, 0)], 1, 1, len(body))
    cases["index_count_huge"] = body + nc_index([], 1, 1, len(body), count=0xFFFFFFFF)
    cases["trailer_past_end"] = body + nc_index([(len(head), 0, 0)], 1, 1, 1 << 50)
    # the compact profile: counts, sizes and numbers at and past their limits
    cases.update({
        "compact_count_65535": compact(1, media=1, params=(16000,), pix=0,
                                       count=65535, duration=320, last=320,
                                       sizes=[0] * 65534),
        "compact_count_65536": compact(fields=leb128(65536 << 2 | 2) + b"\x00" * 8),
        "compact_payload_64mib": compact(size=1 << 26),
        "compact_payload_over": compact(size=(1 << 26) + 1),
        "compact_sizes_over_payload": compact(count=3, duration=1, sizes=[5, 5], payload=b"\x00" * 9),
        "compact_pts_overflow": compact(count=3, pts=(1 << 63) - 2, duration=0x7FFFFFFF,
                                        sizes=[1, 1], payload=b"\x00" * 3),
        "compact_leb128_11_bytes": compact(fields=b"\x84" + b"\x80" * 10 + b"\x00"),
        "compact_extradata_over_1mib": compact_raw(b"\x02\x0b\x1c\x1c" + leb128((1 << 20) + 1)
                                                   + b"\x00" * 64),
        "compact_pclossless_4096x4096": compact(params=(4096, 4096), extradata=pcl),
        "compact_codec_unknown_number": compact(codec=200),
        "compact_name_escape": compact_raw(b"\x00\x06pc\x1b[2J\x0b\x1c\x1c\x00\x06\x01\x01"),
        "compact_timebase_zero": compact(tb=(0, 0)),
        "compact_media_reserved_bit": compact(media=0x83),
    })
    for name, data in cases.items():
        write("demux", name + ".nc", data)


def pclossless():
    # fuzz_pclossless.c: byte 0 and 1 the size, byte 2 the flags; bit 4 sends the
    # packet through the API decoder as a picture of up to 16384 x 16384.
    for name, data in {
        "api_16384_empty": b"",
        "api_16384_one": b"\x00",
        "api_16384_zeros": bytes(200),
        "api_16384_ff": b"\xff" * 200,
        "api_16384_noise": noise(900, 1),
    }.items():
        write("pclossless", name, bytes([255, 255, 16]) + data)
    write("pclossless", "api_4096_zeros", bytes([63, 63, 16]) + bytes(600))
    write("pclossless", "api_64x16384_noise", bytes([0, 255, 16]) + noise(400, 2))
    write("pclossless", "api_1024_noise_fits", bytes([15, 15, 16]) + noise(900, 5))
    write("pclossless", "plane_32_zeros", bytes([31, 31, 0]) + bytes(64))
    write("pclossless", "rgb_32_ff", bytes([31, 31, 1]) + b"\xff" * 64)
    write("pclossless", "photo_32_noise", bytes([31, 31, 9]) + noise(64, 3))
    write("pclossless", "header_long_id", bytes([0, 0, 2]) + b"PCL\x01\xff" + b"a" * 255)
    write("pclossless", "header_escape_id", bytes([0, 0, 2]) + pc_stream_header(b"m\x1b[2J"))


def pclossless_bytes():
    # fuzz_pclossless_bytes.c: byte 0 the flags (bit 0 header, bit 1 also the API).
    # The length comes first in 5 raw bits: 0xc8.. declares 25 bits (2^24 bytes).
    for name, data in {
        "length_max_short": b"\xc8\xff\xff\xff",
        "length_max_zeros": b"\xc8\xff\xff\xff" + bytes(300),
        "length_24_noise": b"\xc0" + noise(200, 4),
        "length_31": b"\xff" * 8,
        "api_length_max": b"\xc8\xff\xff\xff" + bytes(64),
    }.items():
        write("pclossless_bytes", name, bytes([2 if name.startswith("api") else 0]) + data)
    write("pclossless_bytes", "header_escape_id", b"\x01" + pc_stream_header(b"t\x1b]0;x\x07"))


def rvqspeech():
    # fuzz_rvqspeech.c: byte 0 bit 7 a header; else byte 0 bit 0 nominal mode,
    # byte 1 stages - 1, byte 2 frames per packet - 1, then 16-bit length + bytes.
    write("rvqspeech", "header_junk", b"\x80" + b"RVQ\x01" + b"\xff" * 60)
    write("rvqspeech", "header_escape", b"\x80" + b"\x1b[2J" * 16)
    write("rvqspeech", "stages_max_frames_max", bytes([0, 11, 255]) + struct.pack("<H", 8) + bytes(8))
    write("rvqspeech", "length_past_end", bytes([1, 11, 255]) + struct.pack("<H", 0xFFFF) + b"\xff" * 16)
    write("rvqspeech", "many_empty", bytes([0, 0, 0]) + struct.pack("<H", 0) * 500)
    write("rvqspeech", "noise_packets", bytes([1, 5, 3]) + b"".join(
        struct.pack("<H", 40) + noise(40, s) for s in range(20)))


if __name__ == "__main__":
    demux()
    pclossless()
    pclossless_bytes()
    rvqspeech()
