"""The domain: event catalogue, guardrails, scorecards, bands and policies, as validated model objects."""
