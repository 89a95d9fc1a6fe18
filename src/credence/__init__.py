"""Credence: open, auditable credit and reputation scoring.

Providers report behaviour events; a declarative scorecard compiles (with SQLGlot) into one SQL query that
turns them into 350-950 scores with bands, dimension points and plain-language reasons.
"""

__version__ = "0.1.0"
