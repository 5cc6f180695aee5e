"""Derivatives of a network's outputs with respect to its input coordinates.

Problems name the derivatives they need as strings: ``"u_t"``, ``"u_xx"``,
``"v_xy"`` — an output name, an underscore, then one input name per order of
differentiation. :func:`parse_derivative` turns a name into
``(output, (input, input, ...))`` and :func:`tape_derivatives` computes any set
of them with nested ``tf.GradientTape`` s, one tape per order. Because the
points are independent (the network acts row by row), the gradient of the
*sum* of a column gives the point-wise derivative.

The interface — ``fn(inputs [N, d]) -> outputs [N, m]`` in, dict of named
``[N, 1]`` tensors out — is what the solvers call, so another derivative engine
(forward/Taylor mode) can replace the tapes without touching problems.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import tensorflow as tf

from pinnzoo.errors import ProblemError


def parse_derivative(name: str, inputs: Sequence[str], outputs: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """``"u_xt" -> ("u", ("x", "t"))``; the letters after ``_`` are input names.

    Input names may be longer than one letter only if no ambiguity arises; the
    parse is greedy over the known names.
    """
    out, sep, tail = name.partition("_")
    if not sep or out not in outputs or not tail:
        raise ProblemError(f"bad derivative name {name!r}: use OUTPUT_INPUTS such as 'u_xx' "
                           f"with outputs {tuple(outputs)} and inputs {tuple(inputs)}")
    wrt = []
    rest = tail
    by_length = sorted(inputs, key=len, reverse=True)
    while rest:
        match = next((var for var in by_length if rest.startswith(var)), None)
        if match is None:
            raise ProblemError(f"derivative {name!r} differentiates with respect to an unknown input "
                               f"(inputs are {tuple(inputs)})")
        wrt.append(match)
        rest = rest[len(match):]
    return out, tuple(wrt)


def tape_derivatives(fn: Callable[[tf.Tensor], tf.Tensor], points: tf.Tensor,
                     inputs: Sequence[str], outputs: Sequence[str],
                     requests: Iterable[str]) -> dict[str, tf.Tensor]:
    """Outputs and requested derivatives of ``fn`` at ``points`` by nested tapes.

    Returns a dict with every output name, every input name (the coordinate
    columns) and every requested derivative name, each of shape ``[N, 1]``.
    """
    parsed = {r: parse_derivative(r, inputs, outputs) for r in requests}
    order = max((len(wrt) for _, wrt in parsed.values()), default=0)
    cols = [points[:, i:i + 1] for i in range(len(inputs))]
    # Everything to compute, keyed by (output, wrt-prefix); shorter prefixes first.
    needed = {(out, wrt[:k]) for out, wrt in parsed.values() for k in range(1, len(wrt) + 1)}

    def up_to(level: int) -> dict:
        """All needed derivatives of order <= level, recorded by the enclosing tapes."""
        if level == 0:
            values = fn(tf.concat(cols, axis=1))
            return {(name, ()): values[:, j:j + 1] for j, name in enumerate(outputs)}
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(cols)
            known = up_to(level - 1)
        for out, wrt in sorted(n for n in needed if len(n[1]) == level):
            known[(out, wrt)] = tape.gradient(known[(out, wrt[:-1])], cols[inputs.index(wrt[-1])],
                                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return known

    known = up_to(order)
    fields: dict[str, tf.Tensor] = dict(zip(inputs, cols))
    for name in outputs:
        fields[name] = known[(name, ())]
    for req, key in parsed.items():
        fields[req] = known[key]
    return fields
