"""The one exception root: a ``KexueError`` is a problem the operator can fix (a bad file or
option, a missing tool, a refused step), told in one line that names the file or the thing;
anything else raised is a bug and shows its traceback.  ``tasks.py`` catches the root, prints
the message and exits 1.

The whole tree (a new class goes here first, then under its branch; a test keeps this list
and the code in step):

KexueError                              (this module) the root
├── InputError(ValueError)              (this module) a file or option given is wrong
│   ├── HeaderError                     kexue.core.header: a ``Key: value`` header, file:line
│   │   ├── PostFormatError             kexue.core.posts: a post's header
│   │   └── NoteFormatError             kexue.notes.note: a derivation note's header
│   ├── DataFileError                   kexue.core.datafiles: a data/*.toml unreadable
│   │   ├── TaxonomyError               kexue.topics: data/topics.toml invalid
│   │   ├── MacroFileError              kexue.math.macros: data/macros.toml invalid
│   │   └── AcceptedError               kexue.site.accepted: data/accepted.toml invalid
│   ├── UnknownTopicError               kexue.topics: an override names no topic
│   ├── FigureError                     kexue.figures.directive: a figure block
│   ├── RulesError                      kexue.crawl.relevance: the relevance rules
│   ├── OptionError                     kexue.crawl.loop: a crawl option (--via …)
│   └── LegacyFormatError               kexue.legacy.importer: a legacy file or folder
├── ToolError(RuntimeError)             (this module) a tool or step outside Python failed
│   ├── ChromiumMissingError            kexue.core.chromium: no headless Chromium
│   ├── MissingFrontEndPackageError     kexue.site.assets: an npm package not installed
│   ├── PrerenderError                  kexue.math.workers: the MathJax workers
│   │   └── WorkerDiedError             kexue.math.workers: a worker died (retried once)
│   ├── SearchIndexError                kexue.search.index: Pagefind
│   └── PublishError                    kexue.site.publish: git push of the site
└── RemoteError                         (this module) the source site
    ├── FetchError                      kexue.crawl.client: a URL not fetched
    └── AccessError                     kexue.crawl.convert: a page that is not the article

Outside the root, on purpose:

BuildRefusedError(SystemExit)           (this module) a build refused inside Pelican's run

A leaf module: it imports nothing of ours.
"""

from __future__ import annotations


class KexueError(Exception):
    """A problem the operator can fix; ``str()`` is the one line to print."""


class InputError(KexueError, ValueError):
    """A file or an option given is wrong; the message names it (``file[:line]: …``)."""


class ToolError(KexueError, RuntimeError):
    """A tool or step outside Python (Node, Chromium, Pagefind, git) is missing or failed."""


class RemoteError(KexueError):
    """The source site answered with something other than the page asked for."""


class BuildRefusedError(SystemExit):
    """A build refused inside Pelican's run (kexue.site.pelican): bad content or data files,
    an output folder that is not a build's, a post Pelican dropped.  A SystemExit, not a
    KexueError: Pelican's own ``main`` logs any Exception with its traceback, while this ends
    a bare ``pelican`` (and so `invoke build`) with the problems, one a line, and exit 1;
    `invoke serve` catches it and shows ``problems`` on its pages."""

    def __init__(self, problems: list[str], summary: str):
        self.problems, self.summary = list(problems), summary
        super().__init__("\n".join([*self.problems, f"build refused: {summary}"]))
