"""``--format junit``: JUnit XML for CI test reports (GitLab, Jenkins, test-reporter actions).

One ``<testsuite name="pod-detect">`` inside ``<testsuites>``, one ``<testcase>`` per group
(``classname`` = kind, ``name`` = group id). A group at or above the failure threshold
(:attr:`RenderOptions.fail_on`, the CLI's ``--fail-on``, medium by default) is a
``<failure>`` whose message is the group's summary and whose body lists members and reasons.
A group below the threshold is a passing test case with the same details in
``<system-out>``: it was checked and reported, but it does not fail the build (``<skipped>``
would say it was not checked). When no group fails, a passing test case
``no groups at or above SEVERITY`` says so, so the suite is never empty. A one-way group's
message names the accounts it boosts (the first three) and its body lists the first ten.

Expired baseline entries (:attr:`Report.expired`) are not test cases (they fail nothing:
the group an entry accepted, when found again, is a test case of its own): each is a
``baseline-entry-expired`` property of the suite (its id and expiry date) and a warning line
in the suite's ``<system-err>``.

Built with :mod:`xml.etree.ElementTree`, which escapes markup; control characters in hostile
account ids are written as escapes (:func:`pod_detect.text.visible`: a CI log viewer shows
them, it does not run them), and any character XML 1.0 cannot hold becomes U+FFFD.
Attribute order and ``time="0"`` are fixed, so the same report gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pod_detect.formats._common import (
    TOP_AUTHORS,
    at_least,
    author_sentence,
    boosts_label,
    boosts_list,
    describe,
    expired_sentence,
    first_time_text,
    member_names,
)
from pod_detect.formats.base import RenderOptions
from pod_detect.model import Group, Report
from pod_detect.report import BOOSTS_LISTED, author_figures, group_boosts
from pod_detect.text import NOT_XML, plural, visible


def xml_text(text: str) -> str:
    """Replace characters that XML 1.0 cannot contain with U+FFFD."""
    return NOT_XML.sub("\ufffd", text)


def summary(report: Report, group: Group, clients: list[tuple[str, int]] | None) -> str:
    """A failure's message: the group's summary, and for a one-way group the accounts it
    boosts (the first three)."""
    text = describe(report, group)
    if clients:
        text += (f" Boosts {plural(len(clients), 'account')} (engagements from its members): "
                 f"{boosts_list(clients, name=visible)}.")
    return xml_text(text)


def details(report: Report, group: Group, clients: list[tuple[str, int]] | None = None) -> str:
    """The body of a test case: members, the accounts a one-way group boosts (the first
    ten, with their engagements), reasons and the first interaction, one per line."""
    lines = [f"members ({len(group.members)}): "
             + ", ".join(visible(n) for n in member_names(report, group))]
    if clients:
        lines.append(f"{boosts_label(clients)}: "
                     + boosts_list(clients, BOOSTS_LISTED, name=visible))
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
    authors = author_figures(report)[:TOP_AUTHORS]
    if report.expired or authors:
        properties = ET.SubElement(suite, "properties")
        for entry in report.expired:
            ET.SubElement(properties, "property", {
                "name": "baseline-entry-expired",
                "value": xml_text(f"{visible(entry.id)} (expired {entry.expires.isoformat()})")})
        for row in authors:
            ET.SubElement(properties, "property", {
                "name": "inflated-author", "value": xml_text(author_sentence(row, visible))})
    boosts = group_boosts(report)
    for g in report.groups:
        case = ET.SubElement(suite, "testcase", {"classname": g.kind, "name": g.id, "time": "0"})
        clients = boosts.get(g.id)
        if g in failing:
            failure = ET.SubElement(case, "failure", {
                "message": summary(report, g, clients), "type": g.severity})
            failure.text = details(report, g, clients)
        else:
            ET.SubElement(case, "system-out").text = details(report, g, clients)
    if not failing:
        name = (f"no groups at or above {options.fail_on}" if options.fail_on != "never"
                else "no failing groups (fail-on never)")
        ET.SubElement(suite, "testcase", {"classname": "pod-detect", "name": name, "time": "0"})
    if report.expired:
        ET.SubElement(suite, "system-err").text = xml_text("".join(
            f"warning: {expired_sentence(entry, visible)}\n" for entry in report.expired))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
