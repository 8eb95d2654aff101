"""Plots for the notebooks: training curves and optimizer paths on a loss surface.

matplotlib is imported inside the functions (``import course`` stays fast for grading kernels) and only the
object-oriented API is used, so the plots work headless (Agg backend, papermill) as well as inline in JupyterLab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_contour_paths", "plot_curves"]


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _as_floats(values: Any) -> np.ndarray:
    """A 1-D float array from a list of floats, 0-d tensors, or a tensor/array (detached, on the CPU)."""
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu().numpy()
    items = values if isinstance(values, np.ndarray) else [float(v) for v in values]
    return np.asarray(items, dtype=np.float64).reshape(-1)


def _as_points(path: Any) -> np.ndarray:
    """A (T, 2) float array from an array, a tensor, or a list of points (pairs, arrays or tensors)."""
    if hasattr(path, "detach"):
        return np.asarray(path.detach().cpu().numpy(), dtype=np.float64)
    if isinstance(path, np.ndarray):
        return np.asarray(path, dtype=np.float64)
    rows = [np.asarray(p.detach().cpu().numpy() if hasattr(p, "detach") else p, dtype=np.float64) for p in path]
    return np.stack(rows) if rows else np.empty((0, 2))


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    xlabel: str = "step",
    ylabel: str = "loss",
    logy: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """One line per entry of ``curves`` (label -> values per step), with a legend: the usual way to compare
    optimizers, initializations or regularizers on one plot. ``logy`` shows losses spanning decades."""
    ax = _new_axes(ax, (6.0, 4.0))
    for label, values in curves.items():
        y = _as_floats(values)
        ax.plot(np.arange(len(y)), y, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if curves:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def plot_contour_paths(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Mapping[str, np.ndarray],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    title: str = "",
    ax: Axes | None = None,
    levels: int = 30,
) -> Axes:
    """Contours of ``f(X, Y)`` over ``xlim`` x ``ylim`` with one optimizer path per entry of ``paths`` (each a
    ``(T, 2)`` array of iterates): shows *how* SGD, momentum or Adam move on a ravine or saddle, not just where
    they end. ``f`` gets numpy grids and must return ``Z`` of the same shape."""
    ax = _new_axes(ax, (6.0, 5.0))
    xs = np.linspace(float(xlim[0]), float(xlim[1]), 200)
    ys = np.linspace(float(ylim[0]), float(ylim[1]), 200)
    grid_x, grid_y = np.meshgrid(xs, ys)
    z = np.asarray(f(grid_x, grid_y), dtype=np.float64)
    if z.shape != grid_x.shape:
        raise ValueError(f"f(X, Y) must return an array of shape {grid_x.shape}, got {z.shape}")
    ax.contour(grid_x, grid_y, z, levels=levels, cmap="viridis", linewidths=0.8)
    for label, path in paths.items():
        p = _as_points(path)
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(f"path {label!r} must have shape (T, 2), got {p.shape}")
        (line,) = ax.plot(p[:, 0], p[:, 1], marker="o", markersize=2.5, linewidth=1.2, label=str(label))
        ax.plot(p[-1, 0], p[-1, 1], marker="*", markersize=10, color=line.get_color())  # where it ended
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    if title:
        ax.set_title(title)
    if paths:
        ax.legend()
    return ax
