"""Engine: the rule catalog and config, running checks by target, suppressions, and Violations → Diagnostics."""
