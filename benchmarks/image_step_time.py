"""Time per step of the image presets, side by side, and what the spectral data term saves on the heat flow.

    python benchmarks/image_step_time.py [--rounds 5] [--steps 20]

Builds every image preset's solver on its own degraded camera image (the recipe as shipped) and times
``--steps`` optimiser steps of each in turn, ``--rounds`` times, interleaved so that every preset sees the
same load on the shared machine; each step is timed on its own by a callback (timing whole short ``fit`` calls
instead gave times in multiples of about 128 ms on this machine), a round's value is the median of its steps
after the first, and the table gives the median over rounds. The backward-heat presets are timed twice: with the data term
they use (:class:`~pinnzoo.operators.SpectralDataTerm`, one DCT) and with the stepped residual
(:class:`~pinnzoo.operators.ResidualDataTerm`: ten explicit conv2d steps, then the preconditioner), which
they used before. The DIP presets are also timed with their convolutions differentiated by
:func:`~pinnzoo.priors.conv.valid_conv2d` (inside :func:`~pinnzoo.priors.conv.matmul_gradient`) instead of
TensorFlow's gradient kernels. The data term alone (value and gradient with respect to a 256²
image) is timed the same way. The projected training time is the recipe's step limit times the median step. Writes
``benchmarks/results/image_step_time.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import numpy as np
import tensorflow as tf

from results_file import progress, write_results
from step_timer import StepTimer
from pinnzoo.operators import FourierPreconditioner, ResidualDataTerm, as_image_batch, data_term
from pinnzoo.presets import PRESETS, ImagePreset
from pinnzoo.priors.conv import matmul_gradient
from pinnzoo.restoration import build_image_solver


def preset_runs() -> dict:
    """``label -> (preset, solver, dataset)`` for every image preset, each traced (3 steps); the heat presets
    also with the old data term, the DIP presets also with the per-tap matmul convolution gradient."""
    runs = {}
    for name, preset in PRESETS.items():
        if not isinstance(preset, ImagePreset):
            continue
        _, y, op = preset.degradation.measure()
        variants = {name: (None, contextlib.nullcontext)}
        if preset.task == "backward-heat":
            variants[f"{name} (stepped residual)"] = (ResidualDataTerm, contextlib.nullcontext)
        if preset.prior == "dip":
            variants[f"{name} (per-tap matmul conv gradient)"] = (None, matmul_gradient)
        for label, (term, tracing) in variants.items():
            solver = build_image_solver(y.shape, op, preset.recipe)
            if term is not None:
                solver.data_term = term(op, solver.preconditioner)
            dataset = solver.dataset(y)
            with tracing():
                solver.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0)
            runs[label] = (preset, solver, dataset)
    return runs


def data_term_timers() -> dict:
    """``label -> compiled value-and-gradient`` of the heat flow's data term (256², preconditioned, λ = 0.03)."""
    preset = PRESETS.get("dip_backward_heat")
    clean, y, op = preset.degradation.measure()
    x, y = as_image_batch(clean), as_image_batch(y)
    p = FourierPreconditioner.for_operator(op, preset.recipe.regularisation.precondition)
    timers = {}
    for label, term in (("spectral (one DCT)", data_term(op, p)), ("stepped residual", ResidualDataTerm(op, p))):
        @tf.function
        def value_and_grad(term=term):
            with tf.GradientTape() as tape:
                tape.watch(x)
                value = term(x, y)
            return tape.gradient(value, x)
        timers[label] = value_and_grad
    return timers


def time_call(fn, repeats: int) -> float:
    """Milliseconds per call of ``fn`` (its result fetched at the end)."""
    start = time.perf_counter()
    for _ in range(repeats):
        out = fn()
    np.asarray(out)
    return 1000 * (time.perf_counter() - start) / repeats


def main(rounds: int, steps: int) -> int:
    runs, timers = preset_runs(), data_term_timers()
    for fn in timers.values():  # trace
        fn()
    step_ms = {label: [] for label in runs}
    term_ms = {label: [] for label in timers}
    for _ in progress(range(rounds), "round"):
        for label, (_, solver, dataset) in runs.items():
            timer = StepTimer()
            solver.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[timer])
            step_ms[label].append(statistics.median(timer.ms[1:]))
        for label, fn in timers.items():
            term_ms[label].append(time_call(fn, steps))
    presets = {}
    for label, (preset, _, _) in runs.items():
        ms = statistics.median(step_ms[label])
        iterations = preset.recipe.optimiser.iterations
        presets[label] = {"preset": preset.name, "task": preset.task, "prior": preset.prior, "iterations": iterations,
                          "median_ms_per_step": round(ms, 1), "ms_per_step": [round(v, 1) for v in step_ms[label]],
                          "projected_time_s": round(iterations * ms / 1000, 0)}
    write_results("image_step_time", {
        "rounds": rounds, "steps": steps, "presets": presets,
        "data_term_256": {label: {"median_ms": round(statistics.median(v), 2), "ms": [round(t, 2) for t in v]}
                          for label, v in term_ms.items()}})
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    raise SystemExit(main(args.rounds, args.steps))
