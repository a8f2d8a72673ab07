"""The floor every stage stands on: errors, diagnostics, safe YAML with positions, Markdown, SVG, forking."""
