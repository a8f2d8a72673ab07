"""Git facts: revisions, snapshots, comparisons and history, never a checkout."""
