"""Developer tools, not part of the build: benchmarks (`invoke bench`), the search
evaluation and screenshots.  Imported only by tasks.py and the tests."""
