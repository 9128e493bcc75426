"""The Qt application: main window, views, Qt models over planner objects, and the CLI."""
