"""Deep Image Prior iteration time: pinnzoo (TensorFlow) against the same network and step in PyTorch, side by side.

    pip install torch==2.13.0        # a CPU build; the benchmark says so and stops if torch is missing
    python benchmarks/dip_vs_pytorch.py [--rounds 7] [--steps 10] [--size 256]

The network is DIP's original "skip" architecture (5 scales of 128 channels, 4 skip channels, 32-channel noise
input, reflection padding, batch statistics, LeakyReLU 0.2, bilinear upsampling, sigmoid head; Ulyanov et al.,
CVPR 2018, supplementary material) on a gray image. One iteration is what the authors' denoising notebook does:
perturb the fixed input by noise of std 1/30, generate, mean squared error against the noisy image, backward,
one Adam step (rate 0.01).

- *pinnzoo*: :class:`~pinnzoo.solvers.ImagePriorSolver` through ``model.fit`` exactly as ``pinnzoo restore
  denoise`` runs it (its step also keeps the moving average of the output and the variance for automatic stopping,
  which the PyTorch loop does not) — timed per step by a callback.
- *PyTorch*: the same layers written here in ``torch.nn`` (``nn.Conv2d(padding_mode="reflect")``,
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
import os
import statistics
import time

import numpy as np

from results_file import progress, write_results
from step_timer import StepTimer
from pinnzoo.operators import Identity
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.restoration import Optimiser, Output, Regularisation, RestoreConfig, Stopping, build_image_solver

CHANNELS, SKIP, INPUT_CHANNELS = [128] * 5, 4, 32


def torch_skipnet(torch):
    """DIP's "skip" network in ``torch.nn`` (the layer order of :class:`~pinnzoo.priors.SkipNet`)."""
    nn, F = torch.nn, torch.nn.functional

    def block(cin, cout, kernel, stride=1):
        return [nn.Conv2d(cin, cout, kernel, stride, padding=kernel // 2, padding_mode="reflect"),
                nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]

    class Scale(nn.Module):
        def __init__(self, cin, i):
            super().__init__()
            c = CHANNELS[i]
            self.skip = nn.Sequential(*block(cin, SKIP, 1))
            self.down = nn.Sequential(*block(cin, c, 3, 2), *block(c, c, 3))
            self.deeper = Scale(c, i + 1) if i + 1 < len(CHANNELS) else None
            self.merge = nn.Sequential(nn.BatchNorm2d(SKIP + c), *block(SKIP + c, c, 3), *block(c, c, 1))

        def forward(self, a):
            d = self.down(a)
            if self.deeper is not None:
                d = self.deeper(d)
            d = F.interpolate(d, scale_factor=2, mode="bilinear", align_corners=False)
            return self.merge(torch.cat([self.skip(a), d], dim=1))

    return nn.Sequential(Scale(INPUT_CHANNELS, 0), nn.Conv2d(CHANNELS[0], 1, 1), nn.Sigmoid())


def torch_runner(torch, y: np.ndarray, bfloat16: bool = False, compiled: bool = False):
    """A function running ``n`` DIP iterations in PyTorch and returning their mean time in ms; with ``bfloat16``
    the forward pass runs under ``torch.autocast("cpu", torch.bfloat16)`` (PyTorch's mixed precision); with
    ``compiled`` the network is ``torch.compile``-d."""
    torch.manual_seed(0)
    net = torch_skipnet(torch)
    if compiled:
        net = torch.compile(net)
    size = y.shape[0]
    z = torch.rand(1, INPUT_CHANNELS, size, size) * 0.1
    target = torch.from_numpy(np.ascontiguousarray(y[None, None, :, :, 0], dtype=np.float32))
    optimiser = torch.optim.Adam(net.parameters(), lr=0.01)

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            optimiser.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
                x = net(z + torch.randn_like(z) / 30)
            loss = torch.mean((x.float() - target) ** 2)
            loss.backward()
            optimiser.step()
        return 1000 * (time.perf_counter() - start) / n

    return run, sum(p.numel() for p in net.parameters())


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
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: pip install torch==2.13.0 (a CPU build), then run this again")
        return 1
    from pinnzoo.image_io import test_image

    torch.set_num_threads(os.cpu_count() or 1)
    clean = test_image("camera", size)
    rng = np.random.default_rng(0)
    y = np.clip(clean + rng.normal(0, 25 / 255, clean.shape), 0, 1).astype(np.float32)
    runners, params, compile_s, compile_error = {}, {}, None, None
    for dtype, suffix in (("float32", ""), ("mixed_bfloat16", "_bfloat16")):
        runners["pinnzoo" + suffix], params["pinnzoo"] = pinnzoo_runner(y, Identity(), dtype)
        runners["pytorch" + suffix], params["pytorch"] = torch_runner(torch, y, bfloat16=bool(suffix))
        runners["pytorch" + suffix](2)  # warm-up
    try:
        start = time.perf_counter()
        runners["pytorch_compiled"], _ = torch_runner(torch, y, compiled=True)
        runners["pytorch_compiled"](2)  # compiles forward and backward
        compile_s = round(time.perf_counter() - start, 1)
    except Exception as exc:  # torch.compile needs a working C++ toolchain; say why it did not run
        runners.pop("pytorch_compiled", None)
        compile_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    ms = {k: [] for k in runners}
    for _ in progress(range(rounds), "round"):
        for name, run in runners.items():
            ms[name].append(run(steps))
    medians = {k: statistics.median(v) for k, v in ms.items()}
    write_results("dip_vs_pytorch", {
        "rounds": rounds, "steps": steps, "size": size, "threads": os.cpu_count(),
        "torch": torch.__version__, "parameters": params, "torch_compile_s": compile_s,
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    raise SystemExit(main(args.rounds, args.steps, args.size))
