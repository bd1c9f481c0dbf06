"""Crawl the source site politely into the raw cache, then convert the cache into content.

The stages, one module each:

* :mod:`kexue.crawl.options`: :class:`CrawlOptions`, the only home of the crawl's defaults.
* :mod:`kexue.crawl.client`: the polite HTTP client (:class:`HttpClient`): robots.txt, one
  request at a time with a delay, retries with backoff, timeouts, conditional GET.
* :mod:`kexue.crawl.browser`: the same interface through headless Chromium
  (:class:`BrowserClient`), for 403s and JavaScript gates.
* :mod:`kexue.crawl.cache`: the raw cache (:class:`RawCache`), keyed by post id.
* :mod:`kexue.crawl.listings`: which posts there are (RSS feed, /content.html).
* :mod:`kexue.crawl.loop`: :func:`crawl` and :func:`convert_cache`, which return a
  :class:`Summary`.

The source site's URLs and ids are :mod:`kexue.core.source`'s.  Import from the stage's module
(``from kexue.crawl.loop import crawl``): this package file imports nothing, so reading
the defaults (``kexue.crawl.options``, as tasks.py does) stays cheap.
"""
