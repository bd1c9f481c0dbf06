"""Interactive figures: the directive, its Markdown extension, the bundle."""
