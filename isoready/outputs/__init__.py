"""Outputs: readiness.json and its contract, CSV, the workbook, the pull-request summary."""
