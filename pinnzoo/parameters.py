"""Declared problem parameters: what ``pinnzoo train PRESET --set NAME=VALUE`` and ``preset.build(params=...)`` change.

A :class:`Parameter` is a name, a default, a type (real or integer) and the closed
range in which the problem and its reference solver are valid. :func:`resolve`
checks a user's values against the declarations: an unknown name is an error with
the closest declared name, a value of the wrong type or outside the range an error
that names the range. Everything raises :class:`ParameterError`, which the CLI
turns into a message and exit code 2.

    >>> resolve("burgers", [Parameter("nu", 0.01 / math.pi, 1e-3, 1.0)], {"mu": 0.005})
    ParameterError: burgers has no parameter 'mu' (did you mean 'nu'?); its parameters: nu
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
from typing import Iterable, Mapping, Sequence

from pinnzoo.errors import ProblemError


class ParameterError(ProblemError):
    """An unknown problem parameter, or a value of the wrong type or out of its declared range."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One declared parameter of a problem: ``default``, closed range ``[low, high]``, integer or real."""

    name: str
    default: float
    low: float = -math.inf
    high: float = math.inf
    integer: bool = False
    doc: str = ""

    def coerce(self, value, owner: str):
        """``value`` (a number, or the text of one as typed after ``--set``) as this parameter's type, checked."""
        original = value
        if isinstance(value, bool):
            raise ParameterError(f"{owner}: {self.name} must be a number, got {value!r}")
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ParameterError(f"{owner}: {self.name} must be {self.kind}, got {value!r}") from None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{owner}: {self.name} must be {self.kind}, got {value!r}") from None
        if not math.isfinite(number):
            raise ParameterError(f"{owner}: {self.name} must be finite, got {original!r}")
        if self.integer and number != int(number):
            raise ParameterError(f"{owner}: {self.name} must be an integer, got {original!r}")
        if not self.low <= number <= self.high:
            raise ParameterError(f"{owner}: {self.name} = {self.text(number)} is out of range; {self.range_text()}")
        return int(number) if self.integer else number

    @property
    def kind(self) -> str:
        return "an integer" if self.integer else "a real number"

    def text(self, value) -> str:
        return str(int(value)) if self.integer else f"{value:g}"

    def range_text(self) -> str:
        lo, hi = math.isfinite(self.low), math.isfinite(self.high)
        if lo and hi:
            return f"{self.name} must lie in [{self.text(self.low)}, {self.text(self.high)}]"
        if lo:
            return f"{self.name} must be >= {self.text(self.low)}"
        return f"{self.name} must be <= {self.text(self.high)}" if hi else f"{self.name} may be any {self.kind}"

    def describe(self) -> dict:
        return {"name": self.name, "default": self.default, "low": self.low, "high": self.high,
                "integer": self.integer, "doc": self.doc}


def resolve(owner: str, declared: Sequence[Parameter], given: Mapping[str, object]) -> dict:
    """Every declared parameter's value: ``given``'s where set (checked), the default elsewhere."""
    by_name = {p.name: p for p in declared}
    for name in given:
        if name not in by_name:
            raise ParameterError(unknown_message(owner, name, by_name))
    return {p.name: p.coerce(given[p.name], owner) if p.name in given else p.default for p in declared}


def unknown_message(owner: str, name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    if not known:
        return f"{owner} has no parameters to set (got {name!r})"
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{owner} has no parameter {name!r}{hint}; its parameters: {', '.join(known)}"


def parse_assignments(texts: Sequence[str]) -> dict[str, str]:
    """``["nu=0.005", "k=12.566"]`` → ``{"nu": "0.005", "k": "12.566"}`` (the values are checked by :func:`resolve`)."""
    out: dict[str, str] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ParameterError(f"--set expects NAME=VALUE (as in --set nu=0.005), got {text!r}")
        if name in out:
            raise ParameterError(f"--set {name} is given twice")
        out[name] = value
    return out


def sweep(assignments: Mapping[str, str]) -> list[dict[str, str]]:
    """The instances of ``--set`` assignments whose values may be comma-separated lists: every combination,
    in order (``{"seed": "1,2", "nu": "0.01"}`` → ``[{"seed": "1", "nu": "0.01"}, {"seed": "2", "nu": "0.01"}]``)."""
    names = list(assignments)
    choices = []
    for name in names:
        values = [v.strip() for v in str(assignments[name]).split(",")]
        if not all(values):
            raise ParameterError(f"--set {name}={assignments[name]}: an empty value in the list")
        choices.append(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*choices)]
