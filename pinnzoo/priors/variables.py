"""Which variables of a prior are which: their paths inside the prior, and its last layers (for warm starts that
re-initialise them and for the last layer's least-squares refit)."""

from __future__ import annotations

from pinnzoo.errors import InitError


def relative_path(prior, variable) -> str:
    """``variable``'s path inside ``prior`` (without the prior's own, process-dependent, name)."""
    path = variable.path
    marker = prior.name + "/"
    return path.split(marker, 1)[1] if marker in path else path


def reset_start(prior, layers: int) -> int:
    """Index into ``prior.weights`` from which the last ``layers`` layers with a kernel (and what follows) begin."""
    if layers <= 0:
        return len(prior.weights)
    owners = [relative_path(prior, v).rpartition("/")[::2] for v in prior.weights]  # (layer, variable)
    starts = [i for i, (owner, name) in enumerate(owners)
              if name == "kernel" and (i == 0 or owners[i - 1][0] != owner or owners[i - 1][1] != "kernel")]
    if layers > len(starts):
        raise InitError(f"--init-reset {layers}: the prior has only {len(starts)} layers with a kernel")
    first = starts[-layers]
    owner = owners[first][0]
    while first > 0 and owners[first - 1][0] == owner:  # the layer's other variables before its kernel
        first -= 1
    return first


def last_layer_variables(prior, layers: int = 1) -> list:
    """The variables of ``prior``'s last ``layers`` layers with a kernel (and whatever follows them)."""
    return list(prior.weights[reset_start(prior, layers):])
