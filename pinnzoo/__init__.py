"""pinnzoo: a TensorFlow/Keras model zoo of data-free neural solvers.

The names below are loaded on first use (PEP 562), so ``import pinnzoo`` — and the command line's ``--help``,
``list`` and ``verify`` — do not import TensorFlow.
"""

import importlib as _importlib
import os as _os

# Quiet TensorFlow's C++ start-up chatter unless the user asked for it (must precede its import).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pinnzoo._version import __version__
from pinnzoo.errors import (ExportError, InitError, InputError, PinnzooError, PresetError, ProblemError,
                            TrainingError)

#: public name -> the module that defines it
_LAZY = {
    **dict.fromkeys(("AdamPhase", "Collocation", "ImagePreset", "LBFGSPhase", "PINNPreset", "Preset", "Schedule",
                     "get_preset", "preset_names", "register_preset", "train"), "pinnzoo.presets"),
    **dict.fromkeys(("Box", "Condition", "PDEProblem", "dirichlet", "get_problem", "neumann", "register_problem",
                     "robin"), "pinnzoo.problems"),
    **dict.fromkeys(("Difference", "Disk", "Hypercube", "Hypersphere", "Intersection", "Interval", "Polygon",
                     "Rectangle", "SpaceTime", "Union"), "pinnzoo.geometry"),
    **dict.fromkeys(("MLP", "PriorSpec", "build_prior"), "pinnzoo.priors"),
    **dict.fromkeys(("RestoreConfig", "restore"), "pinnzoo.restoration"),
    "TrainingLog": "pinnzoo.run_log",
    **dict.fromkeys(("ImagePriorSolver", "PINNSolver", "TimeMarchingSolver", "lbfgs_refine"), "pinnzoo.solvers"),
    "make_operator": "pinnzoo.tasks",
    "WarmStart": "pinnzoo.warm_start",
}

__all__ = sorted(["ExportError", "InitError", "InputError", "PinnzooError", "PresetError", "ProblemError",
                  "TrainingError", *_LAZY])


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'pinnzoo' has no attribute {name!r}")
    value = getattr(_importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
