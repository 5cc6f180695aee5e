"""Where the floor of a Deep Image Prior iteration lies on this CPU: the arithmetic of its convolutions, and the
rate TensorFlow's kernels reach on them, beside the whole step.

    python benchmarks/dip_floor.py [--rounds 5] [--steps 10] [--size 256]

The network and the iteration are those of ``benchmarks/dip_vs_pytorch.py`` (DIP's skip network, 5 × 128
channels, 32-channel input, gray image, denoising). The convolutions of one iteration (forward, input gradient,
kernel gradient) are read off the traced graph of ``ImagePriorSolver.step_gradients`` with their shapes and
attributes; their FLOPs are counted from the shapes (2 × output elements × kernel taps × input channels, the
same count for both gradients). Measured in alternating rounds, medians of the per-round means:

- *step*: one iteration of :class:`~pinnzoo.solvers.ImagePriorSolver` through ``fit``, as dip_vs_pytorch times it;
- *convolutions alone*: every one of those convolutions, on random tensors of the same shapes, in one
  ``tf.function`` (TensorFlow's CPU kernels, oneDNN), in float32 and, where the kernels exist, in bfloat16;
- the machine's large float32 matrix-product rate (``vs_deepxde.matmul_flops``: 2,048² products).

The float32 convolutions alone are the floor of a float32 step with these kernels: batch statistics, LeakyReLU,
upsampling, the loss and Adam come on top. Writes ``benchmarks/results/dip_floor.json``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
import tensorflow as tf

from dip_vs_pytorch import pinnzoo_solver  # benchmarks/, the script's own folder
from results_file import progress, write_results
from step_timer import StepTimer
from vs_deepxde import matmul_flops
from pinnzoo.operators import Identity

ATTRS = ("strides", "padding", "dilations", "data_format", "explicit_paddings")


def _conv2d(args, attrs):
    return tf.raw_ops.Conv2D(input=args[0], filter=args[1], **attrs)


def _input_grad(args, attrs):
    return tf.raw_ops.Conv2DBackpropInput(input_sizes=args[0], filter=args[1], out_backprop=args[2], **attrs)


def _filter_grad(args, attrs):
    return tf.raw_ops.Conv2DBackpropFilter(input=args[0], filter_sizes=args[1], out_backprop=args[2], **attrs)


# a convolution op of the gradient graph -> how to run it again
CONV_OPS = {"Conv2D": _conv2d, "Conv2DBackpropInput": _input_grad, "Conv2DBackpropFilter": _filter_grad}


def convolutions(solver, y: np.ndarray) -> list[dict]:
    """Every convolution one iteration's gradients need: op type, argument shapes (integer arguments, the
    sizes of the gradients, by value), attributes and FLOPs."""
    batch = tf.constant(y[None], tf.float32)
    graph = tf.function(solver.step_gradients).get_concrete_function(batch).graph
    needed, stack = set(), [t.op for t in graph.outputs]  # ops the results depend on (the input's gradient is not)
    while stack:
        op = stack.pop()
        if op.name not in needed:
            needed.add(op.name)
            stack.extend([t.op for t in op.inputs] + list(op.control_inputs))
    found = []
    for op in graph.get_operations():
        if op.type not in CONV_OPS or op.name not in needed:
            continue
        args = [list(t.shape) if t.dtype.is_floating else list(op.outputs[0].shape) for t in op.inputs]
        kernel = args[1] if op.type != "Conv2DBackpropFilter" else list(op.outputs[0].shape)
        grid = list(op.outputs[0].shape) if op.type == "Conv2D" else args[2]  # the forward output's shape
        taps = kernel[0] * kernel[1] * kernel[2]
        found.append({"type": op.type, "args": args, "int_args": [not t.dtype.is_floating for t in op.inputs],
                      "attrs": {k: op.get_attr(k) for k in ATTRS}, "flops": 2 * math.prod(grid) * taps})
    return found


def conv_runner(convs: list[dict], dtype):
    """A function running every convolution in ``convs`` once in ``dtype``, returning the time in ms; None if
    TensorFlow has no CPU kernel for one of them in that type."""
    rng = np.random.default_rng(0)
    inputs = [[tf.constant(a, tf.int32) if is_int else tf.constant(rng.normal(size=a), dtype)
               for a, is_int in zip(c["args"], c["int_args"])] for c in convs]

    @tf.function
    def run():
        return [CONV_OPS[c["type"]](args, c["attrs"]) for c, args in zip(convs, inputs)]

    try:
        run()
    except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
        return None

    def timed(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            run()
        return 1000 * (time.perf_counter() - start) / n
    return timed


def step_runner(solver, dataset):
    solver.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0)  # trace

    def timed(n: int) -> float:
        timer = StepTimer()
        solver.fit(dataset, steps_per_epoch=n, epochs=1, verbose=0, callbacks=[timer])
        return statistics.mean(timer.ms)
    return timed


def main(rounds: int, steps: int, size: int) -> int:
    from pinnzoo.image_io import test_image

    clean = test_image("camera", size)
    y = np.clip(clean + np.random.default_rng(0).normal(0, 25 / 255, clean.shape), 0, 1).astype(np.float32)
    solver, dataset = pinnzoo_solver(y, Identity())
    convs = convolutions(solver, y)
    runners = {"step": step_runner(solver, dataset), "conv_float32": conv_runner(convs, tf.float32),
               "conv_bfloat16": conv_runner(convs, tf.bfloat16)}
    runners = {k: v for k, v in runners.items() if v is not None}
    ms = {k: [] for k in runners}
    for _ in progress(range(rounds), "round"):
        for name, run in runners.items():
            ms[name].append(run(steps))
    matmul = matmul_flops()
    flops = sum(c["flops"] for c in convs)
    median = {k: statistics.median(v) for k, v in ms.items()}
    by_type = {t: sum(c["flops"] for c in convs if c["type"] == t) for t in CONV_OPS}
    write_results("dip_floor", {
        "rounds": rounds, "steps": steps, "size": size, "convolutions": len(convs),
        "conv_flops": flops, "conv_flops_by_type": by_type, "matmul_gflops": matmul / 1e9,
        "ms": {k: [round(t, 1) for t in v] for k, v in ms.items()},
        "median_ms": {k: round(v, 1) for k, v in median.items()},
        "gflops": {k: flops / v / 1e6 for k, v in median.items()},
        "ms_at_matmul_rate": flops / matmul * 1e3,
        "bfloat16_available": "conv_bfloat16" in runners})
    print(f"{len(convs)} convolutions, {flops / 1e9:.1f} GFLOP per iteration; step {median['step']:.0f} ms, "
          f"float32 convolutions alone {median['conv_float32']:.0f} ms"
          + (f", bfloat16 {median['conv_bfloat16']:.0f} ms" if "conv_bfloat16" in median else "")
          + f"; at the {matmul / 1e9:.0f} GFLOP/s matmul rate {flops / matmul * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    raise SystemExit(main(args.rounds, args.steps, args.size))
