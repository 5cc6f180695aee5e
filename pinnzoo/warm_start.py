"""Warm starts: initialise a solver's prior from the weights of a trained export.

Every export stores its prior's weights beside the SavedModel, in
``prior_weights.npz`` (plain numpy, read with ``allow_pickle=False``): one array
per variable in the prior's ``weights`` order, the variables' paths in
``paths`` (``"K:layer/variable"``, K the prior's index: one prior per time window
of a marching solver). An image prior's fixed input is recomputed from the seed in
its metadata (``noise_seed``). A SavedModel's own variables cannot serve: grid
exports store only the solved field, and Keras names every variable of a
subclassed generator alike.

    init = WarmStart.parse("saved_models/burgers")          # pinnzoo train burgers --init DIR
    preset.with_params({"nu": 0.005}).train(init=init)      # starts from the shipped weights

A warm start needs the same architecture (number, order and shapes of the
variables); otherwise :class:`~pinnzoo.errors.InitError` names the first
mismatch. ``reset_layers = N`` leaves the last N layers (those with a kernel, and
whatever follows them) at their fresh initialisation; ``fresh_noise`` gives an
image prior a new fixed input instead of the source's. The export metadata of
the warm-started run records where the weights came from (``"init"``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from pathlib import Path
from typing import Sequence

import numpy as np

from pinnzoo.errors import ExportError, InitError
from pinnzoo.export import WEIGHTS_FILE, read_metadata
from pinnzoo.manifest import check_manifest
from pinnzoo.priors.registry import prior_name
from pinnzoo.priors.variables import relative_path, reset_start


@dataclasses.dataclass
class SourceWeights:
    """The weights of an export's prior(s), as read from its ``prior_weights.npz``."""

    directory: Path
    meta: dict
    priors: list  # per prior: [(path, array), ...]

    def describe(self) -> str:
        prior = self.meta.get("prior") or {}
        name = prior.get("name", "prior")
        return f"{name} of {self.meta.get('preset') or self.directory}"


def read_prior_weights(directory) -> SourceWeights:
    """The prior weights stored in the export ``directory`` (clear :class:`InitError` if there are none)."""
    directory = Path(directory)
    try:
        meta = read_metadata(directory)
        check_manifest(directory)
    except ExportError as exc:
        raise InitError(f"--init: {exc}") from None
    path = directory / WEIGHTS_FILE
    if not path.exists():
        raise InitError(f"--init: {directory} holds no prior weights ({WEIGHTS_FILE}): it was exported before "
                        "pinnzoo stored them; retrain it (pinnzoo train ... --out DIR) to warm-start from it")
    data = path.read_bytes()
    recorded = (meta.get("prior_weights") or {}).get("sha256")
    if recorded and hashlib.sha256(data).hexdigest() != recorded:
        raise InitError(f"--init: {path} does not match the checksum in its pinnzoo.json (edited or truncated)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            paths = [str(p) for p in npz["paths"]]
            arrays = [npz[f"w{i:05d}"] for i in range(len(paths))]
    except Exception as exc:  # zip/npy errors come in many types
        raise InitError(f"--init: cannot read {path}: {type(exc).__name__}: {exc}") from None
    priors: dict[int, list] = {}
    for p, a in zip(paths, arrays):
        k, name = p.split(":", 1)
        priors.setdefault(int(k), []).append((name, a))
    return SourceWeights(directory, meta, [priors[k] for k in sorted(priors)])


@dataclasses.dataclass(frozen=True)
class WarmStart:
    """Start from the prior weights of the export at ``source`` (see the module docstring).

    Args:
        source: an export directory (a shipped model or a user's run).
        reset_layers: leave the last this many layers at their fresh (seeded) initialisation.
        fresh_noise: image priors: a new fixed input from the run's seed instead of the source's (from
            the next seed if the run's is the source's, which would draw the same input).
        refit: PINNs: before training, re-solve the last layer by least squares on the run's points
            (:func:`pinnzoo.solvers.refit.refit_last_layer`; one-shot transfer, exact for a linear PDE).
    """

    source: str
    reset_layers: int = 0
    fresh_noise: bool = False
    refit: bool = False

    def __post_init__(self):
        if int(self.reset_layers) < 0:
            raise InitError(f"--init-reset: the number of layers must be >= 0, got {self.reset_layers}")

    @classmethod
    def parse(cls, source, resets: Sequence[str] = ()) -> "WarmStart":
        """From ``--init DIR`` and ``--init-reset`` values: ``noise`` (a fresh input), ``last`` (the last
        layer), an integer N (the last N layers) or ``refit`` (the last layer re-solved by least squares);
        repeatable or comma-separated."""
        layers, noise, refit = 0, False, False
        for item in (s.strip() for r in resets for s in str(r).split(",") if s.strip()):
            if item == "noise":
                noise = True
            elif item == "refit":
                refit = True
            elif item == "last":
                layers = max(layers, 1)
            elif item.isdigit():
                layers = max(layers, int(item))
            else:
                raise InitError(f"--init-reset: expected 'noise', 'last', 'refit' or a number of layers, got {item!r}")
        return cls(str(source), layers, noise, refit)

    def load(self) -> SourceWeights:
        return read_prior_weights(self.source)

    def apply(self, priors: Sequence, source: SourceWeights | None = None, can_refit: bool = False) -> dict:
        """Assign the source's weights to the built ``priors``; returns the metadata record (``"init"``).
        ``can_refit``: the caller carries out ``refit`` after this (PINN training); otherwise it is refused.

        Raises:
            InitError: the source holds no weights, the architectures differ (the first mismatch is named), or
                ``refit`` is asked of a caller that cannot carry it out.
        """
        if self.refit and not can_refit:
            raise InitError("--init-reset refit re-solves the output layer of a PINN on its collocation points; it "
                            "does not apply to this solver (grid, image and time-marching solvers)")
        source = source or self.load()
        if len(source.priors) != len(priors):
            raise InitError(f"--init: {self.source} holds {len(source.priors)} prior(s) (time windows), this "
                            f"solver has {len(priors)}")
        kept = 0
        for k, (prior, stored) in enumerate(zip(priors, source.priors)):
            self._check(prior, stored, source, k)
            start = reset_start(prior, int(self.reset_layers))
            for v, (_, array) in list(zip(prior.weights, stored))[:start]:
                v.assign(array.astype(v.dtype))
            kept += start
        return {"from": str(self.source), "preset": source.meta.get("preset"),
                "set_params": source.meta.get("set_params"), "reset_layers": int(self.reset_layers),
                "refit": self.refit,
                "variables_loaded": kept, "sha256": (source.meta.get("prior_weights") or {}).get("sha256")}

    def apply_image(self, solver) -> dict:
        """:meth:`apply` to an image solver's generator, and its fixed input from the source's unless
        ``fresh_noise`` (or the image size differs, so the input's shape does)."""
        source = self.load()
        record = self.apply([solver.prior], source)
        noise_seed = source.meta.get("noise_seed")
        same = noise_seed is not None and list(source.meta.get("noise_shape", [])) == list(solver.noise.shape)
        if same and not self.fresh_noise:
            solver.reseed_noise(noise_seed)
            record["noise"] = f"the source's (seed {noise_seed})"
        else:
            if same and solver.noise_seed == noise_seed:  # the run's seed would draw the source's input again
                solver.reseed_noise(noise_seed + 1)
            record["noise"] = (f"fresh (seed {solver.noise_seed})"
                               + ("" if self.fresh_noise else ", the source's input has another shape"))
        return record

    def _check(self, prior, stored, source: SourceWeights, k: int):
        theirs, ours = (source.meta.get("prior") or {}).get("name"), prior_name(prior)
        if theirs is not None and theirs != ours:
            raise InitError(f"--init: the prior in {self.source} is {theirs}, this solver's is {ours}")
        here = [(relative_path(prior, v), tuple(v.shape)) for v in prior.weights]
        there = [(name, tuple(a.shape)) for name, a in stored]
        if here == there or [s for _, s in here] == [s for _, s in there]:
            return  # layer names may differ between processes (Keras numbers them); shapes decide
        head = (f"--init: the prior in {self.source} ({theirs}, {len(there)} variables) does not match this "
                f"solver's ({ours}, {len(here)} variables)")
        for i, (a, b) in enumerate(zip(here, there)):
            if a[1] != b[1]:
                raise InitError(f"{head}: variable {i} is {a[0]} {a[1]} here, {b[0]} {b[1]} in the export"
                                + (f" (prior {k})" if k else ""))
        raise InitError(f"{head}: the first {min(len(here), len(there))} variables agree, the counts differ")
