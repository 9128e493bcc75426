"""The use cases behind both entry points: the command line (ui.cli) and the main window call
these functions to open a database, add the demo, import, export, print, back up, restore and
delete cases. Each writes its audit entry in exactly one place (an export's in
db.exports.export_file, an import's and a deletion's in db.repository, a print's in
:mod:`ui.actions.printing`).

No Qt and no argparse here (an import-linter contract in pyproject.toml checks it): the window
keeps its dialogs, progress and messages, the command line its arguments and printing; the work is
done here. What must be drawn by Qt (the printed care plan) is drawn by a function the entry
point passes in.

- :mod:`~ui.actions.database`: open a database, add the Mrs Smith example.
- :mod:`~ui.actions.cases`: find a case by id or title (suggesting the closest titles), load,
  delete and restore cases.
- :mod:`~ui.actions.importing`: a case file, a FHIR bundle, a provider directory.
- :mod:`~ui.actions.exporting`: the renderers of every export (case file, FHIR, the PDFs, tables).
- :mod:`~ui.actions.outputs`: the one list of outputs that builds both the command line's export
  commands and the File menu's export items.
- :mod:`~ui.actions.tables`: a case's tables (steps, organisations, team, plan, findings,
  measures) as CSV and Excel.
- :mod:`~ui.actions.printing`: the printed care plan, and recording a print.
- :mod:`~ui.actions.backups`: back up and restore the SQLite database.
"""

from __future__ import annotations


class ActionError(Exception):
    """A use case refused or failed: one plain line to show the user; nothing was changed."""
