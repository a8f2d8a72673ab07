"""Pelican settings for the portal: `pelican content -s pelicanconf.py` builds the same site as `invoke build`.

The portal's own data lives in YAML (content/organisation.yaml and friends); team-written pages are
Markdown in content/pages/ (Title:, Slug:, and Audience: public | auditor | internal, default auditor).
This file holds what a Pelican user expects to set: SITENAME, MENUITEMS, LINKS, STATIC_PATHS,
JINJA_FILTERS, extra PLUGINS (appended to ours). isoready forces the settings a portal needs (relative
URLs, no blog, its theme with theme/ as overrides, ...) and warns when this file sets one of them
differently: see docs/pelican.md.
"""

PLUGINS = ["isoready.pelican_plugin"]
SITENAME = "ISO 9001 readiness"  # shown beside the organisation's name in the header and page titles
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
# A direct `pelican` run builds the auditor portal as of SOURCE_DATE_EPOCH or today; pin a date here:
# ISOREADY_AS_OF = "2026-11-24"
# ISOREADY_AUDIENCE = "auditor"

# Extra entries for the navigation (after the portal's own pages) and links in the footer:
# paths are relative to the site root, or full https:// addresses.
MENUITEMS = []
LINKS = []

# A portal has no feeds (these only keep Pelican from warning about them).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
