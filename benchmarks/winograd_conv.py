"""Would a fast convolution algorithm, written in TensorFlow ops, lower the DIP floor? Winograd's F(2×2, 3×3)
against TensorFlow's own kernel on the DIP iteration's largest convolution.

    python benchmarks/winograd_conv.py [--rounds 7] [--reps 5] [--size 256]

``benchmarks/dip_floor.py`` shows that the float32 DIP iteration's convolutions, at TensorFlow's kernel rate,
take longer than half of PyTorch's iteration. That floor counts the direct algorithm's arithmetic. Winograd's
minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast algorithms for convolutional neural networks", CVPR 2016)
does the same 3×3 convolution with 16 products per 2×2 output tile instead of 36, 2.25× fewer. It
transforms overlapping 4×4 input tiles (``Bᵀ d B``), multiplies by the transformed kernels (``G g Gᵀ``) as 16
batched matrix products over the channels, and transforms back (``Aᵀ m A``). TensorFlow's CPU kernels do not
offer it, so here it is written in TensorFlow ops: strided slices and additions for the transforms, one
batched ``matmul``. Its gradients are TensorFlow's gradients of those ops.

The convolution is the skip network's largest one: a 3×3, stride 1, ``SAME`` convolution from 132 channels
(128 decoder + 4 skip) to 128 channels at the full 256² size, about half of the iteration's convolution
arithmetic. Timed in alternating rounds, in one ``tf.function`` each, in float32: forward only, and forward
with the input and kernel gradients. Medians of the per-round means. Writes
``benchmarks/results/winograd_conv.json``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import tensorflow as tf

from results_file import progress, write_results  # benchmarks/, the script's own folder

# F(2x2, 3x3): Y = A^T [(G g G^T) * (B^T d B)] A, on 4x4 input tiles with stride 2
B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], np.float32)
G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], np.float32)
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], np.float32)
IN_CHANNELS, OUT_CHANNELS = 132, 128


def combine(row, tensors):
    """``Σ row[i] tensors[i]`` with the zero coefficients skipped and ±1 as additions."""
    out = None
    for c, t in zip(row, tensors):
        if c == 0:
            continue
        term = t if c == 1 else (-t if c == -1 else float(c) * t)
        out = term if out is None else out + term
    return out


def winograd_conv(x, kernel):
    """``tf.nn.conv2d(x, kernel, 1, "SAME")`` for a 3×3 kernel and even height and width, by F(2×2, 3×3)."""
    n, h, w, c = x.shape
    k = kernel.shape[-1]
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    d = [[padded[:, i:i + h:2, j:j + w:2, :] for j in range(4)] for i in range(4)]  # tile element (i, j)
    rows = [[combine(B_T[a], [d[i][j] for i in range(4)]) for j in range(4)] for a in range(4)]
    v = tf.reshape(tf.stack([combine(B_T[b], rows[a]) for a in range(4) for b in range(4)]), [16, -1, c])
    u = tf.reshape(tf.einsum("ai,ijck,bj->abck", G, kernel, G), [16, c, k])
    m = tf.matmul(v, u)  # [16, tiles, k]
    m = [[m[4 * a + b] for b in range(4)] for a in range(4)]
    half = [[combine(A_T[p], [m[a][b] for a in range(4)]) for b in range(4)] for p in range(2)]
    y = tf.stack([tf.stack([combine(A_T[q], half[p]) for q in range(2)]) for p in range(2)])  # [2, 2, tiles, k]
    y = tf.transpose(tf.reshape(y, [2, 2, n, h // 2, w // 2, k]), [2, 3, 0, 4, 1, 5])
    return tf.reshape(y, [n, h, w, k])


def direct_conv(x, kernel):
    return tf.nn.conv2d(x, kernel, 1, "SAME")


def timed_pair(conv, x, kernel):
    """(forward, forward + input and kernel gradients) of ``conv`` as compiled graphs."""
    forward = tf.function(lambda: conv(x, kernel))

    @tf.function
    def with_gradients():
        with tf.GradientTape() as tape:
            y = conv(x, kernel)
            loss = tf.reduce_sum(y * y)
        return tape.gradient(loss, [x, kernel])

    return {"forward": forward, "forward and gradients": with_gradients}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--reps", type=int, default=5, help="calls per round and kind (their mean is the round's time)")
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    x = tf.Variable(rng.standard_normal((1, args.size, args.size, IN_CHANNELS)).astype(np.float32))
    kernel = tf.Variable(0.05 * rng.standard_normal((3, 3, IN_CHANNELS, OUT_CHANNELS)).astype(np.float32))
    reference = direct_conv(x, kernel)
    rel_diff = float(tf.norm(winograd_conv(x, kernel) - reference) / tf.norm(reference))
    fns = {"direct (tf.nn.conv2d)": timed_pair(direct_conv, x, kernel),
           "Winograd F(2x2, 3x3) in TF ops": timed_pair(winograd_conv, x, kernel)}
    for pair in fns.values():
        for fn in pair.values():
            fn()  # trace and warm up
    ms = {a: {kind: [] for kind in pair} for a, pair in fns.items()}
    for _ in progress(range(args.rounds), "round"):
        for algorithm, pair in fns.items():
            for kind, fn in pair.items():
                start = time.perf_counter()
                for _ in range(args.reps):
                    out = fn()
                np.asarray(out[0] if isinstance(out, list) else out)  # wait for the result
                ms[algorithm][kind].append(1e3 * (time.perf_counter() - start) / args.reps)
    median = {a: {kind: statistics.median(t) for kind, t in by_kind.items()} for a, by_kind in ms.items()}
    flops = 2 * args.size ** 2 * 9 * IN_CHANNELS * OUT_CHANNELS  # direct algorithm, forward
    for a, by_kind in median.items():
        print(a, {kind: f"{t:.0f} ms" for kind, t in by_kind.items()})
    write_results("winograd_conv", {"rounds": args.rounds, "reps": args.reps, "size": args.size,
                                    "in_channels": IN_CHANNELS, "out_channels": OUT_CHANNELS,
                                    "forward_gflop_direct": flops / 1e9, "rel_diff": rel_diff,
                                    "ms": ms, "median_ms": median})


if __name__ == "__main__":
    main()
