"""The renderer interface: a pure function from a report to text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pod_detect.model import Report


@dataclass(frozen=True)
class RenderOptions:
    """How to render.

    Attributes
    ----------
    color
        Colour in terminal output (``table``).
    width
        Terminal width (``table``).
    top
        How many rows the long tables show (``table``).
    fail_on
        Lowest severity that counts as a failure (``low``, ``medium``, ``high`` or ``never``);
        the ``junit`` format marks groups at or above it as failed test cases. The CLI should
        pass its ``--fail-on`` here.
    """

    color: bool = False
    width: int = 100
    top: int = 15
    fail_on: str = "medium"


class Renderer(Protocol):
    def __call__(self, report: Report, options: RenderOptions) -> str: ...
