"""pinnzoo: a TensorFlow/Keras model zoo of data-free neural solvers."""

__version__ = "0.1.0"

import os as _os

# Quiet TensorFlow's C++ start-up chatter unless the user asked for it (must precede its import).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pinnzoo.errors import (ExportError, InitError, InputError, PinnzooError, PresetError, ProblemError,
                            TrainingError)
from pinnzoo.presets import (AdamPhase, Collocation, ImagePreset, LBFGSPhase, PINNPreset, Preset, Schedule,
                             get_preset, preset_names, register_preset)
from pinnzoo.problems import Box, Condition, PDEProblem, get_problem, register_problem
from pinnzoo.priors import MLP, PriorSpec, build_prior
from pinnzoo.restoration import RestoreConfig, restore
from pinnzoo.run_log import TrainingLog
from pinnzoo.solvers import ImagePriorSolver, PINNSolver, TimeMarchingSolver, lbfgs_refine
from pinnzoo.tasks import make_operator
from pinnzoo.training import train
from pinnzoo.warm_start import WarmStart

__all__ = ["AdamPhase", "Box", "Collocation", "Condition", "ExportError", "ImagePreset", "ImagePriorSolver",
           "InitError", "InputError", "LBFGSPhase", "MLP", "PDEProblem", "PINNPreset", "PINNSolver", "PinnzooError", "Preset",
           "PresetError", "PriorSpec", "ProblemError", "RestoreConfig", "Schedule", "TimeMarchingSolver",
           "TrainingError", "TrainingLog", "WarmStart", "build_prior", "get_preset", "get_problem", "lbfgs_refine", "make_operator",
           "preset_names", "register_preset", "register_problem", "restore", "train"]
