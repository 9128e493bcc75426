"""Reference data, the case-file schema and the demo case, as package data.

Read them with :func:`importlib.resources.files` (see ``planner.reference``), never by path,
so the application works installed as a wheel as well as from a checkout.
"""
