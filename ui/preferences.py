"""The user's preferences beyond the window layout: the name the audit trail records.

Kept in the application's QSettings (never a database password: those stay in the environment
or libpq's password file). QtCore only, so the command line can read them cheaply, and it does
so only when it records an event. The dialog is ``ui.preferences_dialog``.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "pathway-planner"
APPLICATION = "Pathway Planner"
DISPLAY_NAME = "user/display_name"


def settings() -> QSettings:
    """The application's settings, with or without a QApplication."""
    return QSettings(ORGANISATION, APPLICATION)


def display_name() -> str | None:
    """The name set in the preferences, or None (the audit trail then records the login)."""
    value = settings().value(DISPLAY_NAME)
    text = str(value).strip() if value is not None else ""
    return text or None


def set_display_name(name: str | None) -> None:
    from db import audit

    text = (name or "").strip()
    store = settings()
    if text:
        store.setValue(DISPLAY_NAME, text)
    else:
        store.remove(DISPLAY_NAME)
    store.sync()
    audit.set_user_name(text or None)


HIGH_CONTRAST = "view/high_contrast"


def high_contrast() -> bool:
    """View › High contrast, as last chosen (False until chosen)."""
    value = settings().value(HIGH_CONTRAST)
    return str(value).lower() in ("true", "1")


def set_high_contrast(on: bool) -> None:
    store = settings()
    store.setValue(HIGH_CONTRAST, bool(on))
    store.sync()
