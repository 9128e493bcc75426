"""Pathway Planner's domain core: the case model, case files, validation and reference data.

Plain Python only. Nothing here imports Qt, SQLAlchemy, ``ui`` or ``db``; a test enforces it.
"""

__version__ = "0.1.0"
