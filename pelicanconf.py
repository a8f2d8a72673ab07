"""Pelican settings for the portal.

The portal's own data lives in YAML (content/organisation.yaml and friends);
this file holds only rendering settings. isoready forces the settings a
portal needs (relative URLs, our plugin, no blog pages); see
isoready/pelican_plugin.py FORCED.
"""

SITENAME = "ISO 9001 readiness portal"
SITEURL = ""
PATH = "content"
THEME = "theme"  # project overrides; templates not found here come from the packaged theme
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGINS = ["isoready.pelican_plugin"]
RELATIVE_URLS = True
# Our theme must autoescape: every string in it comes from YAML a contributor wrote.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": []}
