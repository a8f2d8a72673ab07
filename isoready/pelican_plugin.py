"""The name Pelican loads isoready's plugin by: ``PLUGINS = ["isoready.pelican_plugin"]`` in a register's
pelicanconf.py, a name registers rely on. The plugin itself lives in the package stage
(isoready/package/pelican_plugin.py); this module only hands Pelican its ``register``."""

from isoready.package.pelican_plugin import register

__all__ = ["register"]
