"""robots.txt rules: wildcards, end anchors, longest match, agent groups."""

from urllib.robotparser import RobotFileParser

from kexue.crawl.client import USER_AGENT
from kexue.crawl.robots import RobotsRules

SOURCE_ROBOTS = "User-agent: *\nDisallow: /search/\n"


def rules(text: str, agent: str = USER_AGENT) -> RobotsRules:
    return RobotsRules(text, agent)


def test_the_source_sites_robots_txt():
    r = rules(SOURCE_ROBOTS)
    assert not r.allowed("https://spaces.ac.cn/search/梯度/")
    assert r.allowed("https://spaces.ac.cn/archives/10320")
    assert r.allowed("https://spaces.ac.cn/content.html")
    assert r.allowed("/search")  # only the folder is disallowed


def test_longest_match_wins_whatever_the_order():
    text = "User-agent: *\nAllow: /archives/1*\nDisallow: /archives/\n"
    r = rules(text)
    assert r.allowed("/archives/10320")
    assert not r.allowed("/archives/7001")
    # urllib.robotparser takes the first matching rule and knows no wildcard:
    std = RobotFileParser()
    std.parse(text.splitlines())
    assert not std.can_fetch(USER_AGENT, "https://spaces.ac.cn/archives/10320")


def test_longer_disallow_beats_shorter_allow():
    r = rules("User-agent: *\nAllow: /\nDisallow: /usr/themes/\n")
    assert not r.allowed("/usr/themes/geekg/payment/wx.png")
    assert r.allowed("/usr/uploads/2024/08/302.png")


def test_wildcards_and_end_anchor():
    r = rules("User-agent: *\nDisallow: /*.php$\nDisallow: /*?replytocom=\nAllow: /*.php?x=1$\n")
    assert not r.allowed("/index.php")
    assert r.allowed("/index.php5")
    assert r.allowed("/index.php?x=1")
    assert not r.allowed("/archives/12?replytocom=3")
    assert r.allowed("/archives/12?page=2")


def test_tie_goes_to_allow_and_empty_disallow_allows_everything():
    assert rules("User-agent: *\nDisallow: /a\nAllow: /a\n").allowed("/a/b")
    assert rules("User-agent: *\nDisallow:\n").allowed("/anything")


def test_the_most_specific_agent_group_applies():
    text = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: kexue-notes\nUser-agent: otherbot\nDisallow: /private/\nCrawl-delay: 7\n"
    )
    r = rules(text)
    assert r.allowed("/archives/1")
    assert not r.allowed("/private/x")
    assert r.crawl_delay == 7
    assert not rules(text, "SomeoneElse/1.0").allowed("/archives/1")


def test_percent_encoded_and_raw_chinese_paths_compare_equal():
    r = rules("User-agent: *\nDisallow: /tag/%E7%94%9F%E6%B4%BB/\n")
    assert not r.allowed("/tag/生活/")
    assert r.allowed("/tag/优化/")
