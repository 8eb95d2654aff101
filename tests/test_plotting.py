"""Plots work headless (Agg, as under papermill) and draw one labelled line per curve or path."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from course import plot_contour_paths, plot_curves  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_curves_lines_and_legend():
    curves = {"sgd": [1.0, 0.5, 0.25], "adam": torch.tensor([1.0, 0.3, 0.1]), "momentum": [torch.tensor(1.0)] * 4}
    ax = plot_curves(curves, title="training loss", logy=True)
    assert isinstance(ax, Axes)
    assert [line.get_label() for line in ax.get_lines()] == ["sgd", "adam", "momentum"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam", "momentum"]
    assert ax.get_yscale() == "log" and ax.get_title() == "training loss"
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [1.0, 0.3, 0.1], rtol=1e-6)
    assert len(ax.get_lines()[2].get_xdata()) == 4


def test_plot_curves_on_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    ax = plot_curves({"train": [3, 2, 1], "test": [3, 2.5, 2]}, ax=right, ylabel="accuracy")
    assert ax is right and len(right.get_lines()) == 2 and len(left.get_lines()) == 0
    assert ax.get_ylabel() == "accuracy" and ax.get_yscale() == "linear"


def test_plot_contour_paths():
    def f(x, y):
        return x**2 + 10 * y**2

    paths = {
        "sgd": np.array([[1.0, 1.0], [0.8, -0.6], [0.6, 0.4]]),
        "adam": torch.tensor([[1.0, 1.0], [0.9, 0.9]]),
        "list": [(1.0, 1.0), (0.5, 0.5)],
    }
    ax = plot_contour_paths(f, paths, (-2, 2), (-1.5, 1.5), title="ravine")
    assert isinstance(ax, Axes)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["sgd", "adam", "list"]
    assert ax.get_xlim() == (-2, 2) and ax.get_title() == "ravine"
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [1.0, 0.8, 0.6])
    ax.figure.canvas.draw()  # renders headless


def test_plot_contour_paths_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        plot_contour_paths(lambda x, y: x + y, {"bad": np.zeros((3, 3))}, (0, 1), (0, 1))
    with pytest.raises(ValueError, match="shape"):
        plot_contour_paths(lambda x, y: np.zeros(3), {}, (0, 1), (0, 1))
