"""ISO 14001 as a standard package: the 2015 catalog and its gate checks (standard.yaml lists them). Found
through the ``isoready.standards`` entry point."""

from pathlib import Path

STANDARD_DATA = Path(__file__).parent
