"""`invoke progress`: blog_list.txt and the PROGRESS_REPORT.md summary agree with content/
(kexue/ledger.py)."""

from __future__ import annotations
