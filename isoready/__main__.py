import sys

try:
    from isoready.cli import main
except KeyboardInterrupt:  # Ctrl+C while starting up: the same one line as later, never a traceback
    sys.stderr.write("isoready: interrupted; output left unchanged\n")
    sys.exit(130)

sys.exit(main())
