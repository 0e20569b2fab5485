"""A real article of the bundled gazette (聊政办字〔2018〕76号 in 003_3fd668cf8acf80e9.txt), and
that article as a city portal's saved page, for the HTML reader and the end-to-end format tests."""
from __future__ import annotations

from html import escape
from pathlib import Path

from indexer.text import is_docnum_line

GAZETTE = Path(__file__).resolve().parents[2] / "data" / "gazettes" / "003_3fd668cf8acf80e9.txt"
DOCNUM = "聊政办字〔2018〕76号"
TITLE = "聊城市人民政府办公室关于印发《聊城市优化政务服务专项行动方案》的通知"
# the portal's metadata table: (label as printed, value) in the order the page prints them
TABLE = [
    ("索 引 号：", "11371500004339385Q/2018-00176"),
    ("主题分类：", "综合政务"),
    ("发文机关：", "聊城市人民政府办公室"),
    ("成文日期：", "2018年09月14日"),
    ("标　　题：", TITLE),
    ("发文字号：", DOCNUM),
    ("发布日期：", "2018-09-20"),
    ("有 效 性：", "有效"),
]
CHROME = ("首页", "版权所有", "ICP", "打印", "关闭窗口", "相关链接", "分享到", "当前位置", "搜索", "我要纠错", "网站地图", "无障碍")


def article_lines() -> list[str]:
    """The article's lines as the text conversion holds them: from its 文号 line to the end of its
    body, without the letterhead of the next article."""
    lines = GAZETTE.read_text(encoding="utf-8").splitlines()
    start = lines.index(DOCNUM)
    end = next(i for i in range(start + 1, len(lines)) if is_docnum_line(lines[i]))
    body = [s.strip() for s in lines[start:end] if s.strip()]
    assert body[-1] == "聊城市人民政府办公室"  # the letterhead above 聊政办字〔2018〕78号
    body = body[:-1]
    assert body[-1].startswith("（一）加强组织领导") and len(body) > 50
    text = "\n".join(body)
    assert not [w for w in CHROME if w in text], "a chrome word occurs in the article: the chrome test would prove nothing"
    return body


def portal_page(body: list[str], head_charset: str = '<meta charset="utf-8">', scripts: bool = True) -> str:
    """A document page as a city portal serves it and a browser saves it: header, search box, nav menu,
    breadcrumb, title, metadata table, tools bar, the body, share/print links, related links, footer."""
    cells = [f'<td class="label">{escape(label)}</td><td>{escape(value)}</td>' for label, value in TABLE]
    # two label/value pairs a row; the title spans the row; 有效性 alone with empty cells beside it
    rows = (
        f"<tr>{cells[0]}{cells[1]}</tr>\n<tr>{cells[2]}{cells[3]}</tr>\n"
        f'<tr><td class="label">{escape(TABLE[4][0])}</td><td colspan="3">{escape(TABLE[4][1])}</td></tr>\n'
        f"<tr>{cells[5]}{cells[6]}</tr>\n<tr>{cells[7]}<td></td><td></td></tr>"
    )
    paragraphs = "\n".join(f'<p style="text-indent:2em">{escape(s)}</p>' for s in body)
    script = (
        '<script src="/js/jquery.min.js"></script>\n'
        '<script>var _hmt = _hmt || []; document.write("<p>统计代码写入的文字</p>");</script>'
        if scripts
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{head_charset}
<title>{escape(TITLE)}_聊城市人民政府</title>
<link rel="stylesheet" href="/css/main.css">
{script}
<style>.article-content p {{ line-height: 2; }} .hidden {{ display: none; }}</style>
</head>
<body>
<div class="header">
  <div class="logo"><a href="/"><img src="/images/logo.png" alt="聊城市人民政府"></a></div>
  <div class="top-links"><a href="#">无障碍浏览</a> | <a href="#">长者模式</a> | <a href="#">English</a></div>
  <form class="search" action="/search"><input type="text" name="q" placeholder="请输入关键字"><button type="submit">搜索</button></form>
</div>
<div class="nav"><ul>
  <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
  <li><a href="/hdjl/">互动交流</a></li><li><a href="/zjlc/">走进聊城</a></li>
</ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zcwj/">政策文件</a></div>
<div class="main">
<h1 class="article-title">{escape(TITLE)}</h1>
<div class="xxgk-meta"><table class="meta-table">
{rows}
</table></div>
<div class="article">
  <div class="article-tools">【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】 <a href="javascript:window.print()">打印本页</a></div>
  <div class="article-content" id="zoom">
{paragraphs}
  </div>
  <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
  <div class="article-bottom"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭窗口】</a> <a href="#">【我要纠错】</a></div>
</div>
<div class="related"><h3>相关链接</h3><ul>
  <li><a href="/a.html">聊城市人民政府办公室关于提高城乡居民最低生活保障标准的通知</a><span>2018-09-25</span></li>
  <li><a href="/b.html">聊城市人民政府关于印发聊城市“十三五”规划的通知</a><span>2018-08-10</span></li>
  <li><a href="/c.html">政策解读：《聊城市优化政务服务专项行动方案》</a><span>2018-09-21</span></li>
</ul></div>
</div>
<div class="footer">
  <p><a href="#">网站地图</a> | <a href="#">联系我们</a> | <a href="#">网站声明</a></p>
  <p>主办单位：聊城市人民政府办公室　版权所有：聊城市人民政府</p>
  <p>网站标识码：3715000001　<a href="https://beian.miit.gov.cn">鲁ICP备05001932号</a>　鲁公网安备 37150202000123号</p>
</div>
</body>
</html>"""
