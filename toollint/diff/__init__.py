"""Changes between two versions of a toolset: the breaking-change taxonomy, prompt linkage, and tool pinning."""
