"""What every preset is: an object that builds, trains, evaluates, exports and describes itself.

A preset *family* is a subclass of :class:`Preset` (PINN presets, image-prior
presets, ...). The CLI, the export evaluator and the README generator call the
methods below and never ask which family a preset belongs to; a new family is one
new module with a subclass, registered in :data:`FAMILIES`, plus its presets in
:data:`PRESETS`.
"""

from __future__ import annotations

import abc
import importlib
from pathlib import Path
from typing import ClassVar, Mapping

from pinnzoo.errors import ExportError, PresetError
from pinnzoo.parameters import Parameter, resolve
from pinnzoo.registry import Registry


class RunResult(abc.ABC):
    """What :meth:`Preset.train` returns: the trained solver, where it was exported, and a summary."""

    solver: object
    export_dir: Path | None

    @abc.abstractmethod
    def summary(self) -> str:
        """One line: the score against the target, time and steps, and where the export was written."""


class Preset(abc.ABC):
    """A registry entry: everything needed to reproduce one zoo model from scratch.

    Subclasses are frozen dataclasses with at least ``name`` and ``description``.
    ``family`` names the subclass in :data:`FAMILIES` and in an export's
    ``pinnzoo.json`` (``"family"``), so that an export is evaluated by the class
    that wrote it.
    """

    family: ClassVar[str]
    name: str
    description: str

    @abc.abstractmethod
    def train(self, *, seed: int = 0, quick: bool = False, out=None, verbose: int = 1, callbacks=(),
              init=None, checkpoint=None, resume: bool = False, strategy=None) -> RunResult:
        """Train from scratch, or from a trained export's prior weights with ``init`` (a
        :class:`~pinnzoo.warm_start.WarmStart`); export to ``out`` if given (nothing is written otherwise).
        The result's ``init`` (and the export's ``pinnzoo.json``) records the warm start's source.
        ``checkpoint`` (a file, :func:`pinnzoo.checkpoint.checkpoint_path`) is rewritten atomically while the
        run trains and removed once it is exported; ``resume=True`` continues the run it holds (a run killed
        even with SIGKILL), refusing another run's checkpoint with an InputError. ``strategy`` (a
        ``tf.distribute.Strategy`` or a name of :data:`pinnzoo.distribute.STRATEGIES`) trains on its replicas;
        families that train on one device refuse one of several replicas with an InputError.

        Raises:
            InitError: ``init`` cannot be applied (the source holds no weights, or another architecture).
            KeyboardInterrupt: ``exc.solver`` holds what was trained so far.
            TrainingError: the loss became NaN/inf (``exc.solver`` holds the last good weights).
        """

    def train_instances(self, instances, *, strategy=None, seed: int = 0, quick: bool = False, out=None,
                        verbose: int = 1) -> list[RunResult]:
        """One run per parameter set of ``instances`` (a list of ``{name: value}``, each checked as
        :meth:`with_params` checks it), run ``i`` exported to ``out/<instance_name(instances[i])>`` if ``out``.

        Here the runs follow each other, each under ``strategy``; families whose fits are independent and
        small (image and grid presets) override this to shard the instances over the strategy's replicas."""
        variants = [self.with_params(params) for params in instances]
        return [v.train(seed=seed, quick=quick, out=instance_dir(out, params), verbose=verbose, strategy=strategy)
                for v, params in zip(variants, instances)]

    @abc.abstractmethod
    def quick(self) -> "Preset":
        """A tiny version of this preset for smoke tests (seconds)."""

    def parameters(self) -> tuple[Parameter, ...]:
        """The problem parameters ``pinnzoo train PRESET --set NAME=VALUE`` may change, at this preset's values."""
        return ()

    def with_params(self, params: Mapping[str, object]) -> "Preset":
        """This preset on another instance of its problem: ``params`` checked against :meth:`parameters`
        (unknown name, wrong type or out of range: :class:`~pinnzoo.parameters.ParameterError`)."""
        if not params:
            return self
        values = resolve(f"preset {self.name!r}", self.parameters(), params)
        return self.replace_params({k: values[k] for k in params})

    def replace_params(self, values: dict) -> "Preset":
        """This preset with the (checked) parameter ``values``; families with :meth:`parameters` override it."""
        raise PresetError(f"preset {self.name!r} declares no parameters")

    def with_prior(self, name: str) -> "Preset":
        """This preset with the registered prior ``name`` (``pinnzoo train PRESET --prior NAME``)."""
        raise PresetError(f"preset {self.name!r} fixes its prior; --prior applies to the grid presets "
                          f"({', '.join(n for n, p in PRESETS.items() if type(p).with_prior is not Preset.with_prior)})")

    @abc.abstractmethod
    def target_text(self) -> str:
        """The target in words, for ``pinnzoo list``."""

    # -- exports of this family (class methods: an export is read without its preset object) -----------
    @classmethod
    @abc.abstractmethod
    def evaluate_export(cls, directory, model, meta: dict) -> dict:
        """Recompute the export's scores from the loaded SavedModel; compare them with ``meta``."""

    @classmethod
    @abc.abstractmethod
    def evaluation_line(cls, result: dict) -> str:
        """One line for ``pinnzoo evaluate`` from :meth:`evaluate_export`'s result."""

    @classmethod
    @abc.abstractmethod
    def headline(cls, meta: dict) -> dict:
        """The README's headline row of a shipped export: ``problem``, ``result``, ``target`` (texts),
        ``met`` (bool), ``time_s`` and optionally ``gap`` (the measured distance to the target, as text)."""

    @classmethod
    def figures(cls, directory, model, meta: dict) -> list:
        """What ``pinnzoo plot`` draws of an export besides its training curves
        (:class:`~pinnzoo.plotting.figures.Figure` list, :func:`pinnzoo.plotting.export_figures`); here nothing,
        families add their fields."""
        return []

    @classmethod
    def serving_signatures(cls, model, meta: dict) -> dict | None:
        """The signatures a TF Serving version of the loaded export ``model`` serves (:mod:`pinnzoo.serving`),
        name → ``tf.function``; None (here): every signature of the export that takes inputs."""
        return None

    @classmethod
    def required_metadata(cls) -> tuple[str, ...]:
        """Fields ``pinnzoo.json`` must hold for :meth:`evaluate_export`."""
        return ()


#: name -> preset (an instance of a :class:`Preset` subclass)
PRESETS: Registry = Registry("preset", PresetError)
#: family name -> :class:`Preset` subclass
FAMILIES: Registry = Registry("preset family", ExportError, "preset families")


def register_family(cls):
    """Class decorator: register a :class:`Preset` subclass under its ``family``."""
    FAMILIES.register(cls.family, cls, replace=True)
    return cls


def load_builtin() -> None:
    """Register the built-in families and the shipped presets (:mod:`pinnzoo.families`) if they are not yet.

    Lookups by name call it, so an export is read, and a shipped preset found, whatever the caller imported
    first. The import is by name (:mod:`importlib`), as a plugin is loaded: the contract knows no family."""
    if "pinn" not in FAMILIES:
        importlib.import_module("pinnzoo.families")


def register_preset(preset: Preset) -> Preset:
    if not isinstance(preset, Preset):
        raise PresetError(f"a preset must be an instance of a Preset subclass, got {type(preset).__name__}")
    return PRESETS.register(preset.name, preset)


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        load_builtin()
    return PRESETS.get(name)


def preset_names() -> list[str]:
    load_builtin()
    return PRESETS.names()


def train(preset, **options) -> RunResult:
    """Train ``preset`` (a name or a :class:`Preset`) from scratch: ``preset.train(**options)``.

    A PINN preset returns a :class:`~pinnzoo.families.pinn.fit.TrainResult` (see
    :func:`~pinnzoo.families.pinn.fit.train_pinn` for the options), an image preset a
    :class:`~pinnzoo.restoration.RestoreResult`.
    """
    preset = get_preset(preset) if isinstance(preset, str) else preset
    return preset.train(**options)


def family_of(meta: dict):
    """The :class:`Preset` subclass that wrote an export with metadata ``meta``.

    Exports record it as ``"family"``; those written before carry ``"kind": "image"``
    for image priors and nothing for PINNs.
    """
    name = meta.get("family") or meta.get("kind") or "pinn"
    if not isinstance(name, str):
        raise ExportError(f"the preset family must be a name, got {name!r}")
    if name not in FAMILIES:
        load_builtin()
    return FAMILIES.get(name)


def instance_name(params: Mapping[str, object]) -> str:
    """The folder name of one instance of a sweep: ``name=value`` pairs joined by commas (``seed=3``)."""
    return ",".join(f"{k}={v}" for k, v in params.items()) or "default"


def instance_dir(out, params: Mapping[str, object]):
    """Where instance ``params`` of a sweep exported to ``out`` goes (None if ``out`` is None)."""
    return None if out is None else Path(out) / instance_name(params)
