"""Package: the Pelican adapter, the build, its cache, the offline archive and the PDF."""
