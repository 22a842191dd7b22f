"""Materialised paths, a tree stored as strings: "310000/310105/310105011/" names a node and,
as a prefix, its subtree (the area tree; visibility is a range over these strings)."""

from __future__ import annotations


def child_path(parent_path: str | None, code: str) -> str:
    return f"{parent_path or ''}{code}/"


def subtree_bounds(path: str) -> tuple[str, str]:
    """Half-open range [low, high) of every path in the subtree of `path`.

    Paths are digits and "/"; "0" sorts right after "/", so swapping the final "/" for "0"
    gives the first string past the subtree. Plain b-tree indexes serve this range on both
    databases, unlike LIKE 'prefix%'.
    """
    return path, path[:-1] + "0"


def contains(ancestor_path: str, path: str) -> bool:
    return path.startswith(ancestor_path)


def codes_of(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


def ancestor_paths(path: str) -> list[str]:
    """Paths of every strict ancestor, top first."""
    codes = codes_of(path)
    return ["/".join(codes[:i]) + "/" for i in range(1, len(codes))]
