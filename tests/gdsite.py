"""A Guangdong-cluster news column, generated: list pages with index_N pagination, articles in
three detail skins, and the ground truth of every article, so a crawl can be checked field by field.

Articles can be published and edited between crawls, like on the real site.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.siteserver import FixtureServer

SENTENCES = [
    "高新区管委会与多家企业签署战略合作框架协议，共同推进集成电路产业链建设",
    "项目计划总投资约{n}亿元，建成后预计年产值超过{m}亿元",
    "近年来，高新区坚持创新驱动发展战略，持续优化营商环境",
    "签约项目涵盖新一代信息技术、生物医药、新能源和智能制造等领域",
    "该项目落地后将进一步完善区内半导体与集成电路产业生态",
    "会上，双方就人才引进、科技成果转化和产业基金设立等事项进行了深入交流",
    "高新区将以此次签约为契机，全力做好项目服务保障工作",
    "截至目前，园区已集聚高新技术企业{m}家，形成了较为完整的产业集群",
    "下一步，高新区将围绕“3+3+1”现代产业体系开展精准招商",
    "活动现场，多家投资机构与科技企业进行了项目路演和对接洽谈",
    "专家组对人工智能与机器人产业的发展前景给予了高度评价",
    "园区企业代表表示，将加大研发投入，争取早日实现量产",
]
AUTHORS = ["宋雪梅", "李明", "周楠", "陈白虹", "刘玺东", "易赛楠", "崔小远", "林子沛"]
EDITORS = ["杨子薇", "苏芳", "姚昊", "汤诗瑶", "丁涛"]
SOURCES = ["本网", "珠海特区报", "珠海高新区", "南方日报", "广州日报"]
# The cluster's CMS serves a mobile twin (mpost_<id>) of every post, and the column links one:
# a site file for it says they are one article.
TWINS = 'url_rules = ["mpost-twin"]\n'


@dataclass
class GdArticle:
    post_id: int
    title: str
    published: datetime            # Beijing time, naive
    paragraphs: list[str]
    author: str
    photographer: str | None
    editor: str
    responsible_editor: str | None
    source: str
    skin: int
    version: int = 1

    @property
    def path(self) -> str:
        return f"/gxxw/gxdt/content/post_{self.post_id}.html"

    @property
    def body_text(self) -> str:
        return "\n".join(self.paragraphs)

    def expected(self, site_name: str = "gd-test zone") -> dict[str, object]:
        """What a reader finds on the page; 来源：本网 ("this site") names the site itself."""
        return {
            "title": self.title,
            "published_at": self.published.strftime("%Y-%m-%dT%H:%M:00+08:00"),
            "source": site_name if self.source == "本网" else self.source,
            "authors": [self.author],
            "photographers": [self.photographer] if self.photographer else [],
            "editors": [self.editor],
            "responsible_editors": [self.responsible_editor] if self.responsible_editor else [],
            "body_text": self.body_text,
        }


@dataclass
class GdColumn:
    server: FixtureServer
    per_page: int = 12
    seed: int = 7
    articles: list[GdArticle] = field(default_factory=list)   # newest first

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.next_id = 3456700
        self.clock = datetime(2024, 3, 1, 9, 0)

    # ------------------------------------------------------------ content
    def _article(self) -> GdArticle:
        rng = self.rng
        self.next_id += rng.randint(1, 40)
        self.clock += timedelta(hours=rng.randint(5, 40), minutes=rng.randint(0, 59))
        paras = []
        for _ in range(rng.randint(3, 7)):
            s = rng.sample(SENTENCES, 2)
            paras.append("，".join(x.format(n=rng.randint(2, 90), m=rng.randint(10, 500))
                                   for x in s) + "。")
        subject = rng.choice(["集成电路", "生物医药", "人工智能", "新能源", "数字经济"])
        title = f"高新区{subject}项目签约落地 第{self.next_id % 1000}号"
        return GdArticle(
            post_id=self.next_id, title=title, published=self.clock, paragraphs=paras,
            author=rng.choice(AUTHORS), photographer=rng.choice([None, *AUTHORS[4:]]),
            editor=rng.choice(EDITORS), responsible_editor=rng.choice([None, *EDITORS]),
            source=rng.choice(SOURCES), skin=len(self.articles) % 3,
        )

    def publish(self, n: int) -> list[GdArticle]:
        """n new articles at the top of the column, as a zone office would post them."""
        new = [self._article() for _ in range(n)]
        self.articles[:0] = reversed(new)
        self.render()
        return new

    def edit(self, article: GdArticle, paragraph: str) -> None:
        article.paragraphs.append(paragraph)
        article.version += 1
        self.render()

    # ------------------------------------------------------------ pages
    def render(self) -> None:
        pages = [self.articles[i:i + self.per_page]
                 for i in range(0, len(self.articles), self.per_page)] or [[]]
        for n, chunk in enumerate(pages, start=1):
            name = "index.html" if n == 1 else f"index_{n}.html"
            self.server.add(f"/gxxw/gxdt/{name}", self._list_page(chunk, n, len(pages)))
        for art in self.articles:
            self.server.add(art.path, self._detail(art))
            self.server.add(art.path.replace("post_", "mpost_"), self._detail(art))

    def _list_page(self, chunk: list[GdArticle], n: int, count: int) -> str:
        items = []
        for i, a in enumerate(chunk):
            href = f"content/post_{a.post_id}.html" if i % 2 else "{base}" + a.path
            if i == 3:  # the mobile twin is the same article
                href = f"./content/mpost_{a.post_id}.html"
            items.append(f'<li><a href="{href}" title="{html.escape(a.title)}" target="_blank">'
                         f'{html.escape(a.title[:18])}</a><span>{a.published:%Y-%m-%d}</span></li>')
        pager = ['<a href="index.html">首页</a>']
        if n > 1:
            prev = "index.html" if n == 2 else f"index_{n - 1}.html"
            pager.append(f'<a class="prev" href="{prev}">上一页</a>')
        if n < count:
            pager.append(f'<a class="next" href="index_{n + 1}.html">下一页</a>')
        last = "index.html" if count == 1 else f"index_{count}.html"
        pager.append(f'<a class="last" href="{last}">尾页</a>')
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>高新动态_珠海高新区</title><meta name="ColumnName" content="高新动态">
<script>var NFCMS_SITE_ID=1;var NFCMS_CAT_ID=2231;</script></head><body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/gxxw/">高新新闻</a></li>
<li><a href="/xxgkml/">信息公开</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/gxxw/">高新新闻</a> &gt; 高新动态</div>
<div class="list_con"><ul class="list">{''.join(items)}</ul>
<div class="page">{' '.join(pager)}</div></div>
<div class="footer">主办：珠海高新区管委会 | 粤ICP备05020342号</div></body></html>"""

    def _credits(self, a: GdArticle) -> list[str]:
        line = f"文/{a.author}"
        if a.photographer:
            line += f" 图/{a.photographer}"
        lines = [line, f"编辑：{a.editor}"]
        if a.responsible_editor:
            lines.append(f"责任编辑：{a.responsible_editor}_NF{4400 + a.post_id % 90}")
        return lines

    def _detail(self, a: GdArticle) -> str:
        body = "".join(f'<p style="text-indent:2em">　　{html.escape(p)}</p>' for p in a.paragraphs)
        credits = "".join(f"<p>{html.escape(c)}</p>" for c in self._credits(a))
        share = ('<div class="share">分享到：<a class="weixin" href="#">微信</a>'
                 '<a class="weibo" href="#">微博</a></div>')
        when = f"{a.published:%Y-%m-%d %H:%M}"
        if a.skin == 0:
            main = f"""<div class="viewList"><h3 class="zw-title">{html.escape(a.title)}</h3>
<div class="zw-info"><span>时间  :  {when}:00</span><span>来源  :  {a.source}</span>
<span class="font">字号：<a>大</a> <a>中</a> <a>小</a></span></div>
<div class="zw">{body}{credits}</div>{share}</div>"""
            meta = (f'<meta name="ArticleTitle" content="{html.escape(a.title)}">'
                    f'<meta name="PubDate" content="{when}">'
                    f'<meta name="ContentSource" content="{a.source}">')
        elif a.skin == 1:
            main = f"""<div class="news_cont_d_wrap"><div class="news_cont_d_tit">
<h1>{html.escape(a.title)}</h1><div class="info">发布时间：{when}　来源：{a.source}
　浏览次数：<span id="hits">321</span></div></div>
<div class="news_cont_d_con">{body}{credits}</div>{share}
<div class="related"><h4>相关新闻</h4><ul><li><a href="/gxxw/gxdt/content/post_1.html">往期回顾</a></li></ul></div></div>"""
            meta = f'<meta name="PubDate" content="{when}">'
        else:
            main = f"""<div class="artContent"><h2 class="title">{html.escape(a.title)}</h2>
<p class="source">{a.published:%Y年%m月%d日 %H:%M}　来源：{a.source}</p>
<div id="zoom">{body}{credits}</div>
<div class="print">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div></div>"""
            meta = ""
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{html.escape(a.title)}_珠海高新区</title>{meta}
<meta name="ColumnName" content="高新动态"><meta name="SiteName" content="珠海高新区">
<script>var NFCMS_POST_ID={a.post_id};</script></head><body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/gxxw/">高新新闻</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/gxxw/gxdt/">高新动态</a></div>
{main}
<div class="footer">主办：珠海高新区管委会 地址：珠海市唐家湾镇</div></body></html>"""
