"""Application services: workflows built on the domain, store and engines."""
