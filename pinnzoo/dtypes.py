"""Choosing the float type of a model build (float32 by default, float64 on request)."""

from __future__ import annotations

import contextlib

import keras


@contextlib.contextmanager
def float_type(dtype: str):
    """Build models inside this block in ``dtype`` ("float32" or "float64").

    Sets both Keras's float type and its global dtype policy (a policy set
    elsewhere, e.g. by ``keras.saving.load_model``, would otherwise override
    ``floatx``), and restores both afterwards.
    """
    if dtype not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"unknown float type {dtype!r}")
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(floatx)
        keras.config.set_dtype_policy(policy)
