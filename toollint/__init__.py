"""toollint: a static linter and deploy gate for LLM tool definitions and the prompts that use them."""

__version__ = "0.1.0"
