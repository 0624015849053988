"""Python sources: tools and prompts declared in Python, read statically with libcst and never imported."""
