"""Printed outputs built with reportlab: the regulator-workshop case summary and the workshop pack.

reportlab and pandas load when a report is made, never when this package is imported by the
application at start-up (the modules import them inside functions).
"""
