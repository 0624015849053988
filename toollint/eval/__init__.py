"""Eval: run a committed regression set against a live model and gate a deploy on what regressed.

`format` reads eval files, `matching` scores one run, `runner` repeats runs, `providers` talks to the models,
`baseline` holds the regression policy, `report` prints, `session` ties one invocation together."""

from toollint.eval.session import EvalSettings, Outcome, evaluate, run_eval

__all__ = ["EvalSettings", "Outcome", "evaluate", "run_eval"]
