"""A bounded store that drops what was least recently used: the memory bound of the app's caches.

Both caches of a consultation page (`draft_cache`, `published_cache`) keep renders by a key that
a visitor's address helps make, so a flood of made-up addresses must only push the oldest out,
never fill a worker's memory. The bound is a number of entries and, optionally, a total weight
(characters of text). It takes no lock: each cache holds its own around its calls, as it also
guards its own state (the published comments' generation count) with the same lock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class LeastRecentlyUsed(Generic[Value]):
    """At most `size` values, and at most `most_weight` of `weigh(value)` in all; the least
    recently used go first when either is passed."""

    def __init__(self, size: int, most_weight: float = float("inf"),
                 weigh: Callable[[Value], int] = lambda _: 0) -> None:
        self.size, self.most_weight, self._weigh = size, most_weight, weigh
        self._kept: OrderedDict[Hashable, Value] = OrderedDict()
        self._weight = 0

    def get(self, key: Hashable) -> Value | None:
        """The value kept for `key`, now the most recently used; None if none is."""
        value = self._kept.get(key)
        if value is not None:
            self._kept.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Value) -> None:
        """Keep `value` for `key` (replacing any), then drop the least recently used until both
        bounds hold."""
        replaced = self._kept.pop(key, None)
        self._weight += self._weigh(value) - (self._weigh(replaced) if replaced is not None else 0)
        self._kept[key] = value
        while len(self._kept) > self.size or self._weight > self.most_weight:
            self._weight -= self._weigh(self._kept.popitem(last=False)[1])

    def clear(self) -> None:
        self._kept.clear()
        self._weight = 0
