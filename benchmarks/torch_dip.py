"""The PyTorch side of ``benchmarks/dip_vs_pytorch.py``, in a process of its own (PyTorch and TensorFlow in one
process can crash each other's native libraries), driven over stdin/stdout:

    python benchmarks/torch_dip.py IMAGE.npy VARIANT     # VARIANT: eager, bfloat16 or compiled

It builds DIP's skip network in ``torch.nn`` (``torch.compile``-d for ``compiled``, under ``torch.autocast`` bfloat16
for ``bfloat16``), warms it up (compiling, for ``compiled``), prints ``ready PARAMETERS COMPILE_SECONDS``, then for
every line ``N`` it reads runs ``N`` iterations and prints their mean time in ms; an empty line ends it.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import torch

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


def main(image: str, variant: str) -> None:
    torch.set_num_threads(os.cpu_count() or 1)
    start = time.perf_counter()
    run, parameters = torch_runner(torch, np.load(image, allow_pickle=False), bfloat16=variant == "bfloat16", compiled=variant == "compiled")
    run(2)  # warm-up (for "compiled": tracing and compiling forward and backward)
    print(f"ready {parameters} {time.perf_counter() - start:.1f}", flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        print(f"{run(int(line)):.3f}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
