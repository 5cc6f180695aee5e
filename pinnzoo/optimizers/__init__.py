"""Methods for a schedule's full-batch phase: L-BFGS-B, BFGS, self-scaled BFGS and Broyden, Levenberg–Marquardt."""

from pinnzoo.optimizers.base import QUASI_NEWTON, MinimizeResult, QuasiNewtonMethod, get_method
from pinnzoo.optimizers.dense import BFGS, DenseQuasiNewton, InverseHessian, SelfScaledBFGS, SelfScaledBroyden
from pinnzoo.optimizers.lbfgsb import LBFGSB
from pinnzoo.optimizers.least_squares import LeastSquaresMethod, LevenbergMarquardt

__all__ = ["BFGS", "DenseQuasiNewton", "InverseHessian", "LBFGSB", "LeastSquaresMethod", "LevenbergMarquardt",
           "MinimizeResult", "QUASI_NEWTON", "QuasiNewtonMethod", "SelfScaledBFGS", "SelfScaledBroyden", "get_method"]
