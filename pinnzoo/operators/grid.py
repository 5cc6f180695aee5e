"""Finite-difference PDE operators on uniform 2-D grids, applied with ``tf.nn.conv2d``.

A :class:`GridOperator` acts on fields ``[B, ny, nx, 1]`` of grid unknowns: ``A``
is the stencil (convolutions), ``A_adjoint`` its exact transpose, and ``matrix``
the same operator assembled independently as a ``scipy.sparse`` matrix (for
references, classical solves and the test that the two agree). Unknowns are
flattened row-major (``y`` slow, ``x`` fast), as ``numpy.ravel`` does.

Grids on the unit square:

* node-centred (:class:`Laplacian`, :class:`Gradient`, :class:`Divergence`): ``n × n`` nodes, ``h = 1/(n − 1)``; the unknowns
  are the ``(n − 2)²`` interior nodes, the boundary values are zero (homogeneous
  Dirichlet; inhomogeneous data enter the right-hand side);
* cell-centred (:class:`Diffusion`): ``m × m`` cells, ``h = 1/m``; zero Dirichlet
  values on the boundary faces, through mirror-negated ghost cells.

These operators are the links between the two halves of pinnzoo: a convolutional
prior can be fitted through them as through an imaging operator.
"""

from __future__ import annotations

import abc

import numpy as np
import scipy.sparse as sp
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.linear import LinearOperator
from pinnzoo.registry import Registry


#: name -> grid operator class (finite-difference stencils and the Darcy operator), each tested by its examples
GRID_OPERATORS: Registry = Registry("grid operator", InputError)


class GridOperator(LinearOperator):
    """A linear operator on grid fields with its adjoint and its sparse matrix (which every grid operator has)."""

    #: spatial shape ``(ny, nx)`` of the unknowns
    shape: tuple[int, int]
    #: channels ``(in, out)`` of the fields it maps (a gradient maps 1 to 2)
    channels: tuple[int, int] = (1, 1)

    @abc.abstractmethod
    def A(self, u) -> tf.Tensor:
        """``A u`` for fields ``u [B, ny, nx, 1]``."""

    @abc.abstractmethod
    def A_adjoint(self, v) -> tf.Tensor:
        """``Aᵀ v``, with ``⟨A u, v⟩ = ⟨u, Aᵀ v⟩``."""

    @abc.abstractmethod
    def matrix(self) -> sp.csr_matrix:
        """The operator as a sparse matrix on the raveled fields, assembled without TensorFlow."""

    def example_input_shape(self, batch: int = 2) -> tuple[int, ...]:
        return (batch, *self.shape, self.channels[0])

    def _check(self, u) -> tf.Tensor:
        u = tf.convert_to_tensor(u)
        if u.shape.rank != 4 or tuple(u.shape[1:3]) != tuple(self.shape) or u.shape[3] != 1:
            raise InputError(f"{type(self).__name__} acts on fields [B, {self.shape[0]}, {self.shape[1]}, 1], "
                             f"got {list(u.shape)}")
        return u


class Stencil(GridOperator):
    """A constant-coefficient stencil ``kernel [k, k, c_in, c_out]`` (``k`` odd) applied by zero-padded
    ("same") ``tf.nn.conv2d``: the values outside the grid are zero (homogeneous Dirichlet data)."""

    kernel: np.ndarray

    @property
    def channels(self) -> tuple[int, int]:
        return int(self.kernel.shape[2]), int(self.kernel.shape[3])

    def _check(self, u, channels=None):
        u = tf.convert_to_tensor(u)
        c = self.channels[0] if channels is None else channels
        if u.shape.rank != 4 or tuple(u.shape[1:3]) != tuple(self.shape) or u.shape[3] != c:
            raise InputError(f"{type(self).__name__} acts on fields [B, {self.shape[0]}, {self.shape[1]}, {c}], "
                             f"got {list(u.shape)}")
        return u

    def A(self, u):
        u = self._check(u)
        return tf.nn.conv2d(u, tf.constant(self.kernel, dtype=u.dtype), strides=1, padding="SAME")

    def A_adjoint(self, v):
        v = self._check(v, self.channels[1])
        # the transpose of a zero-padded correlation: the kernel flipped in space, inputs and outputs swapped
        flipped = np.ascontiguousarray(self.kernel[::-1, ::-1].transpose(0, 1, 3, 2))
        return tf.nn.conv2d(v, tf.constant(flipped, dtype=v.dtype), strides=1, padding="SAME")

    def matrix(self):
        """Rows and columns index ``(y, x, channel)`` row-major, as ``numpy.ravel`` of ``[ny, nx, C]``."""
        (ny, nx), (cin, cout), r = self.shape, self.channels, self.kernel.shape[0] // 2
        i, j = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
        rows, cols, vals = [], [], []
        for (a, b, ci, co), w in np.ndenumerate(self.kernel):
            if w == 0:
                continue
            ii, jj = i + a - r, j + b - r
            inside = (ii >= 0) & (ii < ny) & (jj >= 0) & (jj < nx)
            rows.append((i[inside] * nx + j[inside]) * cout + co)
            cols.append((ii[inside] * nx + jj[inside]) * cin + ci)
            vals.append(np.full(int(inside.sum()), w))
        return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(ny * nx * cout, ny * nx * cin))


class NodeGrid:
    """The interior nodes of an ``n × n`` node grid on the unit square, ``h = 1/(n − 1)``."""

    def __init__(self, n: int):
        if int(n) < 3:
            raise InputError(f"a node grid needs n >= 3 nodes per side, got {n}")
        self.n, self.h = int(n), 1.0 / (int(n) - 1)
        self.shape = (self.n - 2, self.n - 2)

    def nodes(self) -> np.ndarray:
        """Coordinates ``[n, n, 2]`` (``x``, ``y``) of all nodes, boundary included."""
        t = np.linspace(0.0, 1.0, self.n)
        y, x = np.meshgrid(t, t, indexing="ij")
        return np.stack([x, y], axis=-1)


@GRID_OPERATORS.decorator()
class Laplacian(NodeGrid, Stencil):
    r"""The discrete Laplacian ``Δ_h`` on the interior nodes of an ``n × n`` node grid, zero on the boundary.

    ``order=2``: the 5-point stencil ``(u_E + u_W + u_N + u_S − 4 u) / h²``, second order.
    ``order=4``: the compact 9-point ("Mehrstellen") stencil
    ``(4 (u_E + u_W + u_N + u_S) + (u_NE + u_NW + u_SE + u_SW) − 20 u) / (6 h²)``, which satisfies
    ``L₉ u = Δu + (h²/12) Δ²u + O(h⁴)``: solving ``L₉ u_h = f + (h²/12) Δ_h f`` is fourth-order accurate
    (L. Collatz, *The numerical treatment of differential equations*, 1960; the correction is
    :meth:`corrected_rhs`). Both kernels are symmetric, so the operator is self-adjoint.
    """

    KERNELS = {2: np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]),
               4: np.array([[1.0, 4.0, 1.0], [4.0, -20.0, 4.0], [1.0, 4.0, 1.0]]) / 6.0}

    name = "laplacian"

    @classmethod
    def examples(cls):
        return [cls(9, order=2), cls(12, order=4)]

    def __init__(self, n: int, order: int = 2):
        super().__init__(n)
        if order not in self.KERNELS:
            raise InputError(f"Laplacian order must be 2 (5-point) or 4 (9-point), got {order}")
        self.order = int(order)
        self.kernel = (self.KERNELS[self.order] / self.h ** 2)[:, :, None, None]

    def corrected_rhs(self, f_nodes: np.ndarray) -> np.ndarray:
        """The right-hand side on the interior for ``Δu = f``: ``f`` itself for the 5-point stencil,
        ``f + (h²/12) Δ_h f`` (5-point ``Δ_h`` of ``f`` given on all nodes) for the 9-point one."""
        f = np.asarray(f_nodes, dtype=np.float64)
        inner = f[1:-1, 1:-1]
        if self.order == 2:
            return inner.copy()
        lap = (f[2:, 1:-1] + f[:-2, 1:-1] + f[1:-1, 2:] + f[1:-1, :-2] - 4.0 * inner) / self.h ** 2
        return inner + self.h ** 2 / 12.0 * lap


_CENTRAL = np.array([-1.0, 0.0, 1.0])


@GRID_OPERATORS.decorator()
class Gradient(NodeGrid, Stencil):
    """Central differences ``(∂x u, ∂y u) ≈ ((u_E − u_W) / 2h, (u_N − u_S) / 2h)`` at the interior nodes
    (channels 0 and 1 of the output), second order; zero values on the boundary."""

    name = "gradient"

    @classmethod
    def examples(cls):
        return [cls(10)]

    def __init__(self, n: int):
        super().__init__(n)
        k = np.zeros((3, 3, 1, 2))
        k[1, :, 0, 0] = _CENTRAL / (2 * self.h)   # along x (the second spatial axis)
        k[:, 1, 0, 1] = _CENTRAL / (2 * self.h)   # along y (the first)
        self.kernel = k


@GRID_OPERATORS.decorator()
class Divergence(NodeGrid, Stencil):
    """Central differences ``∂x v₀ + ∂y v₁`` of a vector field ``[B, m, m, 2]`` at the interior nodes,
    second order; zero values on the boundary. With these boundary values it is exactly
    ``−Gradientᵀ`` (summation by parts)."""

    name = "divergence"

    @classmethod
    def examples(cls):
        return [cls(8)]

    def __init__(self, n: int):
        super().__init__(n)
        k = np.zeros((3, 3, 2, 1))
        k[1, :, 0, 0] = _CENTRAL / (2 * self.h)
        k[:, 1, 1, 0] = _CENTRAL / (2 * self.h)
        self.kernel = k


@GRID_OPERATORS.decorator()
class Diffusion(GridOperator):
    r"""``−∇·(a ∇u)`` on an ``m × m`` cell-centred grid with zero Dirichlet values on the boundary.

    Fluxes through the faces use the harmonic mean of the two cells' coefficients,
    ``a_{i+½} = 2 a_i a_{i+1} / (a_i + a_{i+1})`` (exact for a piecewise-constant
    ``a`` in one dimension, the usual choice for discontinuous coefficients); on a
    boundary face the cell's own ``a`` and the distance ``h/2`` to the boundary.
    The operator is ``Dᵀ diag(a_faces) D`` with ``D`` the face differences (both by
    ``tf.nn.conv2d``), hence symmetric positive definite, and second-order accurate.

    Args:
        a: cell coefficients ``[m, m]``, all > 0.
    """

    name = "diffusion"

    @classmethod
    def examples(cls):
        return [cls(np.random.default_rng(3).uniform(0.5, 4.0, (7, 7))),
                cls(np.where(np.random.default_rng(4).random((8, 8)) > 0.5, 12.0, 3.0))]

    def __init__(self, a):
        a = np.asarray(a, dtype=np.float64)
        if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 2:
            raise InputError(f"the coefficient must be a square [m, m] array of cells, got shape {a.shape}")
        if not np.all(np.isfinite(a)) or not np.all(a > 0):
            raise InputError("the coefficient must be finite and positive in every cell")
        self.a, self.m = a, a.shape[0]
        self.h = 1.0 / self.m
        self.shape = (self.m, self.m)
        face_x, face_y = face_coefficients(tf.constant(a))
        self.face_x, self.face_y = face_x.numpy(), face_y.numpy()

    @staticmethod
    def _differences(u):
        """Face differences of ``u`` padded with zeros (the boundary values): x ``[B, m, m+1]``, y ``[B, m+1, m]``."""
        p = tf.pad(u, [[0, 0], [1, 1], [1, 1], [0, 0]])
        kx = tf.constant(np.array([[-1.0, 1.0]])[:, :, None, None], dtype=u.dtype)
        ky = tf.constant(np.array([[-1.0], [1.0]])[:, :, None, None], dtype=u.dtype)
        dx = tf.nn.conv2d(p[:, 1:-1, :, :], kx, strides=1, padding="VALID")   # u_{j+1} - u_j across x-faces
        dy = tf.nn.conv2d(p[:, :, 1:-1, :], ky, strides=1, padding="VALID")
        return dx, dy

    def A(self, u):
        u = self._check(u)
        dx, dy = self._differences(u)
        fx = dx * tf.constant(self.face_x[None, :, :, None], dtype=u.dtype)
        fy = dy * tf.constant(self.face_y[None, :, :, None], dtype=u.dtype)
        # minus the divergence of the fluxes: Dᵀ applied to the weighted differences
        kx = tf.constant(np.array([[1.0, -1.0]])[:, :, None, None], dtype=u.dtype)
        ky = tf.constant(np.array([[1.0], [-1.0]])[:, :, None, None], dtype=u.dtype)
        return (tf.nn.conv2d(fx, kx, strides=1, padding="VALID")
                + tf.nn.conv2d(fy, ky, strides=1, padding="VALID"))

    def A_adjoint(self, v):
        return self.A(v)  # Dᵀ W D is symmetric

    def matrix(self):
        m = self.m
        index = np.arange(m * m).reshape(m, m)
        diag = np.zeros((m, m))
        rows, cols, vals = [], [], []
        for i in range(m):
            for j in range(m):
                for (ii, jj), w in (((i, j + 1), self.face_x[i, j + 1]), ((i, j - 1), self.face_x[i, j]),
                                    ((i + 1, j), self.face_y[i + 1, j]), ((i - 1, j), self.face_y[i, j])):
                    diag[i, j] += w
                    if 0 <= ii < m and 0 <= jj < m:
                        rows.append(index[i, j])
                        cols.append(index[ii, jj])
                        vals.append(-w)
        rows += list(index.ravel())
        cols += list(index.ravel())
        vals += list(diag.ravel())
        return sp.csr_matrix((vals, (rows, cols)), shape=(m * m, m * m))

    def centres(self) -> np.ndarray:
        """Coordinates ``[m, m, 2]`` (``x``, ``y``) of the cell centres."""
        t = (np.arange(self.m) + 0.5) * self.h
        y, x = np.meshgrid(t, t, indexing="ij")
        return np.stack([x, y], axis=-1)


def face_coefficients(a):
    """``(a_x [m, m + 1], a_y [m + 1, m]) / h²``: :class:`Diffusion`'s face coefficients of the cell
    coefficients ``a [m, m]`` (a tensor; differentiable): harmonic means across inner faces, ``2 a`` on the
    boundary faces (the distance ``h/2`` to the boundary folded in)."""
    m = int(a.shape[0])
    inner_x = 2 * a[:, 1:] * a[:, :-1] / (a[:, 1:] + a[:, :-1])
    inner_y = 2 * a[1:, :] * a[:-1, :] / (a[1:, :] + a[:-1, :])
    ax = tf.concat([2 * a[:, :1], inner_x, 2 * a[:, -1:]], axis=1)
    ay = tf.concat([2 * a[:1, :], inner_y, 2 * a[-1:, :]], axis=0)
    return ax * m ** 2, ay * m ** 2


def face_differences(m: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(D_x [m(m+1), m²], D_y [(m+1)m, m²])``: the differences of cell values across the x- and y-faces
    (row-major face index, zero values outside), so that ``Diffusion = D_xᵀ diag(a_x) D_x + D_yᵀ diag(a_y) D_y``."""
    cells = np.arange(m * m).reshape(m, m)
    ones = np.ones(m * m)

    def along(axis):
        shape = (m, m + 1) if axis == 1 else (m + 1, m)
        faces = np.arange(shape[0] * shape[1]).reshape(shape)
        after = faces[:, 1:] if axis == 1 else faces[1:, :]     # the face after each cell: +u of that cell
        before = faces[:, :-1] if axis == 1 else faces[:-1, :]  # the face before it: −u
        rows = np.concatenate([before.ravel(), after.ravel()])
        vals = np.concatenate([-ones, ones])
        return sp.csr_matrix((vals, (rows, np.concatenate([cells.ravel()] * 2))), shape=(faces.size, m * m))

    return along(1), along(0)


def diffusion_matrix(face_x: np.ndarray, face_y: np.ndarray, differences=None) -> sp.csc_matrix:
    """:class:`Diffusion`'s matrix assembled from its face coefficients (vectorised: ``Dᵀ W D``), for repeated
    solves with a changing coefficient; ``differences`` are :func:`face_differences` of the grid, if at hand."""
    dx, dy = differences or face_differences(face_x.shape[0])
    return (dx.T @ sp.diags(face_x.ravel()) @ dx + dy.T @ sp.diags(face_y.ravel()) @ dy).tocsc()
