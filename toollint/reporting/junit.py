"""JUnit XML: one test suite per checked file with findings, one failing test case per diagnostic."""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from toollint.engine.run import Result
    from toollint.reporting import ReportOptions


_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot carry (control characters from hostile input) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def render_junit(result: Result, options: ReportOptions) -> str:
    total = len(result.diagnostics)
    root = ET.Element("testsuites", name="toollint", tests=str(max(total, 1)), failures=str(total))
    for path, group in groupby(result.diagnostics, key=lambda d: d.path):
        found = list(group)
        suite = ET.SubElement(root, "testsuite", name=_xml_text(path), tests=str(len(found)), failures=str(len(found)))
        for d in found:
            case = ET.SubElement(
                suite, "testcase", name=f"{d.code} {d.name} at {d.span.line}:{d.span.column}", classname=_xml_text(path)
            )
            failure = ET.SubElement(case, "failure", message=_xml_text(d.message), type=d.code)
            failure.text = _xml_text(f"{path}:{d.span.line}:{d.span.column}: {d.code} [{d.severity.label}] {d.message}")
    if not total:
        suite = ET.SubElement(root, "testsuite", name="toollint", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="no problems found", classname="toollint")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
