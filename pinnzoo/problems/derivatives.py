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


def forward_derivatives(fn: Callable[[tf.Tensor], tf.Tensor], points: tf.Tensor,
                        inputs: Sequence[str], outputs: Sequence[str],
                        requests: Iterable[str]) -> dict[str, tf.Tensor]:
    """Same contract as :func:`tape_derivatives`, with ``tf.autodiff.ForwardAccumulator``.

    A derivative along input ``k`` is the Jacobian–vector product with the
    tangent ``e_k`` at every point (the network acts row by row). Without
    second derivatives everything is forward mode, one pass per direction.
    Second derivatives ``∂_l ∂_k u`` are forward-over-reverse: the accumulator
    with tangent ``e_l`` pushes through one tape gradient of each output (which
    also gives every first derivative), one pass per distinct ``l``. Forward over
    forward (two nested accumulators) computes the same values but, in
    TensorFlow 2.21, wrong weight gradients when a loss built from them is
    differentiated in reverse mode, so it is not used. Works for any ``fn`` made of
    TensorFlow ops; orders above two fall back to tapes.
    """
    parsed = {r: parse_derivative(r, inputs, outputs) for r in requests}
    if any(len(wrt) > 2 for _, wrt in parsed.values()):
        return tape_derivatives(fn, points, inputs, outputs, requests)
    order = {name: i for i, name in enumerate(inputs)}
    ones = tf.ones_like(points[:, :1])
    zero = tf.UnconnectedGradients.ZERO

    def tangent(k):
        return ones * tf.one_hot(order[k], len(inputs), dtype=points.dtype)

    seconds = {tuple(sorted(wrt, key=order.get)) for _, wrt in parsed.values() if len(wrt) == 2}
    second_outputs = sorted({outputs.index(out) for out, wrt in parsed.values() if len(wrt) == 2})
    values, first, second = None, {}, {}  # first[k]: [N, m]; second[(k, l)][j]: [N, 1]
    for l in sorted({pair[1] for pair in seconds}, key=order.get):
        with tf.autodiff.ForwardAccumulator(points, tangent(l)) as acc:
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(points)
                values = fn(points)
                columns = {j: values[:, j] for j in second_outputs}  # sliced where the tape sees it
            grads = {j: tape.gradient(c, points, unconnected_gradients=zero) for j, c in columns.items()}
            del tape
        first.setdefault(l, acc.jvp(values, unconnected_gradients=zero))
        for j, g in grads.items():
            hess_row = acc.jvp(g, unconnected_gradients=zero)
            for k, ll in seconds:
                if ll == l:
                    second.setdefault((k, l), {})[j] = hess_row[:, order[k]:order[k] + 1]
            first.setdefault(("tape", j), g)
    for k in sorted({wrt[0] for _, wrt in parsed.values() if len(wrt) == 1} - set(first), key=order.get):
        with tf.autodiff.ForwardAccumulator(points, tangent(k)) as acc:
            values = fn(points)
        first[k] = acc.jvp(values, unconnected_gradients=zero)
    if values is None:
        values = fn(points)
    fields: dict[str, tf.Tensor] = {name: points[:, i:i + 1] for i, name in enumerate(inputs)}
    for j, name in enumerate(outputs):
        fields[name] = values[:, j:j + 1]
    for req, (out, wrt) in parsed.items():
        j = outputs.index(out)
        if len(wrt) == 2:
            fields[req] = second[tuple(sorted(wrt, key=order.get))][j]
        elif wrt[0] in first:
            fields[req] = first[wrt[0]][:, j:j + 1]
        else:  # covered by a tape gradient of a forward-over-reverse pass
            fields[req] = first[("tape", j)][:, order[wrt[0]]:order[wrt[0]] + 1]
    return fields
