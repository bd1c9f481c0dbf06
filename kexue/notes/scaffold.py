"""A new note for a post: one empty section per numbered or tagged equation."""

from __future__ import annotations

from kexue.math.tex import find_math, number_equations


def scaffold(post_id: str, body: str, today: str) -> str:
    """A new note for the post whose Markdown body is ``body``: one empty section per
    numbered or tagged equation (anchored by label when it has one), its number, label and
    TeX in a comment."""
    lines = [
        f"Post: {post_id}",
        "Status: draft",
        "Authors: ",
        f"Date: {today}",
        "",
        "<!-- 推导注释（本站撰写）。每个 `## @…` 节显示在它所指的公式正下方；开头这段和",
        "     `## @free` 节进入文末附录“推导与注释”。格式见 README 的“推导注释”一节。",
        "     注释里的公式不要用自动编号环境，请写 \\tag{3.1} 这样的标签。 -->",
        "",
    ]
    for eq in number_equations(find_math(body)):
        anchor = eq.label or f"({eq.shown})"
        about = f"({eq.shown})" + (f" \\label{{{eq.label}}}" if eq.label else "")
        tex = eq.tex.strip().replace("-->", "-- >")
        lines += [f"## @{anchor}", f"<!-- {about}", tex, "-->", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
