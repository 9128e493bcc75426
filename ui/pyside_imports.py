"""PySide6's check of every later import, made cheap. Imported by ui.app right after PySide6.

Importing PySide6 replaces ``builtins.__import__``: after each module first loads, shiboken's
``feature.feature_imported`` asks whether the module's source mentions "PySide6" (such a module
follows the ``from __feature__ import ...`` switches). It asks with ``inspect.getsource``, which
decodes the file through ``linecache`` and keeps every line of it in memory: at start-up that is
some 300 modules (SQLAlchemy's, the planner's, the standard library's) and 40-50 ms. The same
question is answered here by looking for the bytes in the module's ``.py`` file; anything else
(a module without a source file, one that cannot be read) goes to PySide6's own check, so every
module gets the answer it got before. If PySide6 no longer has the check, nothing is changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs the import hook this module speeds up)

_FEATURE_MODULE = "shibokensupport.feature"
_CHECK = "_mod_uses_pyside"


def uses_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether ``module``'s source mentions PySide6, read from its ``.py`` file; ``fallback`` (PySide6's
    own check) answers for a module without one or whose file cannot be read."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return fallback(module)
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return fallback(module)


def install() -> bool:
    """Replace PySide6's check by :func:`uses_pyside` (once); False if PySide6 has no such check."""
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, _CHECK, None)
    if feature is None or not callable(original):
        return False
    if getattr(original, "__wrapped__", None) is not None:
        return True  # installed already

    def check(module: ModuleType) -> bool:
        return uses_pyside(module, original)

    check.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(feature, _CHECK, check)
    return True


install()
