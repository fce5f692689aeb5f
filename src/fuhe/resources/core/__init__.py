"""The matching engine of resource cloud dispatch, free of Django: dataclasses in, dataclasses out.

- ``errors``: the input error (a ``ValueError`` with a code and the field) and its codes.
- ``matching``: demands, resources, weights, candidate arcs and the optimal solve (``match``).
- ``flow``: the array-level min-cost flow (OR-Tools) with fairness tiers, pruning and decomposition.
- ``explain``: why each pair, the next best alternative and its exact extra cost; why a shortfall.
- ``fcfs``: what first-come-first-served would have done, costed under the same objective.

The model is written out in ``docs/resources-matching.md``.
"""
