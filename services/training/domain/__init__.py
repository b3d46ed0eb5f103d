"""Training domain: gaps from a score, the course catalogue, and the budget optimiser. Pure, no I/O."""

from .catalogue import Course, load_catalogue
from .gaps import WEIGHT_PERILAKU, WEIGHT_TAMBAHAN, WEIGHT_UTAMA, find_gaps
from .optimiser import MAX_CANDIDATES, Plan, recommend

__all__ = [
    "MAX_CANDIDATES",
    "WEIGHT_PERILAKU",
    "WEIGHT_TAMBAHAN",
    "WEIGHT_UTAMA",
    "Course",
    "Plan",
    "find_gaps",
    "load_catalogue",
    "recommend",
]
