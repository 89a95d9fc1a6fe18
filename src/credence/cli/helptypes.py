"""How ``--help`` names a parameter's values, and the usage shown with a parser's error.

Typer 0.29 prints a parameter's Python type (``<str>``, ``<bool>``, ``<list[Path]>``). The CLI shows what a user
types instead: the choices of a ``Literal`` parameter (``[duckdb|spark]``), nothing for a flag, and a plain
word (``TEXT``, ``INTEGER``, ``PATH``) otherwise, with ``...`` where the parameter takes several.
"""

from __future__ import annotations

import typer
from typer._click import Context
from typer.core import TyperOption, _TyperParameter

_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH", "bool": "BOOLEAN"}


def _display_type(self: _TyperParameter, ctx: Context) -> str | None:
    if isinstance(self, TyperOption) and self.is_flag:
        return None
    desc = self.type_descriptor
    if desc.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices or ()) + "]"
    if desc.is_path:
        return "PATH"
    annotation = desc.annotation
    if desc.is_list:
        (annotation,) = getattr(annotation, "__args__", (str,))
    name = getattr(annotation, "__name__", str(annotation))
    return _WORDS.get(name, name.upper())


_TyperParameter.display_type = _display_type  # one rule for every command's help


def context_of(app: typer.Typer, argv: list[str]) -> Context:
    """The context of the (sub)command that ``argv`` names, so that a parser error can show its usage."""
    command = typer.main.get_command(app)
    ctx = command.context_class(command, info_name="credence")
    for token in argv:
        sub = getattr(command, "commands", {}).get(token)
        if sub is None:
            if not token.startswith("-"):
                break
            continue
        command = sub
        ctx = command.context_class(command, info_name=token, parent=ctx)
    return ctx
