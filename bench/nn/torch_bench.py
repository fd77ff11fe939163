#!/usr/bin/python3
"""PyTorch side of bench/nn: the networks of networks.c, timed the same way.

Prints one line per measurement: NAME MS (median milliseconds). Run by bench_nn
with --threads N; not meant to be run by hand (but it can be).

Debian's torch hands GEMMs and some convs to OpenBLAS (pthreads build), whose
thread pool ignores torch.set_num_threads and takes every core: the pool is sized
from OPENBLAS_NUM_THREADS when the library loads, hence the variable is set from
--threads before torch is imported."""
import os
import sys
import time

if "--threads" in sys.argv:
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = \
        sys.argv[sys.argv.index("--threads") + 1]
else:
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"

import torch  # noqa: E402 (after the thread count is fixed)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        ch, st = [32, 64, 128, 256, 512], [2, 4, 5, 8]
        self.inp = nn.Conv1d(1, 32, 7, padding=3)
        self.res = nn.ModuleList(nn.Conv1d(ch[i], ch[i], 3, padding=1) for i in range(4))
        self.down = nn.ModuleList(nn.Conv1d(ch[i], ch[i + 1], 2 * s, stride=s,
                                            padding=(s + 1) // 2) for i, s in enumerate(st))
        self.out = nn.Conv1d(512, 128, 3, padding=1)

    def forward(self, x):
        h = F.elu(self.inp(x))
        for res, down in zip(self.res, self.down):
            h = h + F.elu(res(h))
            h = F.elu(down(h))
        return self.out(h)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.c0 = nn.Conv2d(64, 128, 3, padding=1)
        self.up = nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1)
        self.c2 = nn.Conv2d(64, 64, 3, padding=1)
        self.c3 = nn.Conv2d(64, 128, 3, padding=1)
        self.c4 = nn.Conv2d(32, 3, 3, padding=1)

    def forward(self, x):
        h = F.gelu(self.c0(x))
        h = F.gelu(self.up(h))
        h = F.gelu(self.c2(h))
        h = F.gelu(F.pixel_shuffle(self.c3(h), 2))
        return self.c4(h)


def median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    for name, net, shape in (("encoder", Encoder(), (4, 1, 16000)),
                             ("decoder", Decoder(), (2, 64, 16, 16))):
        x = torch.randn(shape)

        def fwd():
            with torch.no_grad():
                net(x)

        def fwd_bwd():
            net.zero_grad(set_to_none=False)
            y = net(x)
            (y * y).mean().backward()

        print("%s.forward %.3f" % (name, median_ms(fwd, reps)))
        print("%s.forward_backward %.3f" % (name, median_ms(fwd_bwd, reps)))
    a, w = torch.randn(1024, 1024), torch.randn(1024, 1024)
    print("linear1024.forward %.3f" % median_ms(lambda: F.linear(a, w), reps))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
