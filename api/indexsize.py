"""The memory a live index holds, estimated from its arrays: :func:`index_bytes`.

The registry bounds its cache of live indexes in bytes
(``AGENTGRAPH_INDEX_CACHE_BYTES``) with this estimate.
"""

from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass

import numpy as np
import pyarrow as pa

__all__ = ["index_bytes"]


def index_bytes(obj: object) -> int:
    """Estimated memory of a live index: its numpy and Arrow arrays, and Python extras.

    Walks the object's attributes (and those of the objects it holds, dicts, lists
    and tuples), counting each numpy array's and Arrow array's ``nbytes`` once and
    ``sys.getsizeof`` of other containers and strings.

    Parameters
    ----------
    obj : object
        A :class:`~agentgraph.live.LiveIndex` (or any object).

    Returns
    -------
    int
        Bytes (an estimate: shared buffers are counted once per array).

    Notes
    -----
    O(attributes + items of Python containers); the arrays are not scanned.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.api.indexsize import index_bytes
    >>> class Holder:
    ...     def __init__(self):
    ...         self.depth = np.zeros(1000, np.int32)
    ...         self.same = self.depth
    >>> index_bytes(Holder()) >= 4000
    True
    >>> index_bytes(Holder()) < 8000
    True
    """
    seen: set[int] = set()
    total = 0
    stack: list[tuple[object, int]] = [(obj, 0)]
    while stack:
        item, depth = stack.pop()
        if id(item) in seen or item is None or isinstance(item, (bool, int, float)):
            continue
        seen.add(id(item))
        if isinstance(item, (np.ndarray, pa.Array, pa.ChunkedArray, pa.Table, pa.RecordBatch)):
            total += int(item.nbytes)
        elif isinstance(item, (str, bytes)):
            total += sys.getsizeof(item)
        elif depth < 6:
            if isinstance(item, dict):
                total += sys.getsizeof(item)
                stack.extend((v, depth + 1) for v in item.values())
                stack.extend((k, depth + 1) for k in item if isinstance(k, (str, bytes)))
            elif isinstance(item, (list, tuple, set, frozenset)):
                total += sys.getsizeof(item)
                stack.extend((v, depth + 1) for v in item)
            elif is_dataclass(item) and not isinstance(item, type):
                stack.extend((getattr(item, f.name, None), depth + 1) for f in fields(item))
            elif hasattr(item, "__dict__") and not isinstance(item, type):
                stack.extend((v, depth + 1) for v in vars(item).values())
            for slot in getattr(type(item), "__slots__", ()):
                stack.append((getattr(item, slot, None), depth + 1))
    return total
