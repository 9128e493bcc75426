"""The main window's work beyond showing the case list and the open case (ui.main_window):
one module for each part of it, as functions of the window that it binds as its methods."""

#: The application's name, in the window's title and About.
APP_TITLE = "Pathway Planner"
