"""The pathway map's layout, without any drawing library: computed once from the case, its
findings and the renderer's text-measuring function, then drawn by the app (``ui.pathway_map``)
and the printed documents (``reports.map_drawing``).

- :mod:`~planner.map_layout.timeline`: steps in days, lanes, rows, stage bands, findings, handoffs;
- :mod:`~planner.map_layout.axis`: the time axis's unit, ticks and months or years;
- :mod:`~planner.map_layout.arrows`: the route of a handoff's arrow between two marks;
- :mod:`~planner.map_layout.key`: the key's entries (one wording) and their flow in rows;
- :mod:`~planner.map_layout.labels`: words that do not fit: listed in full, wrapped, never cut;
- :mod:`~planner.map_layout.page`: a period of the map laid out in points for paper.
"""

from planner.map_layout.axis import Measure, TimeScale
from planner.map_layout.timeline import LANE_MODES, Band, MapArrow, MapLane, MapStep, Timeline

__all__ = ["LANE_MODES", "Band", "MapArrow", "MapLane", "MapStep", "Measure", "TimeScale", "Timeline"]
