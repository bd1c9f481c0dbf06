"""Shared foundations: paths, the exception root (errors), the post model and its header, the
source site, problems, atomic files, memos and the import graph their keys come from."""
