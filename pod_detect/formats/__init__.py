"""Output formats, registered by name; ``--format`` offers exactly these keys."""

from __future__ import annotations

from pod_detect.formats import (
    csv,
    csv_authors,
    github,
    html,
    json,
    junit,
    markdown,
    ndjson,
    sarif,
    table,
)
from pod_detect.formats.base import Renderer, RenderOptions

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json.render,
    "ndjson": ndjson.render,
    "csv": csv.render,
    "csv-authors": csv_authors.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "html": html.render,
}

__all__ = ["FORMATS", "RenderOptions", "Renderer"]
