"""Deep Image Prior iteration time: pinnzoo (TensorFlow) against the same network and step in PyTorch, side by side.

    pip install torch                # the benchmark says so and stops if torch is missing
    python benchmarks/dip_vs_pytorch.py [--rounds 7] [--steps 10] [--size 256]

The network is DIP's original "skip" architecture (5 scales of 128 channels, 4 skip channels, 32-channel noise
input, reflection padding, batch statistics, LeakyReLU 0.2, bilinear upsampling, sigmoid head; Ulyanov et al.,
CVPR 2018, supplementary material) on a gray image. One iteration is what the authors' denoising notebook does:
perturb the fixed input by noise of std 1/30, generate, mean squared error against the noisy image, backward,
one Adam step (rate 0.01).

- *pinnzoo*: :class:`~pinnzoo.solvers.ImagePriorSolver` through ``model.fit`` exactly as ``pinnzoo restore
  denoise`` runs it (its step also keeps the moving average of the output and the variance for automatic stopping,
  which the PyTorch loop does not) — timed per step by a callback.
- *PyTorch*: the same layers written in ``torch.nn`` (``benchmarks/torch_dip.py``, run in a process of its own and
  driven round by round from here) (``nn.Conv2d(padding_mode="reflect")``,
  ``nn.BatchNorm2d``, ``F.interpolate(mode="bilinear", align_corners=False)``), the loop written as the authors'
  notebook writes it, ``torch.set_num_threads`` = the machine's cores; eager, and at its best with the network
  compiled by ``torch.compile`` (TorchInductor's C++/OpenMP CPU kernels, default mode; forward and backward),
  whose compile time is recorded apart.

Both are also timed with bfloat16 arithmetic: pinnzoo's network with the Keras dtype policy ``"mixed_bfloat16"``
(float32 weights and image, bfloat16 convolutions), PyTorch's forward pass under ``torch.autocast`` with bfloat16.
Rounds alternate the four (``--steps`` iterations each) so that all see the same load on the shared machine; the
table gives medians of the per-round means. Writes ``benchmarks/results/dip_vs_pytorch.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from results_file import progress, write_results
from step_timer import StepTimer
from pinnzoo.operators import Identity
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.restoration import Optimiser, Output, Regularisation, RestoreConfig, Stopping, build_image_solver

CHANNELS, SKIP, INPUT_CHANNELS = [128] * 5, 4, 32  # as in torch_dip.py


class TorchWorker:
    """A PyTorch variant of the iteration (``eager``, ``bfloat16`` or ``compiled``) in its own process
    (``benchmarks/torch_dip.py``): ``worker(n)`` runs ``n`` iterations there and returns their mean time in ms."""

    def __init__(self, image: Path, variant: str):
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("torch_dip.py")), str(image),
                                         variant], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline().split()
        if not ready or ready[0] != "ready":
            raise RuntimeError(f"the PyTorch worker ({variant}) did not start (exit code {self.process.poll()})")
        self.parameters, self.setup_s = int(ready[1]), float(ready[2])

    def __call__(self, n: int) -> float:
        self.process.stdin.write(f"{n}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        self.process.wait(timeout=60)


def pinnzoo_solver(y: np.ndarray, operator, dtype: str = "float32"):
    """pinnzoo's DIP solver for ``y`` with the skip network and the denoising recipe timed here, and its data;
    ``dtype`` is the network's Keras dtype policy (``"mixed_bfloat16"``: bfloat16 compute, float32 weights)."""
    recipe = RestoreConfig(PriorSpec("dip", {"channels_down": CHANNELS, "channels_skip": SKIP,
                                             "input_channels": INPUT_CHANNELS, "dtype": dtype}),
                           Optimiser(iterations=3000), Stopping(patience=600), Regularisation(input_noise_std=1 / 30),
                           Output())
    solver = build_image_solver(y.shape, operator, recipe)
    return solver, solver.dataset(y)


def pinnzoo_runner(y: np.ndarray, operator, dtype: str = "float32"):
    """A function running ``n`` iterations of pinnzoo's DIP solver through ``fit``, returning ms per step."""
    solver, dataset = pinnzoo_solver(y, operator, dtype)
    solver.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0)  # trace

    def run(n: int) -> float:
        timer = StepTimer()
        solver.fit(dataset, steps_per_epoch=n, epochs=1, verbose=0, callbacks=[timer])
        return statistics.mean(timer.ms)

    return run, solver.prior.count_params()


def main(rounds: int, steps: int, size: int) -> int:
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: pip install torch (a CPU build will do), then run this again")
        return 1
    from pinnzoo.image_io import test_image

    clean = test_image("camera", size)
    rng = np.random.default_rng(0)
    y = np.clip(clean + rng.normal(0, 25 / 255, clean.shape), 0, 1).astype(np.float32)
    runners, params, workers, compile_s, compile_error = {}, {}, [], None, None
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "y.npy", y)
        for dtype, suffix in (("float32", ""), ("mixed_bfloat16", "_bfloat16")):
            runners["pinnzoo" + suffix], params["pinnzoo"] = pinnzoo_runner(y, Identity(), dtype)
            workers.append(TorchWorker(Path(tmp) / "y.npy", "bfloat16" if suffix else "eager"))
            runners["pytorch" + suffix], params["pytorch"] = workers[-1], workers[-1].parameters
        try:
            workers.append(TorchWorker(Path(tmp) / "y.npy", "compiled"))
            runners["pytorch_compiled"], compile_s = workers[-1], workers[-1].setup_s
        except RuntimeError as exc:  # torch.compile needs a working C++ toolchain; say why it did not run
            compile_error = str(exc)
        ms = {k: [] for k in runners}
        for _ in progress(range(rounds), "round"):
            for name, run in runners.items():
                ms[name].append(run(steps))
        for worker in workers:
            worker.close()
    medians = {k: statistics.median(v) for k, v in ms.items()}
    write_results("dip_vs_pytorch", {
        "rounds": rounds, "steps": steps, "size": size, "threads": os.cpu_count(),
        "torch": torch_version(), "parameters": params, "torch_compile_s": compile_s,
        "torch_compile_error": compile_error,
        "ms_per_iteration": {k: [round(t, 1) for t in v] for k, v in ms.items()},
        "median_ms": {k: round(v, 1) for k, v in medians.items()},
        "speedup": round(medians["pytorch"] / medians["pinnzoo"], 2),
        "speedup_vs_compiled": (round(medians["pytorch_compiled"] / medians["pinnzoo"], 2)
                                if "pytorch_compiled" in medians else None),
        "speedup_bfloat16": round(medians["pytorch_bfloat16"] / medians["pinnzoo_bfloat16"], 2),
        "speedup_bfloat16_vs_float32_reference": round(medians["pytorch"] / medians["pinnzoo_bfloat16"], 2)})
    print(f"DIP skip (128 x 5) {size}^2 gray, ms per iteration: "
          + ", ".join(f"{k} {v:.0f}" for k, v in medians.items())
          + f" (PyTorch / pinnzoo: float32 {medians['pytorch'] / medians['pinnzoo']:.2f}, bfloat16 "
          f"{medians['pytorch_bfloat16'] / medians['pinnzoo_bfloat16']:.2f})")
    return 0


def torch_version() -> str:
    from importlib.metadata import version

    return version("torch")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    raise SystemExit(main(args.rounds, args.steps, args.size))
