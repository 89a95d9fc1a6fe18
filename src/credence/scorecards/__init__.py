"""Shipped expert scorecards (YAML). Learned cards are saved in the same form."""
