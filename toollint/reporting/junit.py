"""JUnit XML: one test suite per checked file with findings, one failing test case per diagnostic."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from toollint.escape import visible

if TYPE_CHECKING:
    from toollint.engine.run import Result
    from toollint.reporting import ReportOptions


def render_junit(result: Result, options: ReportOptions) -> str:
    total = len(result.diagnostics)
    root = ET.Element("testsuites", name="toollint", tests=str(max(total, 1)), failures=str(total))
    for path, group in groupby(result.diagnostics, key=lambda d: d.path):
        found = list(group)
        suite = ET.SubElement(root, "testsuite", name=visible(path), tests=str(len(found)), failures=str(len(found)))
        for d in found:
            case = ET.SubElement(
                suite,
                "testcase",
                name=visible(f"{d.code} {d.name} at {d.span.line}:{d.span.column}"),
                classname=visible(path),
            )
            failure = ET.SubElement(case, "failure", message=visible(d.message), type=visible(d.code))
            failure.text = visible(f"{path}:{d.span.line}:{d.span.column}: {d.code} [{d.severity.label}] {d.message}")
    if not total:
        suite = ET.SubElement(root, "testsuite", name="toollint", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="no problems found", classname="toollint")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
