"""Benchmarks that print figures. `bash bench/run` runs them all and ends with one table."""

from __future__ import annotations

FIGURE = "FIGURE"


def figure(name: str, value: str, target: str = "") -> None:
    """One headline figure, as a tab-separated line that `bench/run` gathers into its table."""
    print(f"{FIGURE}\t{name}\t{value}\t{target}")
