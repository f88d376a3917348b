"""Generated columns of CMS families the fixtures of tests/sites/ do not have, to try
``zonenews sites add`` on shapes its rules were not drawn from: a WebPlus (university and
bureau) column with ``/2024/0612/c1234a567890/page.htm`` articles, and an ASP column in a
table with ``show.asp?id=N`` articles and a dated notice box of another column beside it."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.siteserver import FixtureServer

TOPICS = ["高新区举办集成电路产业对接会", "园区企业研发投入同比增长两成", "科技创新券第二批申报开始",
          "重点项目集中开工仪式举行", "人工智能产业园首批企业入驻", "人才公寓配售工作启动",
          "专精特新企业培育座谈会召开", "新能源储能项目签约落地", "知识产权服务站揭牌运行",
          "数字经济产业基金设立", "生物医药公共平台投入使用", "营商环境改革十条措施发布"]


@dataclass
class Column:
    """A generated column: its start URL and the paths of the articles a crawl must store."""

    start_path: str
    article_paths: list[str] = field(default_factory=list)


def _article_page(title: str, day: date, body: str, info_class: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(body)}第{n}段。</p>" for n in range(1, 4))
    return (f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div><h1 class='arti_title'>"
            f"{html.escape(title)}</h1><p class='{info_class}'>发布时间：{day.isoformat()} "
            f"来源：本站</p><div class='wp_articlecontent'>{paragraphs}</div>"
            "<div class='foot'>版权所有 高新区管委会</div></body></html>")


def webplus_column(server: FixtureServer, articles: int = 14, per_page: int = 6,
                   seed: int = 3) -> Column:
    rnd = random.Random(seed)
    column = Column("/xwzx/list.htm")
    day = date(2024, 6, 20)
    items: list[tuple[str, str, date]] = []
    for n in range(articles):
        day -= timedelta(days=rnd.randint(1, 4))
        path = f"/{day:%Y}/{day:%m%d}/c{1234 + n % 2}a{567890 + n * 7}/page.htm"
        title = f"{TOPICS[n % len(TOPICS)]}（{n + 1}）"
        server.add(path, _article_page(title, day, f"{title}。园区持续推进创新发展", "arti_update"))
        items.append((path, title, day))
        column.article_paths.append(path)
    pages = [items[i:i + per_page] for i in range(0, len(items), per_page)]
    for number, chunk in enumerate(pages, start=1):
        rows = "".join(f"<li><span class='Article_Title'><a href='{p}' title='{html.escape(t)}'>"
                       f"{html.escape(t)}</a></span><span class='Article_PublishDate'>{d}</span>"
                       "</li>" for p, t, d in chunk)
        pager = f"<a class='next' href='list{number + 1}.htm'>下一页</a>" \
            if number < len(pages) else ""
        name = "list.htm" if number == 1 else f"list{number}.htm"
        server.add(f"/xwzx/{name}", (
            "<html><head><meta charset='utf-8'><title>新闻资讯-示范高新区</title></head><body>"
            "<ul class='menu'><li><a href='/1234/list.htm'>园区概况</a></li>"
            "<li><a href='/1235/list.htm'>政务公开</a></li><li><a href='/1236/list.htm'>"
            "投资服务</a></li></ul>"
            f"<div id='wp_news_w6'><ul class='news_list'>{rows}</ul></div>"
            f"<div class='pager'>{pager}</div>"
            "<div class='links'><a href='http://www.gov.cn/'>中国政府网</a></div>"
            "</body></html>"))
    return column


def asp_column(server: FixtureServer, articles: int = 13, per_page: int = 5,
               seed: int = 5) -> Column:
    rnd = random.Random(seed)
    column = Column("/news/list.asp?classid=3")
    day = date(2023, 11, 30)
    items: list[tuple[str, str, date]] = []
    for n in range(articles):
        day -= timedelta(days=rnd.randint(1, 5))
        path = f"/news/show.asp?id={4100 - n * 3}"
        title = f"{TOPICS[(n + 5) % len(TOPICS)]}（第{n + 1}期）"
        server.add(path, _article_page(title, day, f"{title}。管委会相关负责人介绍", "info"))
        items.append((path, title, day))
        column.article_paths.append(path)
    notices = []
    for n in range(3):   # another column's box: dated too, never part of this column
        path = f"/notice/show.asp?id={77 + n}"
        server.add(path, _article_page(f"关于开展第{n + 1}批项目申报的通知", date(2023, 10, n + 1),
                                       "通知正文", "info"))
        notices.append((path, f"关于开展第{n + 1}批项目申报的通知", date(2023, 10, n + 1)))
    box = "".join(f"<tr><td><a href='{p}'>{t}</a></td><td>{d}</td></tr>" for p, t, d in notices)
    pages = [items[i:i + per_page] for i in range(0, len(items), per_page)]
    for number, chunk in enumerate(pages, start=1):
        rows = "".join(f"<tr><td class='t'><a href='show.asp?id={p.rsplit('=', 1)[1]}'>"
                       f"{html.escape(t)}</a></td><td class='d'>{d:%Y/%m/%d}</td></tr>"
                       for p, t, d in chunk)
        pager = f"<a href='list.asp?classid=3&amp;page={number + 1}'>下一页</a>" \
            if number < len(pages) else ""
        query = "classid=3" if number == 1 else f"classid=3&page={number}"
        server.add(f"/news/list.asp?{query}", (
            "<html><head><meta charset='gb2312'><title>园区新闻</title></head><body>"
            "<table class='top'><tr><td><a href='/index.asp'>首页</a></td>"
            "<td><a href='/news/list.asp?classid=3'>园区新闻</a></td>"
            "<td><a href='/notice/list.asp'>通知公告</a></td></tr></table>"
            f"<table class='main'><tr><td><table class='list'>{rows}</table>{pager}</td>"
            f"<td class='side'><table class='notice'>{box}</table></td></tr></table>"
            "</body></html>").encode("gb18030"), "text/html")
    return column
