"""The long-lived heap kept out of the cyclic garbage collector's way (`medpolicy serve` only).

The knowledge base, models and warmed tables are ~200,000 tracked objects that live as long as
the process. Left in the collected generations, the cyclic collector walks them again and again
as requests allocate: measured in process (2026-12-04), a gen-1 pass took 7–24 ms and a full one
130–400 ms, landing on whichever request triggered it. Frozen (`gc.freeze`), they are never
walked; objects created later are collected as before, and refcounting still frees frozen ones.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect once, then move everything alive into the permanent generation. Unfreezes first,
    so a cycle among formerly frozen objects (a replaced index) is collected too."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def resettle_heap() -> None:
    """`settle_heap` again after the library was replaced, if this process froze its heap
    (a served app; tests and the CLI never freeze, and nothing happens there)."""
    if gc.get_freeze_count():
        settle_heap()
