"""One registry type for every vocabulary of pinnzoo: presets, problems, priors, operators, tasks, PSFs.

A :class:`Registry` maps a name to an object (a class, a factory or a preset).
Unknown names raise the registry's named error with the closest registered
name and the full list, so that the CLI can print one helpful line::

    >>> PRIORS.get("deep_decodr")
    InputError: unknown prior 'deep_decodr' (did you mean 'deep_decoder'?); available priors: ...
"""

from __future__ import annotations

import contextlib
import difflib
from typing import Callable, Generic, Iterator, TypeVar

from pinnzoo.errors import PinnzooError

T = TypeVar("T")


class Registry(Generic[T]):
    """Name → object, with suggestions for unknown names.

    Args:
        what: the singular noun used in messages ("preset", "prior", ...).
        error: the :class:`~pinnzoo.errors.PinnzooError` subclass raised for
            unknown or duplicate names.
        plural: the plural noun (``what + "s"`` if not given).
    """

    def __init__(self, what: str, error: type[PinnzooError], plural: str | None = None):
        self.what, self.error, self.plural = what, error, plural or f"{what}s"
        self._entries: dict[str, T] = {}

    def register(self, name: str, obj: T, *, replace: bool = False) -> T:
        """Add ``obj`` under ``name``; a second registration of a name is an error unless ``replace``."""
        if not isinstance(name, str) or not name:
            raise self.error(f"a {self.what} needs a non-empty string name, got {name!r}")
        if name in self._entries and not replace:
            raise self.error(f"{self.what} {name!r} is already registered")
        self._entries[name] = obj
        return obj

    def decorator(self, attribute: str = "name") -> Callable[[T], T]:
        """A class decorator registering a class under its ``attribute`` (``name`` by default)."""
        def register(cls):
            self.register(getattr(cls, attribute, None), cls, replace=True)
            return cls
        return register

    def get(self, name: str) -> T:
        if name not in self._entries:
            raise self.error(self.unknown_message(name))
        return self._entries[name]

    def unknown_message(self, name) -> str:
        names = self.names()
        close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown {self.what} {name!r}{hint}; available {self.plural}: {', '.join(names)}"

    def names(self) -> list[str]:
        return sorted(self._entries)

    def items(self):
        return sorted(self._entries.items())

    def values(self) -> list[T]:
        return [obj for _, obj in self.items()]

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    @contextlib.contextmanager
    def temporarily(self, name: str, obj: T) -> Iterator[T]:
        """Register ``obj`` for the duration of a ``with`` block (tests, notebooks), then restore the registry."""
        previous = self._entries.get(name)
        self.register(name, obj, replace=True)
        try:
            yield obj
        finally:
            if previous is None:
                self._entries.pop(name, None)
            else:
                self._entries[name] = previous

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __iter__(self):
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __repr__(self):
        return f"Registry({self.what}: {', '.join(self.names())})"
