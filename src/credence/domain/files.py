"""Reading the domain's YAML files: a user's file (with clear errors) or one shipped in the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from credence.errors import ConfigError

# libyaml's safe loader when PyYAML has it (the same types, ~10x faster: the catalogue and cards load on every
# command); the pure-Python one otherwise
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, source: str) -> object:
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        raise ConfigError(f"{source} is not valid YAML: {e}") from None


def read_yaml(path: str | Path, what: str, fix: str | None = None) -> object:
    """The parsed YAML of a user's file; a missing or malformed file is a ConfigError naming it."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{what} {p} does not exist", fix=fix)
    return parse_yaml(p.read_text(), str(p))


def read_shipped_yaml(package: str, name: str) -> object:
    """The parsed YAML of a file shipped inside a Credence package."""
    return parse_yaml(resources.files(package).joinpath(name).read_text(), f"shipped {name}")
