"""Priorities as the API names them (low, normal, high, urgent) and as cases store them."""

from __future__ import annotations

from collections.abc import Sequence

from patron.cases.models import Priority
from patron.cases.schemas import PRIORITY_BY_NAME
from patron.errors import ValidationFailed

# The case API's names, so a policy and a case speak of priorities alike.
BY_NAME = {str(name): value for name, value in PRIORITY_BY_NAME.items()}
NAMES = {value: name for name, value in BY_NAME.items()}


def priority_values(names: Sequence[str]) -> list[int]:
    unknown = [name for name in names if name not in BY_NAME]
    if unknown:
        raise ValidationFailed(
            f"Unknown priority: {', '.join(unknown)}. Use low, normal, high or urgent.",
            fields={"priorities": "Use low, normal, high or urgent."},
        )
    return [BY_NAME[name] for name in names]


def priority_names(values: Sequence[int]) -> list[str]:
    return [NAMES[Priority(value)] for value in values]
