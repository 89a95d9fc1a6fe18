"""Shipped policy packs (YAML): partners' benefits and restrictions, checked by guardrails 1-3 at load."""
