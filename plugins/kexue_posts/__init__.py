"""Pelican adapter: read kexue content files, whose empty header fields mean "unknown".

Crawled and imported posts keep every header key, some empty (a legacy file with no
date has ``Date:`` empty; nothing is invented).  Pelican would fail on an empty date, so
empty fields are dropped before Pelican parses them, and a post with no date gets a
sentinel date (sorted last) and ``date_unknown = True`` for the theme to say 日期未知.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.readers import MarkdownReader

UNKNOWN_DATE = datetime(1970, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


class KexueMarkdownReader(MarkdownReader):
    def _parse_metadata(self, meta):
        kept = {k: v for k, v in meta.items() if any(str(x).strip() for x in v)}
        return super()._parse_metadata(kept)

    def read(self, source_path):
        content, metadata = super().read(source_path)
        if "date" not in metadata and "/pages/" not in source_path.replace("\\", "/"):
            metadata["date"] = UNKNOWN_DATE
            metadata["date_unknown"] = True
        return content, metadata


def use_reader(readers):
    for ext in KexueMarkdownReader.file_extensions:
        readers.reader_classes[ext] = KexueMarkdownReader


def register():
    signals.readers_init.connect(use_reader)
