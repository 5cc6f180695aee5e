"""Forward-mode ("Taylor-mode") derivatives of a solver's output with respect to its inputs.

For a prior that is a :class:`~pinnzoo.priors.base.ForwardJets` (MLP, FourierMLP), value, first and second
derivatives are pushed forward through the network in one pass (see
:meth:`pinnzoo.priors.MLP.jets`) instead of differentiating a reverse pass
again. The input scaling contributes the factors ``1/half_width`` (a periodic
embedding its sine and cosine derivatives, see :func:`_embedding_jets`); a hard
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
from pinnzoo.priors.base import ForwardJets


def _embedding_jets(solver, points, inputs, firsts, seconds):
    """The network input (``solver.embed``) and its first and second derivatives along each coordinate.

    Scaling to [-1, 1] is linear (first derivative ``1/half_width``, no second);
    a periodic coordinate of period ``P`` becomes ``(cos ωx, sin ωx)``, ``ω = 2π/P``,
    with first derivative ``ω(-sin ωx, cos ωx)`` and second ``-ω²(cos ωx, sin ωx)``.
    """
    periodic = solver.problem.periodic if solver.periodic_embedding else {}
    d_cols, dd_cols = {k: [] for k in firsts}, {p: [] for p in seconds}
    zero = tf.zeros_like(points[:, :1])
    for i, name in enumerate(inputs):
        if name in periodic:
            w = 2.0 * np.pi / periodic[name]
            c, s = tf.cos(w * points[:, i:i + 1]), tf.sin(w * points[:, i:i + 1])
            for k in firsts:
                d_cols[k] += [-w * s, w * c] if k == name else [zero, zero]
            for p in seconds:
                dd_cols[p] += [-w * w * c, -w * w * s] if p == (name, name) else [zero, zero]
        else:
            for k in firsts:
                d_cols[k].append(zero + 1.0 / float(solver._half[i]) if k == name else zero)
            for p in seconds:
                dd_cols[p].append(zero)
    curved = {p for p in seconds if p[0] == p[1] and p[0] in periodic}
    return (solver.embed(points), {k: tf.concat(v, axis=1) for k, v in d_cols.items()},
            {p: (tf.concat(dd_cols[p], axis=1) if p in curved else None) for p in seconds})


def taylor_derivatives(solver, points, inputs, outputs, requests):
    """Same contract as :func:`~pinnzoo.problems.derivatives.tape_derivatives`, for a PINN solver."""
    parsed = {r: parse_derivative(r, inputs, outputs) for r in requests}
    if any(len(wrt) > 2 for _, wrt in parsed.values()) or not isinstance(solver.prior, ForwardJets):
        return tape_derivatives(solver, points, inputs, outputs, requests)
    order = {name: i for i, name in enumerate(inputs)}
    firsts = sorted({v for _, wrt in parsed.values() for v in wrt}, key=order.get)
    seconds = sorted({tuple(sorted(wrt, key=order.get)) for _, wrt in parsed.values() if len(wrt) == 2})
    d = len(inputs)
    embedded, direction, curvature = _embedding_jets(solver, points, inputs, firsts, seconds)
    n, dn, ddn = solver.prior.jets(embedded, direction, curvature)
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
