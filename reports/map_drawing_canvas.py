"""Drawing the printed pathway map: a recorder of drawing operations placed with y measured down
from the top (:class:`Canvas`), played into a reportlab.graphics Drawing or straight onto a PDF
canvas, and the map's small pictures (a step's mark, hatching, a handoff's line and head) in the
visual language of :mod:`planner.map_style`.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from planner.map_style import ARROW_LOOKS, HATCH_COLOUR, MARKER_OUTLINE, OTHER_STAGE_COLOUR, STAGE_COLOURS
from reports.pdfkit import severity_geometry

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing, Group

TEXT = "#1f2933"
MUTED = "#5f6368"
CHROME = "#fbfbfc"
CHROME_LINE = "#c9ced6"
GRID = "#dfe3e8"


# -- colours ------------------------------------------------------------------------------------
def _rgb(code: str) -> tuple[float, float, float]:
    code = code.lstrip("#")
    return int(code[0:2], 16) / 255, int(code[2:4], 16) / 255, int(code[4:6], 16) / 255


def is_black(code: str) -> bool:
    r, g, b = _rgb(code)
    return (max(r, g, b) + min(r, g, b)) / 2 < 40 / 255


@cache
def tint(code: str, amount: float) -> Any:
    """``code`` mixed into white: 0 is white, 1 the colour itself (black tints to grey)."""
    from reportlab.lib.colors import Color

    if is_black(code):
        code = "#808080"
    r, g, b = _rgb(code)
    return Color(1 - (1 - r) * amount, 1 - (1 - g) * amount, 1 - (1 - b) * amount)


@cache
def darker(code: str, factor: float = 1.7) -> Any:
    """As Qt's ``darker(170)``: the colour's value divided by ``factor``."""
    from reportlab.lib.colors import Color

    h, s, v = colorsys.rgb_to_hsv(*_rgb(code))
    return Color(*colorsys.hsv_to_rgb(h, s, v / factor))


def stage_colour(stage: str) -> Any:
    return rl_colour(STAGE_COLOURS.get(stage, OTHER_STAGE_COLOUR))


@cache
def rl_colour(code: str, alpha: float = 1.0) -> Any:
    from reportlab.lib.colors import Color

    return Color(*_rgb(code), alpha=alpha)


# -- drawing in top-down coordinates -------------------------------------------------------------------
class Canvas:
    """Drawing operations placed with y measured down from the top of a box ``height`` tall,
    recorded once and then played either into a reportlab.graphics group (:meth:`group`, for a
    :class:`Drawing`) or straight onto a PDF canvas (:meth:`play`, for long maps: thousands of
    graphics shapes cost seconds to check and render, the same operations on the canvas a
    fraction of that). Either way the page shows the same thing."""

    def __init__(self, height: float) -> None:
        self.height = height
        self.ops: list[tuple[Any, ...]] = []

    def rect(self, x: float, top: float, w: float, h: float, fill: Any = None, stroke: Any = None,
             width: float = 0.5, opacity: float | None = None) -> None:
        self.ops.append(("rect", x, self.height - top - h, max(w, 0.0), h, fill, stroke, width, opacity))

    def line(self, x0: float, y0: float, x1: float, y1: float, colour: Any, width: float = 0.5,
             dash: list[float] | None = None, cap: int = 0) -> None:
        height = self.height
        self.ops.append(("line", x0, height - y0, x1, height - y1, colour, width, dash, cap))

    def curve(self, points: list[tuple[float, float]], colour: Any, width: float, dash: list[float] | None,
              cap: int) -> None:
        """A cubic Bézier curve through four points (start, two controls, end)."""
        flat = [v for x, y in points for v in (x, self.height - y)]
        self.ops.append(("curve", flat, colour, width, dash, cap))

    def polygon(self, points: list[tuple[float, float]], fill: Any, stroke: Any = None, width: float = 0.0
                ) -> None:
        flat = [v for x, y in points for v in (x, self.height - y)]
        self.ops.append(("polygon", flat, fill, stroke, width))

    def text(self, x: float, middle: float, text: str, font: str, size: float, colour: str = TEXT,
             anchor: str = "start") -> None:
        """Text whose line is vertically centred on ``middle``."""
        baseline = self.height - middle - size * 0.35
        self.ops.append(("text", x, baseline, text, font, size, rl_colour(colour), anchor))

    def shape(self, shape: str, x: float, top: float, size: float, colour: str) -> None:
        """A severity mark in a ``size`` square whose top left corner is at (x, top)."""
        kind, geometry = severity_geometry(shape, x, self.height - top - size, size)
        outline = rl_colour(MARKER_OUTLINE)
        if kind == "circle":
            self.ops.append(("circle", *geometry, rl_colour(colour), outline, 0.5))
        else:
            self.ops.append(("polygon", geometry, rl_colour(colour), outline, 0.5))

    # -- playing ------------------------------------------------------------------------------------
    def group(self) -> Group:
        """The operations as reportlab.graphics shapes."""
        from reportlab import rl_config
        from reportlab.graphics import shapes

        checking = rl_config.shapeChecking
        rl_config.shapeChecking = 0  # the values are ours and right; checking each costs time
        try:
            group = shapes.Group()
            add = group.add
            for op in self.ops:
                kind = op[0]
                if kind == "rect":
                    _, x, y, w, h, fill, stroke, width, opacity = op
                    rect = shapes.Rect(x, y, w, h, fillColor=fill, strokeColor=stroke,
                                       strokeWidth=width if stroke is not None else 0)
                    if opacity is not None:
                        rect.fillOpacity = opacity
                    add(rect)
                elif kind == "line":
                    _, x0, y0, x1, y1, colour, width, dash, cap = op
                    add(shapes.Line(x0, y0, x1, y1, strokeColor=colour, strokeWidth=width,
                                    strokeDashArray=dash, strokeLineCap=cap))
                elif kind == "curve":
                    _, flat, colour, width, dash, cap = op
                    path = shapes.Path(strokeColor=colour, strokeWidth=width, fillColor=None,
                                       strokeDashArray=dash, strokeLineCap=cap)
                    path.moveTo(flat[0], flat[1])
                    path.curveTo(*flat[2:])
                    add(path)
                elif kind == "polygon":
                    _, flat, fill, stroke, width = op
                    add(shapes.Polygon(flat, fillColor=fill, strokeColor=stroke, strokeWidth=width,
                                       strokeLineJoin=1))
                elif kind == "circle":
                    _, cx, cy, r, fill, stroke, width = op
                    add(shapes.Circle(cx, cy, r, fillColor=fill, strokeColor=stroke, strokeWidth=width))
                else:
                    _, x, y, text, font, size, colour, anchor = op
                    add(shapes.String(x, y, text, fontName=font, fontSize=size, fillColor=colour,
                                      textAnchor=anchor))
            return group
        finally:
            rl_config.shapeChecking = checking

    def play(self, canvas: Any) -> None:
        """Draw the operations on a pdfgen canvas, setting colours and pens only when they change."""
        state: dict[str, Any] = {}

        def set_(key: str, value: Any, setter: Callable[[Any], Any]) -> None:
            if state.get(key, _UNSET) != value:
                state[key] = value
                setter(value)

        def fill(colour: Any, opacity: float | None = None) -> None:
            set_("fill", colour, canvas.setFillColor)
            set_("fill_alpha", opacity if opacity is not None else colour.alpha, canvas.setFillAlpha)

        def stroke(colour: Any, width: float, dash: list[float] | None = None, cap: int = 0) -> None:
            set_("stroke", colour, canvas.setStrokeColor)
            set_("stroke_alpha", colour.alpha, canvas.setStrokeAlpha)
            set_("width", width, canvas.setLineWidth)
            set_("dash", tuple(dash) if dash else (),
                 lambda d: canvas.setDash(list(d)) if d else canvas.setDash())
            set_("cap", cap, canvas.setLineCap)

        set_("join", 1, canvas.setLineJoin)
        for op in self.ops:
            kind = op[0]
            if kind == "rect":
                _, x, y, w, h, fill_colour, stroke_colour, width, opacity = op
                if fill_colour is not None:
                    fill(fill_colour, opacity)
                if stroke_colour is not None:
                    stroke(stroke_colour, width)
                canvas.rect(x, y, w, h, stroke=int(stroke_colour is not None),
                            fill=int(fill_colour is not None))
            elif kind == "line":
                _, x0, y0, x1, y1, colour, width, dash, cap = op
                stroke(colour, width, dash, cap)
                canvas.line(x0, y0, x1, y1)
            elif kind == "curve":
                _, flat, colour, width, dash, cap = op
                stroke(colour, width, dash, cap)
                canvas.bezier(*flat)
            elif kind == "polygon":
                _, flat, fill_colour, stroke_colour, width = op
                fill(fill_colour)
                if stroke_colour is not None:
                    stroke(stroke_colour, width)
                path = canvas.beginPath()
                path.moveTo(flat[0], flat[1])
                for index in range(2, len(flat), 2):
                    path.lineTo(flat[index], flat[index + 1])
                path.close()
                canvas.drawPath(path, stroke=int(stroke_colour is not None), fill=1)
            elif kind == "circle":
                _, cx, cy, r, fill_colour, stroke_colour, width = op
                fill(fill_colour)
                stroke(stroke_colour, width)
                canvas.circle(cx, cy, r, stroke=1, fill=1)
            else:
                _, x, y, text, font, size, colour, anchor = op
                fill(colour)
                set_("font", (font, size), lambda f: canvas.setFont(*f))
                if anchor == "middle":
                    canvas.drawCentredString(x, y, text)
                elif anchor == "end":
                    canvas.drawRightString(x, y, text)
                else:
                    canvas.drawString(x, y, text)


_UNSET = object()


@cache
def flowable_class() -> type:
    from reportlab.platypus import Flowable

    class MapFlowable(Flowable):  # type: ignore[misc]
        """A map page played straight onto the PDF canvas (see :class:`Canvas`)."""

        def __init__(self, canvas: Canvas, width: float, scale: float) -> None:
            super().__init__()
            self.map_canvas = canvas
            self.width = width
            self.height = canvas.height * scale
            self.scale = scale

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            canvas = self.canv
            canvas.saveState()
            if self.scale != 1.0:
                canvas.scale(self.scale, self.scale)
            self.map_canvas.play(canvas)
            canvas.restoreState()

    return MapFlowable


def drawing(canvas: Canvas, scale: float, width: float) -> Drawing:
    from reportlab.graphics.shapes import Drawing

    drawing = Drawing(width, canvas.height * scale)
    group = canvas.group()
    if scale != 1.0:
        group.transform = (scale, 0, 0, scale, 0, 0)
    drawing.add(group)
    return drawing


def mark(canvas: Canvas, x: float, top: float, w: float, h: float, colour: str, pattern: str = "plain"
         ) -> None:
    """A step's mark in its sector's colour; mental health (black) is white with a thick outline;
    "stripes" are white upright lines over the colour (a sector sharing another's colour)."""
    if is_black(colour):
        canvas.rect(x, top, w, h, fill=rl_colour("#ffffff"), stroke=rl_colour("#000000"), width=1.1)
        return
    canvas.rect(x, top, w, h, fill=rl_colour(colour), stroke=darker(colour), width=0.5)
    if pattern == "stripes" and w > 2.5:
        white = rl_colour("#ffffff")
        at = x + 1.6
        while at < x + w - 0.8:
            canvas.line(at, top + 0.6, at, top + h - 0.6, white, 0.7)
            at += 2.2


def hatch(canvas: Canvas, x0: float, top: float, x1: float, bottom: float, spacing: float = 2.2) -> None:
    """Diagonal hatching ("/") clipped to a box: the delayed part of an admission."""
    if x1 - x0 <= 0.2:
        return
    colour = rl_colour(HATCH_COLOUR)
    # lines x - (bottom - y) = c, i.e. rising to the right; c runs over the box's span
    c = x0 - (bottom - top)
    while c < x1:
        # the line through (c, bottom) rising at 45 degrees: x = c + (bottom - y)
        lo_x, hi_x = max(x0, c), min(x1, c + (bottom - top))
        if hi_x > lo_x:
            canvas.line(lo_x, bottom - (lo_x - c), hi_x, bottom - (hi_x - c), colour, 0.45)
        c += spacing


def dash_pattern(pattern: str) -> tuple[list[float] | None, int]:
    if pattern == "dash":
        return [3.0, 2.0], 0
    if pattern == "dot":
        return [0.01, 2.2], 1
    if pattern == "dashdot":
        return [4.0, 1.6, 0.01, 1.6], 1
    return None, 0


def arrow_line(canvas: Canvas, points: list[tuple[float, float]], style: str, curve: bool = False,
                alpha: float = 1.0) -> None:
    """A handoff's line: straight through ``points``, or a cubic curve through four points."""
    look = ARROW_LOOKS[style]
    dash, cap = dash_pattern(look.pattern)
    colour = rl_colour(look.colour, alpha)
    width = look.width * 0.62
    if curve:
        canvas.curve(points, colour, width, dash, cap)
    else:
        (x0, y0), (x1, y1) = points
        canvas.line(x0, y0, x1, y1, colour, width, dash, cap)


def arrow_head(canvas: Canvas, style: str, x: float, y: float, dx: float, dy: float, alpha: float = 1.0
               ) -> None:
    """An arrowhead whose tip is at (x, y), pointing along (dx, dy)."""
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    size, half = 4.2, 2.0
    bx, by = x - ux * size, y - uy * size
    points = [(x, y), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    canvas.polygon(points, rl_colour(ARROW_LOOKS[style].colour, alpha))


