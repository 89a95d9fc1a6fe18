"""Shipped performance definitions (what counts as a bad outcome after an observation date)."""
