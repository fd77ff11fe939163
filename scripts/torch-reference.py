#!/usr/bin/python3
"""Reference values for tests/nn from PyTorch (Debian's python3-torch).

Writes tests/nn/ref/ops.txt: for every op case of tests/nn/op_cases.c (same names,
shapes and parameters), random inputs, random output weights w, the output y and
the gradients of sum(y * w) with respect to the inputs. The C test reads the file,
so tests need no PyTorch. Run: /usr/bin/python3 scripts/torch-reference.py
"""
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(20261129)
torch.set_default_dtype(torch.float64)  # references in double, compared in float


def conv1d(x, w, b, stride, pad, dil, groups):
    return F.conv1d(x, w, b, stride=stride, padding=pad, dilation=dil, groups=groups)


def causal_conv1d(x, w, b, dil):
    k = w.shape[-1]
    return F.conv1d(F.pad(x, (dil * (k - 1), 0)), w, b, dilation=dil)


def snake(x, a):
    a = a.view(1, -1, 1)
    return x + torch.sin(a * x) ** 2 / a


def weight_norm(v, g):
    norm = v.reshape(v.shape[0], -1).norm(dim=1)
    return v * (g / norm).view(-1, *([1] * (v.dim() - 1)))


def stft_mag(x, n_fft, hop, eps):
    win = torch.hann_window(n_fft, periodic=True)
    s = torch.stft(x, n_fft, hop_length=hop, window=win, center=True, pad_mode="reflect",
                   return_complex=True, onesided=True)
    return torch.sqrt(s.real ** 2 + s.imag ** 2 + eps).transpose(1, 2)


def istft(re, im, n_fft, hop, length):
    win = torch.hann_window(n_fft, periodic=True)
    spec = torch.complex(re, im).transpose(1, 2)
    return torch.istft(spec, n_fft, hop_length=hop, window=win, center=True, length=length)


def mrstft(x, t):
    total = 0
    for n_fft, hop in ((16, 4), (32, 8)):
        sx = stft_mag(x, n_fft, hop, 1e-7)
        st = stft_mag(t, n_fft, hop, 1e-7)
        sc = torch.norm(st - sx) / torch.sqrt((st.detach() ** 2).sum() + 1e-12)
        mag = F.l1_loss(torch.log(sx + 1e-7), torch.log(st + 1e-7))
        total = total + sc + mag
    return total / 2


def ssim_loss(x, y, data_range=1.0):
    c = x.shape[1]
    d = torch.arange(11, dtype=torch.float64) - 5
    w1 = torch.exp(-d * d / (2 * 1.5 * 1.5))
    w1 = w1 / w1.sum()
    w = (w1[:, None] * w1[None, :]).expand(c, 1, 11, 11)
    conv = lambda t: F.conv2d(t, w, groups=c)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = conv(x), conv(y)
    sxx, syy, sxy = conv(x * x) - mx * mx, conv(y * y) - my * my, conv(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return (1 - s.mean()).reshape(1)


def mel_fbank(sample_rate, n_freqs, n_mels, f_min, f_max):
    """torchaudio.functional.melscale_fbanks(norm=None, mel_scale="htk"), restated."""
    hz_to_mel = lambda f: 2595.0 * torch.log10(1.0 + f / 700.0)
    mel_to_hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs)
    m_pts = torch.linspace(float(hz_to_mel(torch.tensor(float(f_min)))),
                           float(hz_to_mel(torch.tensor(float(f_max)))), n_mels + 2)
    f_pts = mel_to_hz(m_pts)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return torch.clamp(torch.min(down, up), min=0)


MEL_FB = mel_fbank(16000, 9, 4, 0.0, 8000.0)

EMB_IDX = torch.tensor([3, 0, 3, 5, 1])
NLL_TARGET = torch.tensor([2, 0, 4, 4])

# name: (input shapes, positive mask, no-grad mask, function)
CASES = {
    "add": ([(2, 3, 4), (2, 3, 4)], 0, 0, lambda a, b: a + b),
    "sub": ([(2, 3, 4), (2, 3, 4)], 0, 0, lambda a, b: a - b),
    "mul": ([(2, 3, 4), (2, 3, 4)], 0, 0, lambda a, b: a * b),
    "div": ([(2, 3, 4), (2, 3, 4)], 2, 0, lambda a, b: a / b),
    "add_const": ([(3, 5)], 0, 0, lambda x: x + 0.75),
    "ssim_loss": ([(1, 2, 12, 13), (1, 2, 12, 13)], 0, 0, ssim_loss),
    "istft": ([(2, 9, 9), (2, 9, 9)], 0, 0, lambda re, im: istft(re, im, 16, 4, 30)),
    "mel": ([(2, 3, 9)], 1, 0, lambda s: s @ MEL_FB),
    "scale": ([(3, 5)], 0, 0, lambda x: -1.5 * x),
    "relu": ([(4, 6)], 0, 0, F.relu),
    "leaky_relu": ([(4, 6)], 0, 0, lambda x: F.leaky_relu(x, 0.1)),
    "elu": ([(4, 6)], 0, 0, lambda x: F.elu(x, 1.0)),
    "gelu": ([(4, 6)], 0, 0, F.gelu),
    "silu": ([(4, 6)], 0, 0, F.silu),
    "tanh": ([(4, 6)], 0, 0, torch.tanh),
    "sigmoid": ([(4, 6)], 0, 0, torch.sigmoid),
    "sin": ([(4, 6)], 0, 0, torch.sin),
    "abs": ([(4, 6)], 0, 0, torch.abs),
    "log": ([(4, 6)], 1, 0, torch.log),
    "sqrt": ([(4, 6)], 1, 0, torch.sqrt),
    "snake": ([(2, 3, 7), (3,)], 2, 0, snake),
    "linear": ([(2, 3, 5), (4, 5), (4,)], 0, 0, F.linear),
    "conv1d": ([(2, 4, 11), (6, 2, 3), (6,)], 0, 0,
               lambda x, w, b: conv1d(x, w, b, 2, 1, 2, 2)),
    "conv1d_causal": ([(2, 3, 9), (4, 3, 3), (4,)], 0, 0,
                      lambda x, w, b: causal_conv1d(x, w, b, 3)),
    "conv1d_1x1": ([(2, 3, 6), (5, 3, 1), (5,)], 0, 0,
                   lambda x, w, b: conv1d(x, w, b, 1, 0, 1, 1)),
    "conv1d_depthwise": ([(2, 4, 10), (4, 1, 5)], 0, 0,
                         lambda x, w: conv1d(x, w, None, 1, 2, 1, 4)),
    "conv2d": ([(2, 3, 7, 6), (4, 3, 3, 2), (4,)], 0, 0,
               lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0))),
    "conv2d_small_out": ([(1, 3, 6, 7), (2, 3, 3, 3), (2,)], 0, 0,
                         lambda x, w, b: F.conv2d(x, w, b, padding=1, dilation=2)),
    "conv1d_small_out_long": ([(2, 2, 41), (3, 2, 3), (3,)], 0, 0,
                              lambda x, w, b: conv1d(x, w, b, 1, 1, 1, 1)),
    "conv2d_grouped": ([(1, 4, 9, 8), (6, 2, 3, 3), (6,)], 0, 0,
                       lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=2,
                                                groups=2)),
    "conv_transpose1d": ([(2, 4, 5), (4, 3, 4), (3,)], 0, 0,
                         lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1,
                                                            output_padding=1)),
    "conv_transpose1d_grouped": ([(1, 4, 6), (4, 3, 3), (6,)], 0, 0,
                                 lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3,
                                                                    dilation=2, groups=2)),
    "conv_transpose2d": ([(1, 4, 3, 4), (4, 2, 3, 3), (4,)], 0, 0,
                         lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                            output_padding=1, groups=2)),
    "pixel_shuffle": ([(2, 8, 3, 2)], 0, 0, lambda x: F.pixel_shuffle(x, 2)),
    "upsample_nearest1d": ([(2, 3, 4)], 0, 0,
                           lambda x: F.interpolate(x, scale_factor=3, mode="nearest")),
    "upsample_nearest2d": ([(1, 2, 3, 4)], 0, 0,
                           lambda x: F.interpolate(x, scale_factor=2, mode="nearest")),
    "upsample_bilinear2": ([(1, 2, 3, 4)], 0, 0,
                           lambda x: F.interpolate(x, scale_factor=2, mode="bilinear",
                                                   align_corners=False)),
    "upsample_bilinear3": ([(2, 1, 3, 2)], 0, 0,
                           lambda x: F.interpolate(x, scale_factor=3, mode="bilinear",
                                                   align_corners=False)),
    "concat1": ([(2, 3, 4), (2, 2, 4)], 0, 0, lambda a, b: torch.cat([a, b], 1)),
    "concat2": ([(2, 3, 4), (2, 3, 1)], 0, 0, lambda a, b: torch.cat([a, b], 2)),
    "slice": ([(2, 3, 6)], 0, 0, lambda x: x[:, :, 1:4]),
    "transpose12": ([(2, 3, 5)], 0, 0, lambda x: x.transpose(1, 2).contiguous()),
    "layer_norm": ([(2, 3, 8), (8,), (8,)], 0, 0,
                   lambda x, g, b: F.layer_norm(x, (8,), g, b, 1e-5)),
    "group_norm": ([(2, 6, 5), (6,), (6,)], 0, 0,
                   lambda x, g, b: F.group_norm(x, 3, g, b, 1e-5)),
    "weight_norm": ([(4, 3, 2), (4,)], 0, 0, weight_norm),
    "softmax": ([(3, 7)], 0, 0, lambda x: F.softmax(x, -1)),
    "log_softmax": ([(3, 7)], 0, 0, lambda x: F.log_softmax(x, -1)),
    "embedding": ([(6, 4)], 0, 0, lambda t: F.embedding(EMB_IDX, t)),
    "sum": ([(2, 3, 4)], 0, 0, lambda x: x.sum().reshape(1)),
    "mean": ([(2, 3, 4)], 0, 0, lambda x: x.mean().reshape(1)),
    "mean_last": ([(2, 3, 4)], 0, 0, lambda x: x.mean(-1, keepdim=True)),
    "l1_loss": ([(3, 5), (3, 5)], 0, 2, lambda a, b: F.l1_loss(a, b).reshape(1)),
    "mse_loss": ([(3, 5), (3, 5)], 0, 0, lambda a, b: F.mse_loss(a, b).reshape(1)),
    "nll_log_softmax": ([(4, 5)], 0, 0,
                        lambda x: F.nll_loss(F.log_softmax(x, -1), NLL_TARGET).reshape(1)),
    "stft_magnitude": ([(2, 40)], 0, 0, lambda x: stft_mag(x, 16, 4, 0.0)),
    "multires_stft_loss": ([(2, 64), (2, 64)], 0, 2, lambda x, t: mrstft(x, t).reshape(1)),
}


def values(t):
    return " ".join("%.9g" % v for v in t.detach().reshape(-1).tolist())


def optimizer_lines():
    """Six steps of each optimizer on a 7-element parameter with fixed gradients."""
    p0 = torch.randn(7)
    grads = [torch.randn(7) for _ in range(6)]
    configs = [
        ("sgd", lambda p: torch.optim.SGD([p], lr=0.1)),
        ("sgd_momentum", lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9,
                                                    weight_decay=0.01)),
        ("adam", lambda p: torch.optim.Adam([p], lr=0.01, weight_decay=0.1)),
        ("adamw", lambda p: torch.optim.AdamW([p], lr=0.01, weight_decay=0.1)),
    ]
    lines = ["start 7 %s" % values(p0)]
    for g in grads:
        lines.append("grad 7 %s" % values(g))
    for name, make in configs:
        p = p0.clone().float().requires_grad_(True)
        opt = make(p)
        for g in grads:
            p.grad = g.clone().float()
            opt.step()
        lines.append("%s 7 %s" % (name, values(p)))
    return lines


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "tests", "nn", "ref", "optim.txt"), "w") as f:
        f.write("\n".join(optimizer_lines()) + "\n")
    out_path = os.path.join(root, "tests", "nn", "ref", "ops.txt")
    lines = ["# tests/nn reference values: scripts/torch-reference.py, torch %s"
             % torch.__version__]
    for name, (shapes, positive, no_grad, fn) in CASES.items():
        inputs = []
        for i, shape in enumerate(shapes):
            mag = 0.2 + torch.rand(shape)
            sign = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0)
            x = mag if positive >> i & 1 else mag * sign
            if name == "l1_loss" and i == 1:
                x = inputs[0].detach() + torch.where(torch.rand(shape) < 0.5, -0.5, 0.5)
            inputs.append(x.clone().requires_grad_(not (no_grad >> i & 1)))
        y = fn(*inputs)
        w = torch.rand(y.shape) * 2 - 1
        (y * w).sum().backward()
        lines.append("case %s" % name)
        for i, x in enumerate(inputs):
            lines.append("input %d %d %s" % (i, x.numel(), values(x)))
        lines.append("weights %d %s" % (w.numel(), values(w)))
        lines.append("output %d %s" % (y.numel(), values(y)))
        for i, x in enumerate(inputs):
            if x.grad is not None:
                lines.append("grad %d %d %s" % (i, x.numel(), values(x.grad)))
        lines.append("end")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s (%d cases)" % (out_path, len(CASES)), file=sys.stderr)


if __name__ == "__main__":
    main()
