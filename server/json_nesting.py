"""Refuse JSON nested deeper than any request needs, before the libraries that
would recurse into it do.

Python's ``json`` (which strawberry parses request bodies and GET ``variables``
with) raises ``RecursionError`` on arrays nested a few thousand deep: a 500
instead of a 400. orjson stops at 1,024 levels with a decode error, and refuses
to *encode* past 254, which a ``JSON`` argument echoed back would hit. No
request of this API nests deeper than a handful of levels.
"""

from __future__ import annotations

import orjson

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and arrays accepted in a request's JSON."""


def _depth_exceeds(value: object, limit: int) -> bool:
    # Iterative: the point is not to recurse on hostile input.
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: list[object] = list(current.values())
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_problem(text: bytes | str, *, what: str = "the body") -> str | None:
    """Why ``text`` is not acceptable request JSON, or None when it is.

    Example:
        >>> json_problem(b"[" * 100 + b"]" * 100)
        'the body nests JSON deeper than 64 levels'
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):
            return f"{what} nests JSON deeper than {MAX_JSON_DEPTH} levels"
        return f"{what} is not valid JSON: {exc}"
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        return f"{what} nests JSON deeper than {MAX_JSON_DEPTH} levels"
    return None
