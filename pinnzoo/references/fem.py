r"""Finite-element references on 2-D geometries: gmsh meshes of a :mod:`pinnzoo.geometry` shape, curved quadratic
(isoparametric P2) elements in scikit-fem, and a refinement study that states their accuracy.

For :math:`-\nabla\cdot(a\nabla u) + c\,u = f` in Ω, :math:`u = g` on ∂Ω (or on the Dirichlet parts; natural
Neumann elsewhere), P2 elements on triangles whose boundary edges follow the true boundary (their midpoints are
moved onto it along the signed distance's gradient) converge as :math:`O(h^3)` in L2 for smooth solutions — a
refinement study halves ``h`` until two successive solutions agree to the accuracy wanted, and reports it.

Meshes: gmsh's OpenCASCADE kernel builds the region from the geometry's own tree (rectangles, disks, polygons,
union/difference/intersection), so the FEM solves the problem the PINN sees.

Paper: S. Brenner & L. R. Scott, *The Mathematical Theory of Finite Element Methods* (3rd ed., 2008), ch. 10
(isoparametric elements); C. Geuzaine & J.-F. Remacle, "Gmsh", Int. J. Numer. Meth. Eng. 79 (2009);
T. Gustafsson & G. D. McBain, "scikit-fem", J. Open Source Softw. 5 (2020) 2369.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np
from scipy.sparse import coo_matrix

from pinnzoo.errors import ProblemError
from pinnzoo.geometry import Difference, Geometry, Hypercube, Hypersphere, Intersection, Polygon, Union


def _occ(geometry: Geometry, occ) -> list[tuple[int, int]]:
    """The geometry as OpenCASCADE surfaces (dim tags) in gmsh's model."""
    if isinstance(geometry, Hypercube) and geometry.dim == 2:
        (x0, y0), (x1, y1) = geometry.lower, geometry.upper
        return [(2, occ.addRectangle(x0, y0, 0, x1 - x0, y1 - y0))]
    if isinstance(geometry, Hypersphere) and geometry.dim == 2:
        (cx, cy), r = geometry.center, geometry.radius
        return [(2, occ.addDisk(cx, cy, 0, r, r))]
    if isinstance(geometry, Polygon):
        points = [occ.addPoint(x, y, 0) for x, y in geometry.vertices]
        lines = [occ.addLine(points[k], points[(k + 1) % len(points)]) for k in range(len(points))]
        return [(2, occ.addPlaneSurface([occ.addCurveLoop(lines)]))]
    operation = {Union: occ.fuse, Difference: occ.cut, Intersection: occ.intersect}.get(type(geometry))
    if operation is None:
        raise ProblemError(f"no finite-element mesh for a {type(geometry).__name__} (2-D shapes and their set "
                           "operations only)")
    out, _ = operation(_occ(geometry.a, occ), _occ(geometry.b, occ))
    return out


def triangulate(geometry: Geometry, h: float, size: Callable[[float, float], float] | None = None):
    """A straight-sided triangle mesh (skfem ``MeshTri``) of the 2-D ``geometry`` with element size ``h``, or
    ``size(x, y)`` (at most ``h``) where given: a mesh graded towards a singularity."""
    import gmsh
    from skfem import MeshTri

    gmsh.initialize(readConfigFiles=False)
    try:
        gmsh.option.setNumber("General.Verbosity", 0)
        gmsh.model.add("pinnzoo")
        _occ(geometry, gmsh.model.occ)
        gmsh.model.occ.synchronize()
        gmsh.option.setNumber("Mesh.MeshSizeMax", h)
        gmsh.option.setNumber("Mesh.MeshSizeMin", h if size is None else 0.0)
        if size is not None:
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
            gmsh.model.mesh.setSizeCallback(lambda dim, tag, x, y, z, lc: min(h, float(size(x, y))))
        gmsh.model.mesh.generate(2)
        tags, coords, _ = gmsh.model.mesh.getNodes()
        _, _, nodes = gmsh.model.mesh.getElements(2)
    finally:
        gmsh.finalize()
    lookup = np.zeros(int(tags.max()) + 1, dtype=np.int64)
    lookup[tags.astype(np.int64)] = np.arange(len(tags))
    cells = lookup[np.concatenate(nodes).astype(np.int64)].reshape(-1, 3)
    used = np.unique(cells)
    renumber = np.full(len(tags), -1)
    renumber[used] = np.arange(len(used))
    return MeshTri(np.ascontiguousarray(coords.reshape(-1, 3)[used, :2].T), np.ascontiguousarray(renumber[cells].T))


def project(geometry: Geometry, points: np.ndarray, steps: int = 4, h: float = 1e-7) -> np.ndarray:
    """Points moved onto the boundary along the signed distance's gradient (exact for lines and circles)."""
    for _ in range(steps):
        grad = np.stack([(geometry.sdf(points + h * e) - geometry.sdf(points - h * e)) / (2 * h)
                         for e in np.eye(2)], axis=1)
        points = points - geometry.sdf(points)[:, None] * grad
    return points


def curved(mesh, geometry: Geometry):
    """The quadratic (``MeshTri2``) mesh of ``mesh`` whose boundary edges' midpoints lie on the true boundary."""
    from skfem import MeshTri2

    quadratic = MeshTri2.from_mesh(mesh)
    locations = quadratic.doflocs.copy()
    boundary = mesh.p.shape[1] + mesh.boundary_facets()  # the facet (midpoint) nodes follow the vertices
    locations[:, boundary] = project(geometry, locations[:, boundary].T).T
    return MeshTri2(locations, quadratic.t)


def find_cells(mesh, points: np.ndarray, candidates: int = 12) -> np.ndarray:
    """The triangle of the straight ``mesh`` that holds each point: among the ``candidates`` nearest centroids the
    one whose smallest barycentric coordinate is largest (inside: ≥ 0; a point a curved edge puts just outside the
    straight mesh gets its nearest triangle). Linear in the number of points (skfem's own finder compares every
    point with the candidates of all points, and with every triangle when one point falls outside)."""
    from scipy.spatial import cKDTree

    if not hasattr(mesh, "_pinnzoo_tree"):
        mesh._pinnzoo_tree = cKDTree(mesh.p[:, mesh.t].mean(axis=1).T)
    k = min(candidates, mesh.t.shape[1])
    near = mesh._pinnzoo_tree.query(points, k)[1].reshape(len(points), k)
    a, b, c = (mesh.p[:, mesh.t[i, near]] for i in range(3))  # [2, N, k] each
    v0, v1, w = b - a, c - a, points.T[:, :, None] - a
    det = v0[0] * v1[1] - v0[1] * v1[0]
    l1 = (w[0] * v1[1] - w[1] * v1[0]) / det
    l2 = (v0[0] * w[1] - v0[1] * w[0]) / det
    worst = np.minimum(np.minimum(l1, l2), 1 - l1 - l2)
    return near[np.arange(len(points)), worst.argmax(axis=1)]


@dataclasses.dataclass
class FEMSolution:
    """A P2 solution on a curved mesh: its basis, degrees of freedom, the straight mesh (to find cells) and the
    solve's size and wall time."""

    basis: object
    dofs: np.ndarray
    straight: object
    h: float
    seconds: float

    @property
    def size(self) -> int:
        return int(self.basis.N)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Values at ``points [N, 2]`` (each inside the region), shape ``[N]``."""
        return self.probes(points) @ self.dofs

    def probes(self, points: np.ndarray):
        """The sparse matrix that evaluates a P2 field at ``points``: cells found on the straight mesh (which
        covers the region where boundaries curve away from it, as around holes), local coordinates by
        inverting the curved map."""
        x = np.ascontiguousarray(np.asarray(points, dtype=float).T)
        cells = find_cells(self.straight, x.T)
        local = self.basis.mapping.invF(x[:, :, None], tind=cells)
        phis = np.array([self.basis.elem.gbasis(self.basis.mapping, local, k, tind=cells)[0]
                         for k in range(self.basis.Nbfun)]).ravel()
        rows = np.tile(np.arange(x.shape[1]), self.basis.Nbfun)
        return coo_matrix((phis, (rows, self.basis.element_dofs[:, cells].ravel())),
                          shape=(x.shape[1], self.basis.N)).tocsr()


def solve_elliptic(geometry: Geometry, h: float, dirichlet: Callable, source: Callable | float = 0.0,
                   diffusion: Callable | float = 1.0, reaction: float = 0.0,
                   on: Callable[[np.ndarray], np.ndarray] | None = None) -> FEMSolution:
    r"""P2 solution of :math:`-\nabla\cdot(a\nabla u) + c u = f`, :math:`u = g` on the boundary nodes where
    ``on(points)`` holds (all of them by default; natural Neumann data zero elsewhere).

    ``dirichlet``, ``source`` and ``diffusion`` are numpy functions of ``(x, y)`` (or constants)."""
    from skfem import Basis, BilinearForm, ElementTriP2, LinearForm, condense, solve
    from skfem.helpers import dot, grad

    start = time.perf_counter()
    straight = triangulate(geometry, h)
    basis = Basis(curved(straight, geometry), ElementTriP2())
    value = lambda fn, w: fn(w.x[0], w.x[1]) if callable(fn) else fn  # noqa: E731

    @BilinearForm
    def stiffness(u, v, w):
        return value(diffusion, w) * dot(grad(u), grad(v)) + reaction * u * v

    @LinearForm
    def load(v, w):
        return value(source, w) * v

    boundary = basis.get_dofs().all()
    if on is not None:
        boundary = boundary[on(basis.doflocs[:, boundary].T)]
    u = np.zeros(basis.N)
    u[boundary] = dirichlet(*basis.doflocs[:, boundary])
    u = solve(*condense(stiffness.assemble(basis), load.assemble(basis), x=u, D=boundary))
    return FEMSolution(basis, u, straight, h, time.perf_counter() - start)


def refinement_study(solve: Callable[[float], FEMSolution], sizes, points: np.ndarray) -> list[dict]:
    """Solve at each mesh size (coarse to fine) and compare each solution with the previous at ``points``:
    ``[{"h", "dofs", "seconds", "change"}]``, ``change`` the relative L2 difference (None for the first). With
    O(h³) convergence the finest solution's error is about a seventh of its change."""
    rows, previous = [], None
    for h in sizes:
        solution = solve(h)
        values = solution(points)
        change = None if previous is None else float(np.sqrt(np.mean((values - previous) ** 2) / np.mean(values ** 2)))
        rows.append({"h": float(h), "dofs": solution.size, "seconds": solution.seconds, "change": change})
        previous = values
    return rows
