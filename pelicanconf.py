"""Pelican settings for development builds (`invoke build`, `invoke serve`)."""

from kexue.core import layout
from kexue.core.paths import ROOT
from kexue.core.source import SOURCE_BASE
from kexue.reading.structure import slugify_heading
from kexue.site.cachekey import reader_fingerprint

AUTHOR = "苏剑林"
SITENAME = "科学空间笔记"
SITESUBTITLE = "kexue-notes：科学空间数学与机器学习文章的镜像与推导注释"
SITEURL = ""
SOURCE_SITE = SOURCE_BASE

PATH = "content"
OUTPUT_PATH = "output"
ARTICLE_PATHS = ["posts", "samples"]
ARTICLE_EXCLUDES = ["derivations", "pages"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]

TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
HTML_LANG = "zh-CN"  # Pelican lower-cases DEFAULT_LANG; <html lang> keeps the BCP 47 case
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "其他"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
DEFAULT_PAGINATION = 20

# A post's URL is its archive id on the source site (the slug): /archives/<id>/.
ARTICLE_URL = "archives/{slug}/"
ARTICLE_SAVE_AS = "archives/{slug}/index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
YEAR_ARCHIVE_URL = "archives/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "archives/{date:%Y}/index.html"
# Page N of any list lives under <list>/page/N/: tag "标签1" page 2 is tag/标签1/page/2/,
# which cannot collide with tag "标签12".
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
SLUGIFY_USE_UNICODE = True
SLUGIFY_PRESERVE_CASE = False

THEME = "theme"
# Templates escape every value (titles, tags, topics, summaries, descriptions); only our
# own HTML, sanitised by kexue.site.sanitize (post and note bodies, summaries), is |safe.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
# The Summary header is text, never Markdown or HTML (plugins/kexue_posts renders it).
FORMATTED_FIELDS = []
THEME_STATIC_DIR = layout.THEME
# The output folder's paths the templates name (kexue/core/layout.py, the one list).
KEXUE_OUTPUT = layout.for_templates()
# Feature hooks: templates include partials/<feature>_<hook>.html when the file exists,
# for hooks head, nav, body_end, article_end, summary, index_top and article_meta (under
# the byline); templates/search.html includes partials/search_page.html.
THEME_FEATURES = ["math", "topics", "derivations", "search", "figures"]
DIRECT_TEMPLATES = ["index", "categories", "tags", "archives", "topics", "search", "404"]
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
# The plugins' settings (KEXUE_THEME: TOC depth, related posts; KEXUE_DERIVATIONS: the notes'
# folder; KEXUE_SEARCH: where index bundles are kept; KEXUE_TAGS:
# which tags are shown; MATH_PRERENDER, MATH_CACHE_PATH,
# TOPICS_TAXONOMY, TOPICS_LEGACY_OVERRIDES, NODE_MODULES): their defaults and types are in
# kexue/site/plugin_settings.py; set one here to change it (a feature's as a dict of the keys
# to change).

PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "kexue_posts",
    "kexue_math",
    "kexue_assets",
    "kexue_topics",
    "kexue_figures",
    "kexue_theme",
    "kexue_derivations",
    "kexue_output",  # before kexue_search: the index is built from the pruned output
    "kexue_search",
    "kexue_incremental",  # last: writes only the pages an edit touches
]
# The sample posts (content/samples/, ids 9xxxx): "auto" reads them only while content/ holds
# no real post (plugins/kexue_posts); True or False to decide.
KEXUE_SAMPLES = "auto"
# Derivation notes: stubs and drafts shown, marked (publishconf.py leaves them out).
KEXUE_DERIVATIONS = {"unpublished": True}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.codehilite": {"css_class": "highlight", "guess_lang": False},
        "markdown.extensions.meta": {},
        # Headings get ids that keep Chinese and never change between builds (unique per
        # page: a repeated heading gets _1, _2); "#" links to the section.
        "markdown.extensions.toc": {
            "slugify": slugify_heading,
            "permalink": "#",
            "permalink_title": "本节链接",
        },
        # !!! theorem "标题" boxes (derivation, theorem, proof, example, intuition, note).
        "kexue.reading.boxes": {},
    },
    "output_format": "html5",
}

# Development builds cache what the readers produced (plugins' reading signals still run).
CACHE_CONTENT = True
CONTENT_CACHING_LAYER = "reader"
LOAD_CONTENT_CACHE = True
GZIP_CACHE = False  # the cache is saved on every build: compressing it cost more than reading
# One cache per version of the reading code (kexue/, plugins/, this file).
CACHE_PATH = f".cache/pelican/{reader_fingerprint(ROOT)}"
# Formulas typeset at build time (kexue.math.prerender): keyed by their TeX, their context on
# the page and the MathJax version, so they outlive changes to the reading code.
# (MATH_PRERENDER = False leaves them to MathJax in the browser.)
MATH_CACHE_PATH = str(ROOT / ".cache" / "mathjax")

RELATIVE_URLS = True
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Topics (plugins/kexue_topics, taxonomy in data/topics.toml): a post's category is its
# primary topic, at category/<topic slug>/; the topics page lists them all.
# The earlier mirror's topic assignments (content/overrides/legacy-topics.json) are not
# applied unless TOPICS_LEGACY_OVERRIDES = True; content/overrides/topics.json and `Topic:`
# always are.
TOPICS_URL = "topics/"
TOPICS_SAVE_AS = "topics/index.html"

# Drafts are not written: an imported post without its text is a draft (kexue.legacy.importer)
# until `invoke crawl --missing` fetches it, and must not be an empty page.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
