"""NULL: an explicit null for an optional input field, where None leaves the field out."""

from __future__ import annotations

import enum
from typing import Final


class Null(enum.Enum):
    """The type of NULL (one value, like None's type)."""

    NULL = "NULL"

    def __repr__(self) -> str:
        return "NULL"


NULL: Final = Null.NULL
"""Sends null: UpdateTrackInput(project_id=NULL) takes a track out of its project, style=NULL clears a style."""
