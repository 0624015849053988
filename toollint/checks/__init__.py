"""Checks: pure functions from a catalog element (tool, parameter, toolset, prompt) to Violations; no I/O."""
