"""Read: walk the project, read each file against the declarative schema into model records."""
