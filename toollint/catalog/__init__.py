"""Catalog: the format-independent model (Tool, Parameter, Prompt, Agent) extracted from Documents, with pointers."""
