"""scipy's limited-memory L-BFGS-B as a :class:`~pinnzoo.optimizers.QuasiNewtonMethod`."""

from __future__ import annotations

import scipy.optimize

from pinnzoo.optimizers.base import QUASI_NEWTON, MinimizeResult, QuasiNewtonMethod


@QUASI_NEWTON.decorator()
class LBFGSB(QuasiNewtonMethod):
    """L-BFGS-B with 50 correction pairs and tolerances at float64 resolution (it runs until ``maxiter`` or
    until a step no longer changes the loss).

    Paper: R. H. Byrd, P. Lu, J. Nocedal, C. Zhu, "A limited memory algorithm for bound constrained
    optimization", SIAM J. Sci. Comput. 16 (1995); J. L. Morales, J. Nocedal, ACM TOMS 38 (2011)."""

    name = "lbfgs"

    def __init__(self, memory: int = 50):
        self.memory = int(memory)

    def minimize(self, fun, x0, maxiter, callback) -> MinimizeResult:
        result = scipy.optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", callback=callback,
                                         options={"maxiter": maxiter, "maxfun": int(maxiter * 1.25) + 20,
                                                  "maxcor": self.memory, "ftol": 1e-14, "gtol": 1e-12})
        return MinimizeResult(result.x, int(result.nit), int(result.nfev), str(result.message))
