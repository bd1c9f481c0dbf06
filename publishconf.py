"""Pelican settings for the published site (`invoke publish`).

SITEURL comes from the environment variable KEXUE_SITEURL (`invoke publish --siteurl`
sets it), e.g. https://<user>.github.io/kexue-notes.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("KEXUE_SITEURL", "").rstrip("/")
if not SITEURL:
    raise SystemExit(
        "publishconf.py: set KEXUE_SITEURL (or pass --siteurl to invoke publish) "
        "to the site's absolute URL, e.g. https://<user>.github.io/kexue-notes"
    )
RELATIVE_URLS = False

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"

DELETE_OUTPUT_DIRECTORY = True
LOAD_CONTENT_CACHE = False

# Stub and draft derivation notes stay out of the published site (shown, marked, by
# pelicanconf.py's development build).
KEXUE_DERIVATIONS = {**KEXUE_DERIVATIONS, "unpublished": False}  # noqa: F405
