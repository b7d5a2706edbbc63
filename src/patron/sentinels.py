"""A value meaning "not given", for updates where None is a real value (clear the assignee)."""

from __future__ import annotations

from typing import Any, Final


class Unset:
    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final[Any] = Unset()
