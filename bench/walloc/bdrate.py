#!/usr/bin/env python3
"""BD-rate (Bjontegaard delta rate) of one codec against every other codec of a
bench results.tsv: log rate fitted as a cubic in quality for each codec (a
quadratic where a codec has only 3 points), the difference integrated over the
quality range both cover. Printed as a Markdown
table, on PSNR-RGB and on MS-SSIM (as dB: -10 log10(1 - MS-SSIM)).

    bdrate.py RESULTS.tsv CODEC [PSNR_COLUMN]   (pure Python, no numpy; the PSNR
                                                column defaults to psnr_rgb)
"""
import math
import sys


def polyfit3(xs, ys):
    """Least-squares cubic through (xs, ys) (a quadratic through 3 points), x
    centred: returns (4 coeffs, the missing ones 0; centre)."""
    c = sum(xs) / len(xs)
    xs = [x - c for x in xs]
    n = min(4, len(xs))
    a = [[sum(x ** (i + j) for x in xs) for j in range(n)] for i in range(n)]
    b = [sum(y * x ** i for x, y in zip(xs, ys)) for i in range(n)]
    for col in range(n):  # Gaussian elimination with partial pivoting
        piv = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[piv] = a[piv], a[col]
        b[col], b[piv] = b[piv], b[col]
        for r in range(col + 1, n):
            f = a[r][col] / a[col][col]
            for k in range(col, n):
                a[r][k] -= f * a[col][k]
            b[r] -= f * b[col]
    coef = [0.0] * 4
    for r in reversed(range(n)):
        coef[r] = (b[r] - sum(a[r][k] * coef[k] for k in range(r + 1, n))) / a[r][r]
    return coef, c


def integral(coef, c, lo, hi):
    def prim(x):
        x -= c
        return sum(coef[i] * x ** (i + 1) / (i + 1) for i in range(4))
    return prim(hi) - prim(lo)


def mean_gap(ref, test):
    """Mean of test's fitted y minus ref's over the x range both cover, with the
    range; None with under 3 points or no overlap. Points are (x, y)."""
    if len(ref) < 3 or len(test) < 3:
        return None
    lo = max(min(x for x, _ in ref), min(x for x, _ in test))
    hi = min(max(x for x, _ in ref), max(x for x, _ in test))
    if hi <= lo:
        return None
    fr = polyfit3([x for x, _ in ref], [y for _, y in ref])
    ft = polyfit3([x for x, _ in test], [y for _, y in test])
    return (integral(*ft, lo, hi) - integral(*fr, lo, hi)) / (hi - lo), lo, hi


def bd_rate(ref, test):
    """Percent rate change of test against ref at equal quality (log rate fitted in
    quality), with the quality range; None without overlap. Points are (rate, quality)."""
    res = mean_gap([(q, math.log10(r)) for r, q in ref], [(q, math.log10(r)) for r, q in test])
    return None if res is None else ((10 ** res[0] - 1) * 100, res[1], res[2])


def bd_quality(ref, test):
    """Mean quality difference of test against ref at equal rate (BD-PSNR for a
    PSNR; quality fitted in log rate), over the rates both cover; None without overlap."""
    res = mean_gap([(math.log10(r), q) for r, q in ref], [(math.log10(r), q) for r, q in test])
    return None if res is None else res[0]


def main():
    path, codec = sys.argv[1], sys.argv[2]
    psnr = sys.argv[3] if len(sys.argv) > 3 else "psnr_rgb"
    rows = [l.rstrip("\n").split("\t") for l in open(path)]
    head, rows = rows[0], [r for r in rows[1:] if len(r) > 3 and r[2] != "failed"]
    col = {name: i for i, name in enumerate(head)}
    metrics = [("PSNR-" + psnr[5:].upper(), psnr, lambda v: v),
               ("MS-SSIM", "ms_ssim_y", lambda v: -10 * math.log10(max(1e-10, 1 - v)))]
    codecs = []
    for r in rows:
        if r[0] not in codecs:
            codecs.append(r[0])
    print("| anchor | BD-rate on %s | PSNR range (dB) | BD-PSNR (dB) | BD-rate on MS-SSIM | MS-SSIM range (dB) |"
          % metrics[0][0])
    print("| --- | --- | --- | --- | --- | --- |")
    for anchor in codecs:
        if anchor == codec:
            continue
        cells = []
        for _, name, f in metrics:
            if name not in col:
                cells += ["n/a", ""]
                continue
            pts = lambda c: sorted((float(r[2]), f(float(r[col[name]]))) for r in rows if r[0] == c)
            res = bd_rate(pts(anchor), pts(codec))
            cells += ["no overlap", ""] if res is None else \
                ["%+.1f%%" % res[0], "%.2f .. %.2f" % (res[1], res[2])]
            if name == psnr:
                dq = bd_quality(pts(anchor), pts(codec))
                cells.append("no overlap" if dq is None else "%+.2f" % dq)
        print("| %s | %s |" % (anchor, " | ".join(cells)))


if __name__ == "__main__":
    main()
