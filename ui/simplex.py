"""Exact regions of the probability simplex where one alternative is NBC-first (for the ternary map).

``NBC(a; D) - NBC(b; D) = (P[a] - P[b]) . D`` is linear in D, so the set of sampling
distributions under which ``a`` is (weakly) first is the simplex cut by the half-spaces
``(P[a] - P[b]) . D >= 0`` for every other ``b``: a convex polygon, computed exactly by clipping
the triangle (Sutherland-Hodgman) in barycentric coordinates. No sampling grid is involved.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-12


def clip(polygon: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """The part of a convex polygon (rows = vertices, in order) where ``normal . x >= 0``."""
    if len(polygon) == 0:
        return polygon
    values = polygon @ normal
    out = []
    for i in range(len(polygon)):
        x, fx = polygon[i], values[i]
        y, fy = polygon[(i + 1) % len(polygon)], values[(i + 1) % len(polygon)]
        if fx >= -_EPS:
            out.append(x)
        if (fx > _EPS and fy < -_EPS) or (fx < -_EPS and fy > _EPS):
            t = fx / (fx - fy)
            out.append(x + t * (y - x))
    return np.asarray(out).reshape(-1, polygon.shape[1])


def area(polygon: np.ndarray) -> float:
    """Area of a polygon of barycentric points, in units where the whole simplex has area 1."""
    if len(polygon) < 3:
        return 0.0
    x, y = polygon[:, 1], polygon[:, 2]  # chart (D1, D2): the simplex is a triangle of area 1/2
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))  # shoelace / 2, over 1/2


def nbc_regions(P: np.ndarray) -> list[np.ndarray]:
    """For each alternative ``a`` of a 3 x 3 preference matrix: the polygon (vertices as rows of
    barycentric coordinates, i.e. sampling distributions) where ``a`` is NBC-first. A region of
    zero area (``a`` is first only on a boundary, or never) is an empty array."""
    P = np.asarray(P, dtype=float)
    m = P.shape[0]
    if P.shape != (3, 3):
        raise ValueError("nbc_regions needs exactly three alternatives")
    regions = []
    for a in range(m):
        polygon = np.eye(m)
        for b in range(m):
            if b != a:
                polygon = clip(polygon, P[a] - P[b])
        regions.append(polygon if area(polygon) > 1e-12 else np.empty((0, m)))
    return regions
