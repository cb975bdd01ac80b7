"""The results a worker remembers: the most recently used, up to a count."""

import threading
from collections import OrderedDict


class Cache:
    """A least-recently-stored map, safe to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._lock = threading.Lock()
        self._items = OrderedDict()

    def get(self, key):
        return self._items.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
