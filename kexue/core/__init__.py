"""Shared foundations: paths, the post model and its header, the source site, problems,
atomic files, memos."""
