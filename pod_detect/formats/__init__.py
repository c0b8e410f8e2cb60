"""Output formats, registered by name; ``--format`` offers exactly these keys."""

from __future__ import annotations

from pod_detect.formats import json, table
from pod_detect.formats.base import Renderer, RenderOptions

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json.render,
}

__all__ = ["FORMATS", "RenderOptions", "Renderer"]
