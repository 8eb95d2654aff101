"""The course package: what the notebooks import.

``from course import seed_everything, get_device, load_dataset, check_close, ...``. Kept light to import
(matplotlib and scikit-learn load only when a plot or a dataset is asked for), because every grading kernel
imports it.
"""

from .checks import CheckFailure, check_close, check_equal, check_raises, check_true, check_within, expected
from .data import DatasetError, Splits, load_dataset
from .plotting import plot_contour_paths, plot_curves
from .seeding import get_device, make_generator, seed_everything, vary

__all__ = [
    "CheckFailure",
    "DatasetError",
    "Splits",
    "check_close",
    "check_equal",
    "check_raises",
    "check_true",
    "check_within",
    "expected",
    "get_device",
    "load_dataset",
    "make_generator",
    "plot_contour_paths",
    "plot_curves",
    "seed_everything",
    "vary",
]
