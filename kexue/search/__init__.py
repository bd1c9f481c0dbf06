"""Full-text search: the Pagefind index of the post bodies and notes."""
