"""What a reader sees around a post: contents, boxes, summaries, citation, related posts."""
