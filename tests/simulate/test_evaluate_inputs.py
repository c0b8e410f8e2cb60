"""`evaluate` checks both of its inputs: the wrong kind of file, JSON that is not an object,
missing keys, wrong types, the two swapped and a redacted report each exit 2 with one line
naming the file (the core raises InputError; the CLI reports it)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pod_detect.cli import cli
from pod_detect.errors import InputError
from pod_detect.report.redact import pseudonym
from pod_detect.simulate.evaluate import (
    JSON_REPORT,
    TRUTH_FILE,
    check_documents,
    check_report,
    check_truth,
    document_kind,
    evaluate,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The small platform of tests/cli/test_cli_simulate_evaluate.py.
SMALL = ["--seed", "3", "--accounts", "150", "--days", "3", "--rotating", "0",
         "--likefarm-size", "5-6", "--celebrities", "1", "--viral", "1", "--friends", "1",
         "--coworkers", "1"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A simulated export's truth, and its scan as every kind of file evaluate might get."""
    folder = tmp_path_factory.mktemp("evaluate-inputs")
    export, truth = folder / "export.csv", folder / "truth.json"
    assert run("simulate", *SMALL, "-o", export, "--truth", truth).exit_code == 0
    out = {"export": export, "truth": truth}
    for name, extra in [("report.json", ["-f", "json"]), ("redacted.json", ["-f", "json",
                        "--redact"]), ("report.sarif", ["-f", "sarif"]),
                        ("report.ndjson", ["-f", "ndjson"]), ("report.csv", ["-f", "csv"]),
                        ("report.html", ["-f", "html"])]:
        result = run("scan", export, "-q", "-o", folder / name, *extra)
        assert result.exit_code == 1, result.output  # the planted groups are found
        out[name] = folder / name
    out["record.json"] = folder / "record.json"
    out["record.json"].write_text(out["report.ndjson"].read_text().splitlines()[0])
    out["baseline.json"] = folder / "baseline.json"
    assert run("scan", export, "-q", "-o", folder / "x.json", "--exit-zero",
               "--update-baseline", out["baseline.json"]).exit_code == 0
    out["scores.json"] = folder / "scores.json"
    assert run("evaluate", out["report.json"], "--truth", truth, "-f", "json",
               "-o", out["scores.json"]).exit_code == 0
    return out


def one_error_line(result, *needles):
    """The run exited 2 with exactly one line on stderr holding every needle, no stdout."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pod-detect: error: ")
    for needle in needles:
        assert str(needle) in lines[0], (needle, lines[0])
    assert result.stdout == ""
    assert "Traceback" not in result.output
    return lines[0]


def written(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


# --------------------------------------------------------------------------- the CLI


def test_a_real_report_and_truth_are_scored(files):
    result = run("evaluate", files["report.json"], "--truth", files["truth"], "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["groups_found"] >= 1


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("report.sarif", "a SARIF log (scan -f sarif)"),
        ("record.json", "one record of an NDJSON report (scan -f ndjson)"),
        ("baseline.json", "a baseline file (scan --update-baseline)"),
        ("scores.json", "the output of 'pod-detect evaluate -f json'"),
    ],
)
def test_another_pod_detect_file_as_the_report(files, name, kind):
    result = run("evaluate", files[name], "--truth", files["truth"])
    line = one_error_line(result, files[name], kind, "not a pod-detect JSON report",
                          "pod-detect scan -f json")
    assert line == (f"pod-detect: error: {files[name]}: this is {kind}, not a pod-detect JSON "
                    "report (write one with 'pod-detect scan -f json')")


@pytest.mark.parametrize("name", ["report.csv", "report.html", "report.ndjson"])
def test_a_report_that_is_not_json_says_what_report_is_needed(files, name):
    result = run("evaluate", files[name], "--truth", files["truth"])
    one_error_line(result, files[name], "not valid JSON",
                   "REPORT must be the JSON report of 'pod-detect scan -f json'")


def test_a_truth_that_is_not_json_says_what_truth_is_needed(files):
    result = run("evaluate", files["report.json"], "--truth", files["export"])
    one_error_line(result, files["export"], "not valid JSON",
                   "--truth must be the truth file of 'pod-detect simulate --truth'")


def test_empty_object_as_the_report(files, tmp_path):
    empty = written(tmp_path, "empty.json", {})
    line = one_error_line(run("evaluate", empty, "--truth", files["truth"]), empty)
    assert line == (f"pod-detect: error: {empty}: not a pod-detect JSON report: no "
                    "'schema_version' key (write one with 'pod-detect scan -f json')")


@pytest.mark.parametrize(("document", "what"), [([], "a list"), ("x", "a string"),
                                                (3, "a number (3)"), (None, "null")])
def test_json_that_is_not_an_object(files, tmp_path, document, what):
    path = written(tmp_path, "doc.json", json.dumps(document))
    line = one_error_line(run("evaluate", path, "--truth", files["truth"]), path)
    assert line.endswith(f"{path}: not a pod-detect JSON report: the document is {what}, not "
                         "an object (write one with 'pod-detect scan -f json')")
    line = one_error_line(run("evaluate", files["report.json"], "--truth", path), path)
    assert line.endswith(f"{path}: not a truth file: the document is {what}, not an object "
                         "(write one with 'pod-detect simulate --truth FILE')")


def test_truth_given_as_the_report(files):
    truth = files["truth"]
    line = one_error_line(run("evaluate", truth, "--truth", truth), truth)
    assert line == (f"pod-detect: error: {truth}: this is a truth file (from 'pod-detect "
                    "simulate --truth'), not a report: give it to --truth, and as REPORT the "
                    "JSON report of 'pod-detect scan -f json'")


def test_report_given_as_the_truth(files):
    report = files["report.json"]
    line = one_error_line(run("evaluate", report, "--truth", report), report)
    assert line == (f"pod-detect: error: {report}: this is a pod-detect report, not a truth "
                    "file: give it as REPORT, and to --truth the truth file of 'pod-detect "
                    "simulate --truth'")


def test_report_and_truth_swapped(files):
    report, truth = files["report.json"], files["truth"]
    line = one_error_line(run("evaluate", truth, "--truth", report), report, truth)
    assert line == (f"pod-detect: error: the report and the truth are swapped: {truth} is a "
                    f"truth file and {report} is a report; give the report first and the truth "
                    "to --truth")


def test_a_redacted_report_is_refused_not_scored_zero(files):
    report, truth = files["redacted.json"], files["truth"]
    line = one_error_line(run("evaluate", report, "--truth", truth), report, truth)
    assert line == (f"pod-detect: error: {report}: the report is redacted (--redact): no "
                    f"account id in common with the truth {truth}; evaluate the unredacted "
                    "report")


def test_a_sarif_log_as_the_truth(files):
    sarif = files["report.sarif"]
    one_error_line(run("evaluate", files["report.json"], "--truth", sarif), sarif,
                   "this is a SARIF log (scan -f sarif), not a truth file")


def test_report_on_stdin_is_named_stdin(files):
    result = CliRunner().invoke(cli, ["evaluate", "-", "--truth", str(files["truth"])],
                                input="{}")
    one_error_line(result, "<stdin>: not a pod-detect JSON report")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.pop("pods"), "not a pod-detect JSON report: no 'pods' key (write one "
                                  "with 'pod-detect scan -f json')"),
        (lambda r: r.update(schema_version="1"), "'schema_version' must be an integer, not a "
                                                 "string"),
        (lambda r: r.update(schema_version=2), "report schema_version 2 is not supported: "
                                               "this pod-detect reads version 1"),
        (lambda r: r.update(pods={}), "'pods' must be a list, not an object"),
        (lambda r: r.update(summary=[]), "'summary' must be an object, not a list"),
        (lambda r: r["pods"].append("g1"), "pods[1] must be an object, not a string"),
        (lambda r: r["pods"][0].pop("members"), "pods[0] has no 'members' key"),
        (lambda r: r["pods"][0].pop("id"), "pods[0] has no 'id' key"),
        (lambda r: r["pods"][0].update(members="a,b"), "pods[0].members must be a list, not a "
                                                       "string"),
        (lambda r: r["pods"][0].update(members=["a", 7]), "pods[0].members[1] must be a "
                                                          "string, not a number (7)"),
        (lambda r: r["pods"][0].update(severity="extreme"), "pods[0].severity must be low, "
                                                            "medium or high, not 'extreme'"),
        (lambda r: r["pods"][0].update(score="high"), "pods[0].score must be a number, not a "
                                                      "string"),
        (lambda r: r["pods"][0].update(size=True), "pods[0].size must be an integer, not true"),
        (lambda r: r["pods"].append(dict(r["pods"][0])), "pods[1].id 'g1' repeats pods[0]"),
    ],
)
def test_a_report_with_a_missing_key_or_a_wrong_type(files, tmp_path, change, message):
    document = copy.deepcopy(REPORT)
    change(document)
    path = written(tmp_path, "report.json", document)
    line = one_error_line(run("evaluate", path, "--truth", files["truth"]), path)
    assert line == f"pod-detect: error: {path}: {message}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.update(groups={}), "'groups' must be a list, not an object"),
        (lambda t: t.update(rows="many"), "'rows' must be an integer, not a string"),
        (lambda t: t["groups"].append(None), "groups[3] must be an object, not null"),
        (lambda t: t["groups"][0].pop("label"), "groups[0] has no 'label' key"),
        (lambda t: t["groups"][0].update(label="pods"), "groups[0].label must be pod, lockstep "
                                                        "or negative, not 'pods'"),
        (lambda t: t["groups"][1].update(clients="k"), "groups[1].clients must be a list, not "
                                                       "a string"),
        (lambda t: t["groups"][2].update(members=[["x"]]), "groups[2].members[0] must be a "
                                                           "string, not a list"),
    ],
)
def test_a_truth_with_a_missing_key_or_a_wrong_type(files, tmp_path, change, message):
    document = copy.deepcopy(TRUTH)
    change(document)
    path = written(tmp_path, "truth.json", document)
    line = one_error_line(run("evaluate", files["report.json"], "--truth", path), path)
    assert line == f"pod-detect: error: {path}: {message}"


# --------------------------------------------------------------------------- the core

TRUTH = {
    "seed": 0, "config": {}, "accounts": 20, "rows": 100,
    "start": "2026-03-01T00:00:00Z", "end": "2026-03-15T00:00:00Z",
    "groups": [
        {"id": "classic-1", "kind": "classic", "label": "pod", "members": ["a", "b", "c"]},
        {"id": "likefarm-1", "kind": "likefarm", "label": "lockstep",
         "members": ["f1", "f2", "f3"], "clients": ["k"]},
        {"id": "friends-1", "kind": "friends", "label": "negative", "members": ["x", "y"]},
    ],
}
REPORT = {
    "schema_version": 1, "tool": {"name": "pod-detect", "version": "0"}, "input": {},
    "settings": {}, "summary": {}, "notes": [], "accounts": [], "posts": [], "suppressed": [],
    "pods": [{"id": "g1", "kind": "pod", "severity": "high", "score": 0.9,
              "members": ["a", "b", "c"], "size": 3, "detectors": ["reciprocal"],
              "evidence": {}, "reasons": ["..."]}],
}


def redacted(report):
    out = copy.deepcopy(report)
    for pod in out["pods"]:
        pod["members"] = sorted(pseudonym(m) for m in pod["members"])
    return out


def test_the_hand_built_documents_pass():
    check_documents(REPORT, TRUTH)
    assert evaluate(REPORT, TRUTH).groups[0].found


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.truth.json")), ids=lambda p: p.name)
def test_the_example_truths_pass(path):
    truth = json.loads(path.read_text())
    assert document_kind(truth) == TRUTH_FILE
    check_truth(truth, path.name)


def test_the_minimal_documents_pass():
    """Only what evaluate reads is required: a report's schema version and pods (id, kind,
    severity, members), a truth's groups (id, kind, label, members)."""
    pod = {"id": "g1", "kind": "pod", "severity": "low", "members": ["a"]}
    group = {"id": "classic-1", "kind": "classic", "label": "pod", "members": ["a"]}
    check_documents({"schema_version": 1, "pods": [pod]}, {"groups": [group]})
    check_documents({"schema_version": 1, "pods": []}, {"groups": []})


def test_errors_name_the_source():
    with pytest.raises(InputError, match=r"^mine\.json: not a pod-detect JSON report"):
        check_report({}, "mine.json")
    with pytest.raises(InputError, match=r"^theirs\.json: not a truth file"):
        check_truth({}, "theirs.json")
    with pytest.raises(InputError) as error:
        check_report({"schema_version": 1}, "mine.json")
    assert error.value.source == "mine.json"


def test_document_kinds():
    assert document_kind(REPORT) == JSON_REPORT
    assert document_kind(TRUTH) == TRUTH_FILE
    assert document_kind(evaluate(REPORT, TRUTH).to_dict()).startswith("the output of "
                                                                      "'pod-detect evaluate")
    assert document_kind({"$schema": "x", "version": "2.1.0", "runs": []}).startswith("a SARIF")
    assert document_kind({"config_file": None, "settings": []}).endswith("config -f json'")
    assert document_kind({}) is None and document_kind([]) is None


def test_swapped_is_said_before_anything_else():
    with pytest.raises(InputError, match="swapped: t.json is a truth file and r.json is a "
                                         "report"):
        check_documents(TRUTH, REPORT, report_source="t.json", truth_source="r.json")


def test_redacted_report_against_real_ids():
    with pytest.raises(InputError) as error:
        check_documents(redacted(REPORT), TRUTH, report_source="r.json", truth_source="t.json")
    assert str(error.value) == ("r.json: the report is redacted (--redact): no account id in "
                                "common with the truth t.json; evaluate the unredacted report")
    with pytest.raises(InputError, match="redacted"):
        evaluate(redacted(REPORT), TRUTH)  # the library refuses it too


def test_redaction_is_refused_only_when_nothing_matches():
    # a truth of pseudonyms is compared as it is
    truth = copy.deepcopy(TRUTH)
    for group in truth["groups"]:
        group["members"] = [pseudonym(m) for m in group["members"]]
    check_documents(redacted(REPORT), truth)
    assert evaluate(redacted(REPORT), truth).groups[0].found
    # an id in common: the report is not a redacted copy of this truth's export
    mixed = redacted(REPORT)
    mixed["pods"][0]["members"].append("a")
    check_documents(mixed, TRUTH)
    # nothing reported: nothing to compare, nothing redacted to say
    check_documents({**REPORT, "pods": []}, TRUTH)
    # real ids that are in no truth group (an organic group flagged) are scored, not refused
    organic = copy.deepcopy(REPORT)
    organic["pods"][0]["members"] = ["o1", "o2", "o3"]
    check_documents(organic, TRUTH)
    assert evaluate(organic, TRUTH).precision == 0.0


@pytest.mark.parametrize(
    ("report", "truth", "message"),
    [
        ([], TRUTH, "report: not a pod-detect JSON report: the document is a list"),
        (REPORT, "x", "truth: not a truth file: the document is a string"),
        ({"pods": [{"id": "g1"}]}, TRUTH, "report: pods[0] has no 'kind' key"),
        ({"pods": "g1"}, TRUTH, "report: 'pods' must be a list, not a string"),
        (REPORT, {"groups": [{"id": "c", "kind": "classic", "label": "pod"}]},
         "truth: groups[0] has no 'members' key"),
    ],
)
def test_evaluate_itself_raises_input_error_not_key_error(report, truth, message):
    with pytest.raises(InputError) as error:
        evaluate(report, truth)
    assert str(error.value).startswith(message)
