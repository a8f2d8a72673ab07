"""Render: pages through the Jinja templates, hashed, in parallel."""
