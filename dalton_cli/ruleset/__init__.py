"""Rule files → a validated, compiled rule set. See docs/architecture.md."""
