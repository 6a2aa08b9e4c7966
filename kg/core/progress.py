"""The one shape of progress every stage reports: a callable told one line of what is done.

The CLI shows the last line in a status bar; a library caller may log them or pass nothing.
"""

from __future__ import annotations

from typing import Callable, Optional

Progress = Callable[[str], None]


def silent(message: str) -> None:
    """The progress of a caller that did not ask for any."""


def or_silent(progress: Optional[Progress]) -> Progress:
    return progress or silent
