"""Python's garbage collector, kept out of the way of layout and of forks.

``frozen()``: for a block, the objects this process already holds are frozen
out of the collector (``gc.freeze``): a collection no longer walks them. Two
uses:

- while a worker is forked (``batch/local.py``): its collections would
  otherwise walk, and write to, every object it shares with its parent, which
  copies the shared memory page by page;
- while a book is laid out (``writers/pdf``, ``young=LAYOUT_YOUNG``): WeasyPrint
  makes hundreds of thousands of objects, and with Python's defaults it
  collects the youngest of them every 700 new ones and, every so often, walks
  everything the process holds: the engines' modules, the stylesheets, the
  document. That was 5 % of a pass of Kropotkin's Ethics (1.1 s of 22, in 816
  collections); frozen, and collecting the youngest every 10,000 new objects,
  0.2 s in 53. The memory it holds meanwhile is the same to within a few MB:
  layout frees what it drops by reference counts, not by cycles.

Blocks nest, and a process forked inside one inherits it: the outermost block
(the first to find nothing frozen) unfreezes at its end; the one setting the
collection threshold restores it. Objects frozen in a worker that nobody
unfreezes stay frozen for the worker's life, which is the point.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

# New objects between collections of the youngest generation while laying out
# (Python's default: 700).
LAYOUT_YOUNG = 10_000


@contextlib.contextmanager
def frozen(young: int | None = None) -> Iterator[None]:
    """The block with this process's objects frozen out of the collector and,
    with ``young``, the youngest generation collected every ``young`` new
    objects."""
    outermost = gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    if outermost:
        gc.freeze()
    if young is not None:
        gc.set_threshold(young, *threshold[1:])
    try:
        yield
    finally:
        if young is not None:
            gc.set_threshold(*threshold)
        if outermost:
            gc.unfreeze()
