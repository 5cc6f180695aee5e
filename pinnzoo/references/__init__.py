"""Reference solutions computed by pinnzoo's own code (nothing is downloaded)."""

from pinnzoo.references.cole_hopf import burgers_cole_hopf
from pinnzoo.references.spectral import PeriodicReference, etdrk4, periodic_interpolate

__all__ = ["PeriodicReference", "burgers_cole_hopf", "etdrk4", "periodic_interpolate"]
