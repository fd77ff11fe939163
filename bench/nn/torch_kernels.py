#!/usr/bin/python3
"""PyTorch side of bench_kernels: the same layers and network, timed the same way.

Usage: torch_kernels.py THREADS REPS ROUNDS. Prints one line per measurement:
NAME MS (the median over ROUNDS of the mean of REPS calls). Run by bench_kernels;
inference only (torch.inference_mode), float32 weights (PyTorch CPU has no f16 or
int8 conv kernels for these shapes).

Debian's torch hands GEMMs, GEMVs and some convs to OpenBLAS (pthreads build),
whose thread pool ignores torch.set_num_threads and takes every core; the pool is
sized from OPENBLAS_NUM_THREADS when the library loads, hence the variable is set
before torch is imported. Time is the process's CPU time, so that work done on any
other thread is charged to PyTorch too."""
import os
import sys
import time

if __name__ == "__main__" and len(sys.argv) > 1:
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = sys.argv[1]

import torch  # noqa: E402 (after the thread count is fixed)
import torch.nn.functional as F  # noqa: E402


def median_ms(fn, reps, rounds):
    fn()
    times = []
    for _ in range(rounds):
        t = time.process_time()
        for _ in range(reps):
            fn()
        times.append((time.process_time() - t) * 1000 / reps)
    times.sort()
    return times[len(times) // 2]


def rvq_decoder(frames, streaming=False):
    """rvqspeech's decoder network (codecs/rvqspeech/net.c): causal convs over frames,
    over the whole sequence at once or, streaming, one frame at a time as a PyTorch
    streaming decoder runs it: each conv keeps the inputs its taps still need and
    convolves that window into one output frame."""
    g = torch.Generator().manual_seed(1)
    C, L, OUT = 128, 64, 642

    def conv(cin, cout, k):
        return (torch.randn(cout, cin, k, generator=g) * (1 / (cin * k)) ** 0.5,
                torch.randn(cout, generator=g) * 0.1)
    c_in = conv(L, C, 3)
    units = [(conv(C, C, 3), conv(C, C, 1), d) for d in (1, 2, 4)]
    c_out = conv(C, OUT, 1)
    x = torch.randn(1, L, frames, generator=g)

    def causal(h, wb, dil=1):
        w, b = wb
        pad = (w.shape[2] - 1) * dil
        return F.conv1d(F.pad(h, (pad, 0)), w, b, dilation=dil)

    def run():
        h = causal(x, c_in)
        for c1, c2, d in units:
            h = h + causal(F.elu(causal(F.elu(h), c1, d)), c2)
        return causal(F.elu(h), c_out)

    def step(hist, i, h, wb, dil=1):
        """One frame h [1, cin, 1] through a causal conv whose window hist[i] holds
        the last (k - 1) * dil inputs."""
        w, b = wb
        win = torch.cat((hist[i], h), 2)
        hist[i] = win[:, :, 1:]
        return F.conv1d(win, w, b, dilation=dil)

    def run_streaming():
        hist = [torch.zeros(1, L, 2)] + [torch.zeros(1, C, 2 * d) for _, _, d in units]
        out = []
        for f in range(frames):
            h = step(hist, 0, x[:, :, f:f + 1], c_in)
            for i, (c1, c2, d) in enumerate(units):
                h = h + F.conv1d(F.elu(step(hist, 1 + i, F.elu(h), c1, d)), *c2)
            out.append(F.conv1d(F.elu(h), *c_out))
        return torch.cat(out, 2)
    return run_streaming if streaming else run


def main():
    threads, reps, rounds = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(2)
    with torch.inference_mode():
        w = torch.randn(512, 512, generator=g)
        v = torch.randn(1, 512, generator=g)
        print("gemv_512x512", median_ms(lambda: F.linear(v, w), reps * 20, rounds))
        w2 = torch.randn(642, 128, generator=g)
        v2 = torch.randn(1, 128, generator=g)
        print("gemv_128x642", median_ms(lambda: F.linear(v2, w2), reps * 20, rounds))
        x = torch.randn(1, 64, 64, 64, generator=g)
        k3 = torch.randn(64, 64, 3, 3, generator=g)
        k1 = torch.randn(64, 64, 1, 1, generator=g)
        print("conv2d_3x3_64ch_64x64", median_ms(lambda: F.conv2d(x, k3, padding=1), reps, rounds))
        print("conv2d_1x1_64ch_64x64", median_ms(lambda: F.conv2d(x, k1), reps, rounds))
        # walloc's decoder post-network on the 1/8 grid of a 768x512 picture
        xa = torch.randn(1, 192, 64, 96, generator=g)
        xb = torch.randn(1, 64, 64, 96, generator=g)
        ka = torch.randn(64, 192, 3, 3, generator=g)
        kb = torch.randn(192, 64, 3, 3, generator=g)
        print("conv2d_3x3_192to64_96x64", median_ms(lambda: F.conv2d(xa, ka, padding=1), reps, rounds))
        print("conv2d_3x3_64to192_96x64", median_ms(lambda: F.conv2d(xb, kb, padding=1), reps, rounds))
        xs = torch.randn(1, 128, 32, 32, generator=g)
        print("pixel_shuffle_128ch_32x32", median_ms(lambda: F.pixel_shuffle(xs, 2), reps, rounds))
        t = torch.randn(1 << 16, generator=g) * 4
        print("elu_65536", median_ms(lambda: F.elu(t), reps, rounds))
        print("gelu_65536", median_ms(lambda: F.gelu(t), reps, rounds))
        print("rvq_decoder_500_frames", median_ms(rvq_decoder(500), reps, rounds))
        print("rvq_decoder_500_frames_streaming", median_ms(rvq_decoder(500, True), reps, rounds))


if __name__ == "__main__":
    main()
