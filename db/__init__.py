"""Persistence: the SQLAlchemy mapping of the case model, the case repository, migrations.

Imports planner, never ui or Qt.
"""
