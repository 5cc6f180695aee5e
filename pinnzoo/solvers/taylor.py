"""Forward-mode ("Taylor-mode") derivatives of a solver's output with respect to its inputs.

For a prior that offers ``jets`` (the MLPs), value, first and second
derivatives are pushed forward through the network in one pass (see
:meth:`pinnzoo.priors.MLP.jets`) instead of differentiating a reverse pass
again. The input scaling contributes the factors ``1/half_width``; a hard
constraint ``u = T(x, N)`` is then differentiated exactly by nested
``tf.autodiff.ForwardAccumulator`` s, whose tangents carry ``N``'s jets, so any
transform written with TensorFlow ops works. Requests above second order, or
priors without ``jets``, fall back to nested tapes.

Reference for the idea: J. Bettencourt, M. J. Johnson, D. Duvenaud, "Taylor-mode
automatic differentiation for higher-order derivatives in JAX" (2019).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.problems.derivatives import parse_derivative, tape_derivatives


def taylor_derivatives(solver, points, inputs, outputs, requests):
    """Same contract as :func:`~pinnzoo.problems.derivatives.tape_derivatives`, for a PINN solver."""
    parsed = {r: parse_derivative(r, inputs, outputs) for r in requests}
    if (any(len(wrt) > 2 for _, wrt in parsed.values()) or not getattr(solver.prior, "has_jets", False)
            or getattr(solver, "periodic_embedding", False)):
        return tape_derivatives(solver, points, inputs, outputs, requests)
    order = {name: i for i, name in enumerate(inputs)}
    firsts = sorted({v for _, wrt in parsed.values() for v in wrt}, key=order.get)
    seconds = sorted({tuple(sorted(wrt, key=order.get)) for _, wrt in parsed.values() if len(wrt) == 2})
    dtype = points.dtype
    d = len(inputs)
    center = tf.constant(solver._center, dtype)
    half = tf.constant(solver._half, dtype)
    scaled = (points - center) / half
    ones = tf.ones_like(points[:, :1])
    direction = {k: ones * tf.constant(np.eye(d)[order[k]] / solver._half, dtype) for k in firsts}
    n, dn, ddn = solver.prior.jets(scaled, direction, {p: None for p in seconds})
    if not solver.hard_constraints:
        u, du, ddu = n, dn, ddn
    else:
        # u = T(x, N(x)): replace N by its exact second-order Taylor polynomial around each
        # point, n(x) = N + Σ N_k δ_k + Σ_{k<l} N_kl δ_k δ_l + ½ Σ N_kk δ_k², δ = x - x0 (zero
        # in value, one in derivative), and differentiate the cheap pointwise composite with
        # tapes: its derivatives up to order two equal those of T(x, N(x)).
        def composite(x):
            xc = [x[:, i:i + 1] for i in range(d)]
            delta = {k: xc[order[k]] - tf.stop_gradient(xc[order[k]]) for k in firsts}
            local = n + tf.add_n([dn[k] * delta[k] for k in firsts]) if firsts else n
            for k, l in seconds:
                local += (0.5 if k == l else 1.0) * ddn[(k, l)] * delta[k] * delta[l]
            return solver.problem.hard_constraint(dict(zip(inputs, xc)), local)

        return tape_derivatives(composite, points, inputs, outputs, requests)
    fields = {name: points[:, i:i + 1] for i, name in enumerate(inputs)}
    for j, name in enumerate(outputs):
        fields[name] = u[:, j:j + 1]
    for req, (out, wrt) in parsed.items():
        j = outputs.index(out)
        if len(wrt) == 1:
            fields[req] = du[wrt[0]][:, j:j + 1]
        else:
            fields[req] = ddu[tuple(sorted(wrt, key=order.get))][:, j:j + 1]
    return fields
