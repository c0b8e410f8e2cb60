"""``--format json``: the version-1 report document (see docs/report-schema.md)."""

from __future__ import annotations

import json

from pod_detect.formats.base import RenderOptions
from pod_detect.model import Report
from pod_detect.report import to_dict
from pod_detect.text import json_text


def render(report: Report, options: RenderOptions) -> str:
    return json_text(json.dumps(to_dict(report), indent=2, ensure_ascii=False,
                                allow_nan=False)) + "\n"
