#!/usr/bin/env python3
"""Linear probes on clip-averaged tokens (issue 18, "Semantics measured").

Each clip becomes the average of its tokens' one-hot vectors (a token histogram),
once with semantic's semantic tokens (-o stages=0) and once with rvqspeech's
first-stage indices (-o stages=1), both read back through the encoders'
dump_tokens option. A multinomial logistic regression trained on the train split
classifies the test split:
  class:    speech / music / effects (train: data/speech/train, the music and the
            game sounds of data/music/train; test: data/speech/test,
            data/music/test, data/effects/test), music tracks cut into 10 s clips;
  language: en / es / fr on speech (train: the klettres recordings of those
            languages, letters and syllables by several speakers; test: the ALSA
            announcements, en, and the Asterisk fr_CA prompts). The train split's
            Asterisk prompts are left out of this probe: they are en and es only,
            so a probe would learn "Asterisk recording" as "not fr" and fail on the
            fr_CA prompts for a reason that has nothing to do with language.
Usage: probe.py NC_ENC DATA_DIR WORK_DIR  (prints a markdown table). numpy only.
"""
import os
import subprocess
import sys

import numpy as np

NC_ENC, DATA, WORK = sys.argv[1:4]
CODES = 1024


def lang_of(name):
    for prefix, lang in (("asterisk-fr", "fr"), ("klettres-en", "en"), ("klettres-es", "es"),
                         ("klettres-fr", "fr"), ("alsa-", "en")):
        if name.startswith(prefix):
            return lang
    return None


def every(files, count):
    files = sorted(files)
    step = max(1, len(files) // count)
    return files[::step][:count]


def clips(path, seconds=10):
    """A long file cut into clips of `seconds` (16 kHz mono WAVs in WORK)."""
    out = os.path.join(WORK, "clips", os.path.basename(path)[:-4])
    os.makedirs(out, exist_ok=True)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", path, "-ac", "1", "-ar",
                    "16000", "-f", "segment", "-segment_time", str(seconds),
                    os.path.join(out, "%03d.wav")], check=True)
    return [os.path.join(out, f) for f in sorted(os.listdir(out))]


def tokens(codec, stage_opt, wav):
    dump = os.path.join(WORK, "tokens.txt")
    subprocess.run([NC_ENC, "-q", "-y", "-c", codec, "-o", stage_opt, "-o", "dump_tokens=" + dump,
                    wav, os.path.join(WORK, "x.nc")], check=True)
    col = 2 if codec == "semantic" else 1  # semantic: index gain semantic; rvqspeech: frame idx
    hist = np.zeros(CODES)
    for line in open(dump):
        if not line.startswith("#"):
            hist[int(line.split()[col])] += 1
    return hist / max(1.0, hist.sum())


def split(which):
    """[(wav, class, language or None)] of the train or test split."""
    rows = []
    speech = [f for f in os.listdir(os.path.join(DATA, "speech", which)) if f.endswith(".wav")]
    langs = {}
    for f in speech:
        langs.setdefault(lang_of(f), []).append(f)
    for lang, files in langs.items():
        for f in every(files, 120 if lang else 60):
            rows.append((os.path.join(DATA, "speech", which, f), "speech", lang))
    music_dir = os.path.join(DATA, "music", which)
    for f in sorted(os.listdir(music_dir)):
        path = os.path.join(music_dir, f)
        if "music" in f:
            rows += [(c, "music", None) for c in clips(path)]
        else:
            rows.append((path, "effects", None))
    if which == "test":
        effects = os.path.join(DATA, "effects", "test")
        rows += [(os.path.join(effects, f), "effects", None) for f in sorted(os.listdir(effects))]
    return rows


def fit(x, y, classes, steps=800, lr=0.5, l2=1e-3):
    """Multinomial logistic regression, classes weighted equally, on standardized x."""
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd
    k = len(classes)
    t = np.zeros((len(y), k))
    t[np.arange(len(y)), [classes.index(c) for c in y]] = 1
    w_class = 1.0 / np.maximum(t.sum(0), 1)
    sw = (t * w_class).sum(1)
    sw /= sw.sum()
    w, b = np.zeros((z.shape[1], k)), np.zeros(k)
    for _ in range(steps):
        p = np.exp(z @ w + b - (z @ w + b).max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        g = (p - t) * sw[:, None]
        w -= lr * (z.T @ g + l2 * w)
        b -= lr * g.sum(0)
    return lambda xs: [classes[i] for i in (((xs - mu) / sd) @ w + b).argmax(1)]


def accuracy(pred, y):
    """Mean of the per-class accuracies (balanced), and the plain accuracy."""
    per = [np.mean([p == c for p, t in zip(pred, y) if t == c]) for c in sorted(set(y))]
    return float(np.mean(per)), float(np.mean([p == t for p, t in zip(pred, y)]))


def main():
    os.makedirs(WORK, exist_ok=True)
    train, test = split("train"), split("test")
    print(f"clips: train {len(train)}, test {len(test)}", file=sys.stderr)
    rows = []
    for name, codec, opt in (("semantic tokens (semantic, stages=0)", "semantic", "stages=0"),
                             ("rvqspeech first-stage indices", "rvqspeech", "stages=1")):
        feats = {w: tokens(codec, opt, w) for w, _, _ in train + test}
        xtr = np.array([feats[w] for w, _, _ in train])
        xte = np.array([feats[w] for w, _, _ in test])
        cls = fit(xtr, [c for _, c, _ in train], ["speech", "music", "effects"])
        acc_c = accuracy(cls(xte), [c for _, c, _ in test])
        ltr = [i for i, r in enumerate(train) if r[2]]
        lte = [i for i, r in enumerate(test) if r[2]]
        lang = fit(xtr[ltr], [train[i][2] for i in ltr], ["en", "es", "fr"])
        acc_l = accuracy(lang(xte[lte]), [test[i][2] for i in lte])
        rows.append((name, acc_c, acc_l))
    print("| tokens | class: balanced accuracy (plain) | language: balanced accuracy (plain) |")
    print("| --- | --- | --- |")
    for name, c, l in rows:
        print(f"| {name} | {c[0]:.3f} ({c[1]:.3f}) | {l[0]:.3f} ({l[1]:.3f}) |")
    print(f"\n{len(train)} train clips, {len(test)} test clips; chance: class 0.333, "
          f"language (en and fr in the test split) 0.5.")


main()
