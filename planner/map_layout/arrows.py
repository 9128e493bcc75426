"""Routes of the map's handoff arrows between two placed marks, the same on screen and paper.

An arrow leaves the source's mark on the day of the handoff (the receiving step's start, kept
within the source's span) and arrives at the top or bottom of the target's mark as an S-shaped
cubic curve; between marks in one row it dips below them and arrives upwards. (Named tuples:
a map of a thousand steps routes two thousand arrows at every zoom.)
"""

from __future__ import annotations

from typing import NamedTuple


class Box(NamedTuple):
    """A placed mark: its left and right edges, the x where arrows arrive, its vertical middle,
    and whether it is a moment (a point) rather than a span."""

    left: float
    right: float
    cx: float
    cy: float
    point: bool


class Route(NamedTuple):
    """A cubic curve from ``start`` through controls ``c0`` and ``c1`` to ``end``, and the arrow's
    head: a triangle with its tip at ``tip`` and its base corners ``base_left``, ``base_right``."""

    start: tuple[float, float]
    c0: tuple[float, float]
    c1: tuple[float, float]
    end: tuple[float, float]
    tip: tuple[float, float]
    base_left: tuple[float, float]
    base_right: tuple[float, float]

    @property
    def head(self) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        return self.tip, self.base_left, self.base_right


def route(source: Box, target: Box, mark_height: float, head_length: float, head_half: float,
          dip: float, gap: float = 1.0) -> Route:
    """The route of an arrow from ``source`` to ``target`` for marks ``mark_height`` tall."""
    half = mark_height / 2
    tx = target.cx
    if not source.point and source.right - source.left > 4:
        xs = min(max(tx, source.left + 2), source.right - 2)
    else:
        xs = source.cx
    ys, yt = source.cy, target.cy
    if abs(yt - ys) > 1:
        sign = 1.0 if yt > ys else -1.0  # 1: down the map
        y0, y1 = ys + sign * half, yt - sign * (half + gap)
        c = (y0 + y1) / 2
    else:  # the same row: an arc below the marks, arriving upwards
        sign = -1.0
        y0, y1 = ys + half, yt + half + gap
        c = ys + half + dip
    tip, base = y1 + sign * gap, y1 - sign * head_length
    return Route((xs, y0), (xs, c), (tx, c), (tx, y1), (tx, tip), (tx + head_half, base),
                 (tx - head_half, base))


def stub(source: Box | None, target: Box | None, length: float, right_edge: float, left_edge: float
         ) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """A short straight arrow off the right edge (from a source whose target is on another page)
    or onto a target from the left (whose source is on an earlier page): (start, tip)."""
    if source is not None:
        return (source.right, source.cy), (min(source.right + length, right_edge), source.cy)
    if target is not None:
        return (max(target.left - length, left_edge), target.cy), (target.left, target.cy)
    return None
