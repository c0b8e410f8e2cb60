"""The detector registry. A detector's key is its ``name``: part of the report contract."""

from __future__ import annotations

from pod_detect.detectors.base import Detector, Finding
from pod_detect.detectors.coengagement import CoEngagementDetector
from pod_detect.detectors.comments import CommentsDetector
from pod_detect.detectors.reciprocal import ReciprocalDetector
from pod_detect.detectors.timing import TimingDetector

#: Every detector, in the order they run.
DETECTORS: dict[str, type[Detector]] = {
    ReciprocalDetector.name: ReciprocalDetector,
    CoEngagementDetector.name: CoEngagementDetector,
    TimingDetector.name: TimingDetector,
    CommentsDetector.name: CommentsDetector,
}

__all__ = ["DETECTORS", "Detector", "Finding"]
