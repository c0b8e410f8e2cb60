"""``--format junit``: JUnit XML for CI test reports (GitLab, Jenkins, test-reporter actions).

One ``<testsuite name="pod-detect">`` inside ``<testsuites>``, one ``<testcase>`` per group
(``classname`` = kind, ``name`` = group id). A group at or above the failure threshold
(:attr:`RenderOptions.fail_on`, the CLI's ``--fail-on``, medium by default) is a
``<failure>`` whose message is the group's summary and whose body lists members and reasons.
A group below the threshold is a passing test case with the same details in
``<system-out>``: it was checked and reported, but it does not fail the build (``<skipped>``
would say it was not checked). When no group fails, a passing test case
``no groups at or above SEVERITY`` says so, so the suite is never empty.

Built with :mod:`xml.etree.ElementTree`, which escapes markup; control characters in hostile
account ids are written as escapes (:func:`pod_detect.text.visible`: a CI log viewer shows
them, it does not run them), and any character XML 1.0 cannot hold becomes U+FFFD.
Attribute order and ``time="0"`` are fixed, so the same report gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pod_detect.formats._common import at_least, describe, first_time_text, member_names
from pod_detect.formats.base import RenderOptions
from pod_detect.model import Group, Report
from pod_detect.text import NOT_XML, visible


def xml_text(text: str) -> str:
    """Replace characters that XML 1.0 cannot contain with U+FFFD."""
    return NOT_XML.sub("\ufffd", text)


def details(report: Report, group: Group) -> str:
    """The body of a test case: members, reasons and the first interaction, one per line."""
    lines = [f"members ({len(group.members)}): "
             + ", ".join(visible(n) for n in member_names(report, group))]
    lines += [f"- {visible(reason)}" for reason in group.reasons]
    first = first_time_text(report, group)
    if first:
        lines.append(f"first interaction at {first}")
    return xml_text("\n".join(lines) + "\n")


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as a JUnit XML document.

    Parameters
    ----------
    report
        The scan's report.
    options
        ``options.fail_on`` is the lowest severity that fails a test case.

    Returns
    -------
    str
        The XML document with an XML declaration, ending in a newline.
    """
    failing = [g for g in report.groups if at_least(g.severity, options.fail_on)]
    cases = len(report.groups) + (0 if failing else 1)
    root = ET.Element("testsuites", {"name": "pod-detect", "tests": str(cases),
                                     "failures": str(len(failing)), "errors": "0", "time": "0"})
    suite = ET.SubElement(root, "testsuite", {
        "name": "pod-detect", "tests": str(cases), "failures": str(len(failing)),
        "errors": "0", "skipped": "0", "time": "0",
    })
    for g in report.groups:
        case = ET.SubElement(suite, "testcase", {"classname": g.kind, "name": g.id, "time": "0"})
        if g in failing:
            failure = ET.SubElement(case, "failure", {
                "message": xml_text(describe(report, g)), "type": g.severity})
            failure.text = details(report, g)
        else:
            ET.SubElement(case, "system-out").text = details(report, g)
    if not failing:
        name = (f"no groups at or above {options.fail_on}" if options.fail_on != "never"
                else "no failing groups (fail-on never)")
        ET.SubElement(suite, "testcase", {"classname": "pod-detect", "name": name, "time": "0"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
