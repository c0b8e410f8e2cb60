"""The renderer interface: a pure function from a report to text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pod_detect.model import Report


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour, terminal width and how many rows the long tables show."""

    color: bool = False
    width: int = 100
    top: int = 15


class Renderer(Protocol):
    def __call__(self, report: Report, options: RenderOptions) -> str: ...
