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

import numpy as np

from pinnzoo.baselines import (best_baselines, deblur_candidates, denoise_candidates, heat_candidates,
                               inpaint_candidates, superres_candidates)
from pinnzoo.errors import InputError
from pinnzoo.operators import Blur, Downsample, HeatFlow, Identity, Mask, Operator, psf_specs
from pinnzoo.registry import Registry


@dataclasses.dataclass(frozen=True)
class OperatorOptions:
    """What a user can say about the measurement: a PSF spec (or kernel), a mask, a scale factor, a
    diffusion time."""

    psf: object = None
    mask: np.ndarray | None = None
    scale: int | None = None
    kappa_t: float | None = None


class ImagingTask(abc.ABC):
    """A restoration task: its operator, what that operator needs, and the classical baselines."""

    name: ClassVar[str]
    summary: ClassVar[str]
    #: whether a blur preconditioner applies (the operator is a blur)
    preconditionable: ClassVar[bool] = False
    #: whether data consistency makes sense: the measurement pins down part of the image exactly
    #: (``A Aᵀ = c I`` with ``A`` not the identity: masks, area downsampling)
    data_consistency: ClassVar[bool] = False
    #: the field of :class:`OperatorOptions` the operator needs (``None``: nothing), and what it is
    needs: ClassVar[str | None] = None
    needs_help: ClassVar[str] = ""

    @abc.abstractmethod
    def operator(self, options: OperatorOptions) -> Operator:
        """The forward operator; :class:`InputError` if ``options`` lack what it needs."""

    @abc.abstractmethod
    def candidates(self, y, sigma: float, operator: Operator) -> list:
        """Classical restorations of ``y`` (:class:`pinnzoo.baselines.Candidate`) over parameter grids."""

    def baselines(self, y, clean, sigma: float, operator: Operator, verbose: int = 0) -> list[dict]:
        """Each baseline method at its best parameter against ``clean``, best first (``verbose``: a progress
        bar over the candidates)."""
        return best_baselines(self.candidates(y, sigma, operator), clean, verbose)



class Denoise(ImagingTask):
    name, summary = "denoise", "y = x + n (identity operator)"

    def operator(self, options):
        return Identity()

    def candidates(self, y, sigma, operator):
        return denoise_candidates(y, sigma)


class Deblur(ImagingTask):
    name, summary = "deblur", "y = k * x + n (blur by a PSF, mirror boundaries)"
    preconditionable = True
    needs, needs_help = "psf", psf_specs()

    def operator(self, options):
        if options.psf is None:
            raise InputError("deblurring needs a PSF (e.g. --psf gaussian:2.0)")
        return Blur(options.psf)

    def candidates(self, y, sigma, operator):
        return deblur_candidates(y, operator.psf, sigma)


class Inpaint(ImagingTask):
    name, summary = "inpaint", "y = m . x (known pixels where the mask is 1)"
    needs, needs_help = "mask", "an image: white/1 = known pixel, black/0 = missing"
    data_consistency = True

    def operator(self, options):
        if options.mask is None:
            raise InputError("inpainting needs a mask (1 = known pixel, 0 = missing)")
        return Mask(options.mask)

    def candidates(self, y, sigma, operator):
        return inpaint_candidates(y, operator.mask)


class SuperResolve(ImagingTask):
    name, summary = "superres", "y = mean of s x s blocks of x (area downsampling)"
    needs, needs_help = "scale", "an integer >= 2"
    data_consistency = True

    def operator(self, options):
        if options.scale is None:
            raise InputError("super-resolution needs a scale factor (e.g. --scale 4)")
        return Downsample(options.scale)

    def candidates(self, y, sigma, operator):
        return superres_candidates(y, operator.factor)


class BackwardHeat(ImagingTask):
    name, summary = "backward-heat", "y = u(T) + n, u_t = kappa Lap u from u(0) = x (mirror boundaries)"
    preconditionable = True
    needs, needs_help = "kappa_t", "the diffusion time kappa*T in pixels^2 (2.0 blurs like a Gaussian of sigma = 2 px)"

    def operator(self, options):
        if options.kappa_t is None:
            raise InputError("the backward heat problem needs the diffusion time (e.g. --kappa-t 2.0)")
        return HeatFlow(options.kappa_t)

    def candidates(self, y, sigma, operator):
        return heat_candidates(y, operator, sigma)


#: task name -> :class:`ImagingTask` (an instance)
TASKS: Registry = Registry("task", InputError)
for _task in (Denoise(), Deblur(), Inpaint(), SuperResolve(), BackwardHeat()):
    TASKS.register(_task.name, _task)


def make_operator(task: str, *, psf=None, mask=None, scale=None, kappa_t=None) -> Operator:
    """The forward operator of a restoration task."""
    return TASKS.get(task).operator(OperatorOptions(psf=psf, mask=mask, scale=scale, kappa_t=kappa_t))
