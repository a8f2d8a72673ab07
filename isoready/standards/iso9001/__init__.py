"""ISO 9001 as a standard package: the 2015 and 2026 catalogs, the mapping between them, the transition
topics and the gate checks (standard.yaml lists them). Found through the ``isoready.standards`` entry point."""

from pathlib import Path

STANDARD_DATA = Path(__file__).parent
