"""TeX in posts: finding it, protecting it from Markdown, macros, typesetting at build
time, checks."""
