"""Reference solutions computed by pinnzoo's own code (nothing is downloaded)."""

from pinnzoo.references.cole_hopf import burgers_cole_hopf

__all__ = ["burgers_cole_hopf"]
