"""Overlap and gap analysis of a duty list (no Django): matters with several leads, matters and categories
with none. Dataclasses in, dataclasses out; the selector adds region coverage and the affected cases."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemFacts:
    id: int
    code: str
    matter: str
    category_path: str  # "" when the item names no category
    owner_key: str  # "" when no lead is assigned
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overlap:
    kind: str  # "matter" | "category" | "keyword"
    key: str  # the matter, category path or keyword shared
    item_ids: tuple[int, ...]
    owner_keys: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    kind: str  # "no_lead" | "uncovered_category"
    key: str  # item code or category path
    item_ids: tuple[int, ...] = ()


def normalize_matter(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def _grouped(pairs: Iterable[tuple[str, ItemFacts]], kind: str) -> list[Overlap]:
    groups: dict[str, list[ItemFacts]] = defaultdict(list)
    for key, item in pairs:
        if key:
            groups[key].append(item)
    found = []
    for key, items in sorted(groups.items()):
        owners = sorted({item.owner_key for item in items if item.owner_key})
        if len(owners) > 1:
            found.append(Overlap(kind, key, tuple(sorted(item.id for item in items)), tuple(owners)))
    return found


def overlaps(items: Sequence[ItemFacts], *, with_keywords: bool = True) -> list[Overlap]:
    """Matters (same name), categories or keywords claimed by items with different leads."""
    result = _grouped(((normalize_matter(item.matter), item) for item in items), "matter")
    matter_names: dict[str, str] = {}
    for item in items:
        matter_names.setdefault(normalize_matter(item.matter), item.matter)
    result = [Overlap(o.kind, matter_names.get(o.key, o.key), o.item_ids, o.owner_keys) for o in result]
    result += _grouped(((item.category_path, item) for item in items), "category")
    if with_keywords:
        result += _grouped(((word, item) for item in items for word in set(item.keywords)), "keyword")
    return result


def covered(path: str, covering: set[str]) -> bool:
    """A category is covered by an item naming it or one of its ancestors."""
    parts = path.split("/")
    return any("/".join(parts[:depth]) in covering for depth in range(1, len(parts) + 1))


def gaps(items: Sequence[ItemFacts], category_paths: Iterable[str]) -> list[Gap]:
    """Items without a lead, and the highest categories no led item covers.

    A category is covered by an item naming it or an ancestor, or when all its subcategories are covered;
    an uncovered category is reported once, not with each of its subcategories.
    """
    found = [
        Gap("no_lead", item.code, (item.id,)) for item in sorted(items, key=lambda i: i.code) if not item.owner_key
    ]
    covering = {item.category_path for item in items if item.category_path and item.owner_key}
    paths = sorted(set(category_paths), key=lambda p: (p.count("/"), p))
    children: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        if "/" in path:
            children[path.rsplit("/", 1)[0]].append(path)
    memo: dict[str, tuple[bool, bool]] = {}

    def coverage(path: str) -> tuple[bool, bool]:
        """(wholly covered, partly covered) of the category's subtree."""
        if path not in memo:
            kids = [coverage(kid) for kid in children.get(path, [])]
            direct = covered(path, covering)
            memo[path] = (
                direct or (bool(kids) and all(whole for whole, _ in kids)),
                direct or any(part for _, part in kids),
            )
        return memo[path]

    reported: list[str] = []
    for path in paths:
        whole, part = coverage(path)
        if whole or part or any(path.startswith(parent + "/") for parent in reported):
            continue  # a partly covered category is not reported itself: its uncovered subcategories are
        reported.append(path)
        found.append(Gap("uncovered_category", path))
    return found
