"""Restoration tasks: the imaging vocabulary of the CLI and the presets, one registry.

A task names a forward operator (how to build it from what the user gives) and
its classical baselines. ``denoise`` → :class:`~pinnzoo.operators.Identity`,
``deblur`` → :class:`~pinnzoo.operators.Blur`, ``inpaint`` →
:class:`~pinnzoo.operators.Mask`, ``superres`` →
:class:`~pinnzoo.operators.Downsample`, ``backward-heat`` → :class:`~pinnzoo.operators.HeatFlow`. A new imaging problem is one new
:class:`ImagingTask` subclass registered in :data:`TASKS`.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import ClassVar

from pinnzoo.baselines import (best_baselines, deblur_candidates, denoise_candidates, discrepancy_baselines,
                               heat_candidates, inpaint_candidates, superres_candidates)
from pinnzoo.errors import InputError
from pinnzoo.parameters import Parameter
from pinnzoo.operators import Blur, Downsample, HeatFlow, Identity, Mask, Operator, psf_specs
from pinnzoo.registry import Registry


@dataclasses.dataclass(frozen=True)
class TaskParameter:
    """What a task's operator needs from the user, declared once: the command line's flag (``--NAME``, with
    ``help``), how its value is read (``kind``: ``"text"`` as given, ``"image"`` an image file, or a number
    checked against ``number``, a :class:`~pinnzoo.parameters.Parameter`), and the export records it."""

    name: str
    help: str
    kind: str = "text"
    number: Parameter | None = None

    def __post_init__(self):
        if self.kind not in ("text", "image", "number") or (self.kind == "number") != (self.number is not None):
            raise ValueError(f"task parameter {self.name}: kind text, image, or number with its Parameter")

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def check(self, value, task: str):
        """``value`` as the operator takes it (a number coerced and range-checked: ParameterError)."""
        return self.number.coerce(value, f"{task} {self.flag}") if self.number is not None else value

    def describe(self) -> dict:
        return {"name": self.name, "flag": self.flag, "kind": self.kind, "help": self.help,
                **({"range": self.number.range_text()} if self.number is not None else {})}


class ImagingTask(abc.ABC):
    """A restoration task: its operator, what that operator needs, and the classical baselines."""

    name: ClassVar[str]
    summary: ClassVar[str]
    #: whether a blur preconditioner applies (the operator is a blur)
    preconditionable: ClassVar[bool] = False
    #: whether data consistency makes sense: the measurement pins down part of the image exactly
    #: (``A Aᵀ = c I`` with ``A`` not the identity: masks, area downsampling)
    data_consistency: ClassVar[bool] = False
    #: what the operator needs from the user (the CLI's flags, their checks and the export's record)
    parameters: ClassVar[tuple[TaskParameter, ...]] = ()

    def resolve(self, values: dict) -> dict:
        """The declared parameters' values from ``values`` (name → value; others ignored), each checked;
        :class:`InputError` naming the flag if one is missing."""
        out = {}
        for p in self.parameters:
            if values.get(p.name) is None:
                raise InputError(f"{self.name} needs {p.flag} ({p.help})")
            out[p.name] = p.check(values[p.name], self.name)
        return out

    def make(self, **values) -> Operator:
        """The forward operator from the declared parameters' values (checked by :meth:`resolve`)."""
        return self.operator(**self.resolve(values))

    @abc.abstractmethod
    def operator(self, **values) -> Operator:
        """The forward operator from the checked values of :attr:`parameters`."""

    @abc.abstractmethod
    def candidates(self, y, sigma: float, operator: Operator) -> list:
        """Classical restorations of ``y`` (:class:`pinnzoo.baselines.Candidate`) over parameter grids."""

    def baselines(self, y, clean, sigma: float, operator: Operator, verbose: int = 0) -> tuple[list[dict], list[dict]]:
        """``(oracle, no_reference)``: each baseline method at its best parameter against ``clean``, and at the
        parameter the discrepancy principle picks without it (:mod:`pinnzoo.baselines.select`), both best first
        (``verbose``: a progress bar over the candidates)."""
        candidates = self.candidates(y, sigma, operator)
        return (best_baselines(candidates, clean, verbose),
                discrepancy_baselines(candidates, y, operator, sigma, clean))


class Denoise(ImagingTask):
    name, summary = "denoise", "y = x + n (identity operator)"

    def operator(self):
        return Identity()

    def candidates(self, y, sigma, operator):
        return denoise_candidates(y, operator, sigma)


class Deblur(ImagingTask):
    name, summary = "deblur", "y = k * x + n (blur by a PSF, mirror boundaries)"
    preconditionable = True
    parameters = (TaskParameter("psf", psf_specs()),)

    def operator(self, psf):
        return Blur(psf)

    def candidates(self, y, sigma, operator):
        return deblur_candidates(y, operator, sigma)


class Inpaint(ImagingTask):
    name, summary = "inpaint", "y = m . x (known pixels where the mask is 1)"
    parameters = (TaskParameter("mask", "an image: white/1 = known pixel, black/0 = missing", "image"),)
    data_consistency = True

    def operator(self, mask):
        return Mask(mask)

    def candidates(self, y, sigma, operator):
        return inpaint_candidates(y, operator, sigma)


class SuperResolve(ImagingTask):
    name, summary = "superres", "y = mean of s x s blocks of x (area downsampling)"
    parameters = (TaskParameter("scale", "the factor: each s x s block of the image is one measured pixel", "number",
                                Parameter("scale", 4, 2, 16, integer=True, doc="downsampling factor")),)
    data_consistency = True

    def operator(self, scale):
        return Downsample(scale)

    def candidates(self, y, sigma, operator):
        return superres_candidates(y, operator, sigma)


class BackwardHeat(ImagingTask):
    name, summary = "backward-heat", "y = u(T) + n, u_t = kappa Lap u from u(0) = x (mirror boundaries)"
    preconditionable = True
    parameters = (TaskParameter("kappa_t", "the diffusion time kappa*T in pixels^2 (2.0 blurs like a Gaussian of "
                                           "sigma = 2 px)", "number",
                                Parameter("kappa_t", 2.0, 0.01, 50.0, doc="diffusion time, pixels^2")),)

    def operator(self, kappa_t):
        return HeatFlow(kappa_t)

    def candidates(self, y, sigma, operator):
        return heat_candidates(y, operator, sigma)


#: task name -> :class:`ImagingTask` (an instance)
TASKS: Registry = Registry("task", InputError)
for _task in (Denoise(), Deblur(), Inpaint(), SuperResolve(), BackwardHeat()):
    TASKS.register(_task.name, _task)


def make_operator(task: str, **values) -> Operator:
    """The forward operator of a restoration task from its declared parameters (``psf=``, ``mask=``, ``scale=``,
    ``kappa_t=``: :attr:`ImagingTask.parameters`)."""
    return TASKS.get(task).make(**values)


def task_parameters() -> dict[str, TaskParameter]:
    """Every task's declared parameters by name (a name shared by two tasks is one flag)."""
    return {p.name: p for task in TASKS.values() for p in task.parameters}
