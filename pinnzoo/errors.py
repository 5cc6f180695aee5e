"""Named exceptions: every user-facing failure of pinnzoo raises one of these."""


class PinnzooError(Exception):
    """Base class of pinnzoo's errors; the CLI turns it into a message and exit code 2."""


class ProblemError(PinnzooError, ValueError):
    """A problem, domain or condition is ill defined."""


class PresetError(PinnzooError, KeyError):
    """An unknown preset name."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InputError(PinnzooError, ValueError):
    """Bad user input: wrong shape, NaN/inf, unreadable file."""


class ExportError(PinnzooError):
    """A SavedModel directory is missing, incomplete or not a pinnzoo export."""


class TrainingError(PinnzooError):
    """Training diverged (NaN/inf loss) or could not run."""


class InitError(PinnzooError):
    """A warm start cannot be made: the source is not a usable export, or its prior's architecture differs."""
