"""grader/render on its own: blocks, common helpers, feedback pages and JUnit, fast.

``make mutate`` judges grader/render and grader/visibility with these tests
(no batch export, no worker): each pins what a renderer writes for one small
input, so a changed word, escape or count fails a test here.
"""
from grader.render import blocks as b


def test_md_inline_escapes_markdown_and_html():
    assert b.md_inline("a *b* _c_ `d` [e] |f| #g \\h <i>") == \
        "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\] \\|f\\| \\#g \\\\h &lt;i&gt;"
