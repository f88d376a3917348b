"""Three generated sites that republish each other, as zone news is republished in practice.

``zone`` is a zone's own site; ``media`` is a media group that reprints two of its stories with
edits (a sentence added, a paragraph cut, another title), in its own page furniture and with
its own credit block, and prints a story of its own; ``en`` is an English portal with a
machine translation of one zone story, a day later, and of another that states no amount but
names its company in pinyin, beside English stories of the same zone that tell other news. Every article of the zone and the media
group ends with the same long boilerplate paragraph about the zone, which must not make
different stories one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import write_site
from tests.siteserver import FixtureServer

BOILERPLATE = (
    "珠海高新技术产业开发区成立于1992年，是国务院批准的首批国家级高新区之一，"
    "辖区面积约139平方公里，重点发展新一代信息技术、智能制造、生物医药和新能源等产业，"
    "先后获评国家自主创新示范区、国家双创示范基地和广东省知识产权示范园区，"
    "正加快建设珠江西岸科技创新高地和粤港澳大湾区国际科技创新中心重要承载区。")

STORIES = {
    "battery": ("珠海冠宇锂电池新项目开工", [
        "11月18日上午，珠海冠宇电池股份有限公司年产5GWh消费类锂电池项目在珠海高新区正式开工。",
        "该项目总投资约16亿元，规划用地约210亩，主要建设电芯生产车间、研发中心及配套设施，"
        "建成后将新增消费类锂电池产能约2亿只，预计年产值可达30亿元。",
        "珠海冠宇相关负责人介绍，新项目将采用自动化程度更高的生产线，"
        "重点面向笔记本电脑、智能手机和可穿戴设备等领域，进一步巩固企业在聚合物软包锂电池领域的优势。",
        "高新区将成立项目服务专班，在报建审批、人才引进和配套供应链等方面提供全流程服务，"
        "推动项目早日建成投产、早日达产见效。",
    ]),
    "chip": ("高新区与越亚半导体签约二期项目", [
        "11月20日，珠海高新区管委会与珠海越亚半导体股份有限公司签署二期项目投资协议。",
        "越亚半导体二期项目总投资35亿元，将建设高端封装载板生产线，"
        "达产后可形成年产高端射频及处理器封装载板约20万平方米的能力。",
        "据了解，越亚半导体是国内较早实现无芯封装载板量产的企业，产品广泛应用于射频模组、"
        "存储器和高性能处理器，此次扩产将有效补齐区内集成电路产业链的关键环节。",
        "签约仪式上，双方还就研发平台共建、专业人才培养以及上下游企业引进等事项进行了深入交流。",
    ]),
    "forum": ("第五届珠澳科技创新论坛举行", [
        "11月22日，第五届珠澳科技创新论坛在唐家湾举行，来自两地的专家学者和企业家共300余人参会。",
        "论坛以科技合作赋能琴澳一体化为主题，围绕科研成果跨境转化、青年创新创业和知识产权保护等议题开展研讨。",
        "与会专家认为，珠澳两地在中医药、集成电路设计和文旅科技等领域互补性强，"
        "应进一步畅通人员、资金和数据跨境流动，打造更多协同创新平台。",
        "论坛期间还发布了珠澳青年创新创业服务指南，为澳门青年来珠发展提供政策咨询和场地对接服务。",
    ]),
    "park": ("唐家湾智能制造产业园首批企业入驻", [
        "11月25日，唐家湾智能制造产业园迎来首批12家入驻企业，涵盖工业机器人、精密模具和智能检测装备等领域。",
        "产业园一期建成标准厂房约18万平方米，配套建设人才公寓、员工食堂和共享实验室，"
        "可满足中小型制造企业从研发中试到规模生产的空间需求。",
        "园区运营方表示，将引入专业运营团队，提供设备共享、融资对接和市场拓展等服务，"
        "帮助入驻企业缩短投产周期、降低运营成本。",
        "首批入驻企业负责人纷纷表示，看中的是高新区完善的产业配套和高效的政务服务。",
    ]),
    "robot": ("珠海智星机器人研发总部在高新区揭牌", [
        "11月27日，珠海智星机器人有限公司研发总部在珠海高新区揭牌，首批80余名研发人员入驻。",
        "研发总部将围绕协作机械臂、视觉引导和运动控制等核心技术开展攻关，"
        "并建设机器人整机测试验证平台，为区内智能制造企业提供检测服务。",
        "智星机器人负责人介绍，公司产品已应用于汽车零部件、家电和电子制造等行业，"
        "此次在高新区设立研发总部，看中的是这里密集的高校资源和完善的产业配套。",
        "高新区相关负责人表示，将在人才引进、场景开放和应用推广等方面给予支持。",
    ]),
    "media-own": ("珠海传媒集团举办新媒体创作大赛颁奖礼", [
        "11月26日晚，珠海传媒集团第三届新媒体创作大赛颁奖礼在集团演播厅举行，共有48件作品获奖。",
        "本届大赛自今年7月启动以来，共收到短视频、图文和音频作品1200余件，"
        "参赛者既有专业媒体人，也有高校学生和普通市民。",
        "评委会认为，获奖作品选题贴近生活、表达方式新颖，较好展现了珠海城市发展和市民生活的新面貌。",
        "集团负责人表示，将持续打造开放的内容创作平台，培养更多本土新媒体创作人才。",
    ]),
}

EN_BATTERY = ("Zhuhai CosMX Battery breaks ground on new lithium battery project", [
    "On the morning of November 18, the 5GWh consumer lithium battery project of Zhuhai CosMX "
    "Battery Co., Ltd. officially started construction in Zhuhai High-tech Zone.",
    "The project has a total investment of about 1.6 billion yuan and covers about 210 mu of land. "
    "It will mainly build cell production workshops, an R&D center and supporting facilities.",
    "Once completed, it will add a capacity of about 200 million consumer lithium batteries, with "
    "an expected annual output value of 3 billion yuan.",
    "The high-tech zone will set up a special service team to provide whole-process services for "
    "the project in approval, talent introduction and supply chain support.",
])


# The machine translation of the zone's robot story: it names the company in pinyin and states
# no amount. Then three English stories that must stay apart: a job fair in the same zone, a
# story opening with the zone's boilerplate in English, and the same company in another zone.
EN_ROBOT = ("Zhuhai Zhixing Robot R&D headquarters unveiled in the high-tech zone", [
    "On November 27, the R&D headquarters of Zhuhai Zhixing Robot Co., Ltd. was unveiled in "
    "Zhuhai High-tech Zone, and the first batch of more than 80 R&D personnel moved in.",
    "The R&D headquarters will focus on core technologies such as collaborative robotic arms, "
    "visual guidance and motion control, and build a robot testing and verification platform.",
    "The person in charge said that its products are used in auto parts, home appliances and "
    "electronics manufacturing, and that the zone offers universities and a complete industrial chain.",
])
EN_OTHERS = {
    "en-fair": ("Zhuhai High-tech Zone holds job fair for graduates", [
        "On November 21, a job fair for college graduates was held in Zhuhai High-tech Zone, "
        "with more than 120 enterprises offering over 3,000 positions.",
        "Positions covered software development, mechanical design, testing and sales, and many "
        "companies offered housing subsidies to attract young talents to settle in the zone.",
        "Organizers said that more job fairs would be held in universities next spring.",
    ]),
    "en-apartments": ("Talent apartments delivered in the high-tech zone", [
        "Zhuhai National High-tech Industrial Development Zone was established in 1992 and is one "
        "of the first national high-tech zones approved by the State Council, covering about 139 "
        "square kilometers.",
        "On November 25, the first 600 talent apartments in Tangjiawan were delivered, giving young "
        "researchers and engineers furnished homes close to the industrial parks.",
        "Residents can apply online and move in within a week of approval.",
    ]),
    "en-hengqin": ("Zhuhai Zhixing Robot opens a sales office in Hengqin", [
        "On November 28, Zhuhai Zhixing Robot Co., Ltd. opened a sales office in the Hengqin Free "
        "Trade Zone to serve customers from Macao and Portuguese-speaking countries.",
        "The office will show collaborative robots and hold training for distributors.",
        "The company expects overseas orders to grow next year.",
    ]),
}


@dataclass
class Page:
    path: str
    title: str
    when: str
    paragraphs: list[str]
    credits: list[str]
    source: str


def _zone_page(p: Page) -> str:
    body = "".join(f"<p>{html.escape(x)}</p>" for x in p.paragraphs + p.credits)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(p.title)}_珠海高新区</title>
<meta name="ArticleTitle" content="{html.escape(p.title)}"><meta name="PubDate" content="{p.when}">
<meta name="ContentSource" content="{p.source}"></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zone/">高新动态</a></div>
<div class="viewList"><h3 class="zw-title">{html.escape(p.title)}</h3>
<div class="zw-info"><span>时间：{p.when}:00</span><span>来源：{p.source}</span></div>
<div class="zw">{body}</div></div>
<div class="footer">主办：珠海高新区管委会 | 粤ICP备05020342号</div></body></html>"""


def _media_page(p: Page) -> str:
    body = "".join(f'<p style="text-indent:2em">{html.escape(x)}</p>' for x in p.paragraphs)
    credits = "".join(f'<p class="editor">{html.escape(x)}</p>' for x in p.credits)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(p.title)}</title></head>
<body><header><a href="/">珠海+</a><nav><a href="/media/">要闻</a><a href="/media/">民生</a></nav></header>
<article><h1 class="article-title">{html.escape(p.title)}</h1>
<div class="article-meta"><span class="time">{p.when}</span> <span class="src">来源：{p.source}</span></div>
<div class="article-content">{body}{credits}</div>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a></div></article>
<aside><h4>热门推荐</h4><ul><li><a href="/media/hot.html">珠海今冬首场寒潮来袭</a></li></ul></aside>
<footer>珠海传媒集团版权所有 未经授权禁止转载</footer></body></html>"""


def _en_page(p: Page) -> str:
    body = "".join(f"<p>{html.escape(x)}</p>" for x in p.paragraphs + p.credits)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(p.title)}</title></head>
<body><div class="top"><a href="/">Home</a> <a href="/en/">News</a></div>
<div class="content"><h1>{html.escape(p.title)}</h1>
<p class="info">Updated: {p.when} Source: {p.source}</p>
<div class="text">{body}</div></div>
<div class="foot">Copyright Zhuhai Portal. All rights reserved.</div></body></html>"""


def _list(prefix: str, pages: list[Page]) -> str:
    items = "".join(f'<li><a href="{p.path}">{html.escape(p.title)}</a><span>{p.when[:10]}</span></li>'
                    for p in pages)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{prefix}</title></head><body>'
            f'<ul class="list">{items}</ul></body></html>')


def publish(server: FixtureServer) -> dict[str, str]:
    """Put the three sites on ``server``; the path of each article by a name the tests use."""
    zone: list[Page] = []
    for n, key in enumerate(("battery", "chip", "forum", "park", "robot")):
        title, paras = STORIES[key]
        zone.append(Page(f"/zone/content/post_{1001 + n}.html", title, f"2024-11-{18 + 2 * n:02d} 10:00",
                         [*paras, BOILERPLATE], ["文/宋雪梅 图/杨帆", "编辑：苏芳"], "本网"))
    battery = STORIES["battery"][1]
    chip = STORIES["chip"][1]
    media = [
        # Reprinted with a new title and lead, a sentence added and the last paragraph cut.
        Page("/media/a/202411/18/AP0001.html", "总投资约16亿元！珠海冠宇新项目在高新区开工",
             "2024-11-18 16:30",
             ["记者从珠海高新区获悉，" + battery[0], battery[1],
              battery[2] + "目前，项目各项前期工作已基本完成。", BOILERPLATE],
             ["记者 刘玺东 通讯员 周楠", "责编：姚昊", "审核：丁涛"], "珠海高新区"),
        Page("/media/a/202411/21/AP0002.html", "越亚半导体二期落户高新区 总投资35亿元",
             "2024-11-21 09:15",
             [chip[0], chip[1], chip[2].replace("此次扩产", "本次扩产"), chip[3], BOILERPLATE],
             ["珠海特区报记者 崔小远", "责编：汤诗瑶"], "珠海特区报"),
        Page("/media/a/202411/26/AP0003.html", STORIES["media-own"][0], "2024-11-26 21:00",
             [*STORIES["media-own"][1], BOILERPLATE], ["记者 林子沛", "责编：姚昊"], "珠海+"),
    ]
    en = [Page("/en/content/2024-11/19/c_501.htm", EN_BATTERY[0], "2024-11-19 14:20",
               list(EN_BATTERY[1]), ["Editor: Yang Ziwei"], "Zhuhai High-tech Zone"),
          Page("/en/content/2024-11/28/c_502.htm", EN_ROBOT[0], "2024-11-28 11:05",
               list(EN_ROBOT[1]), ["Editor: Yang Ziwei"], "Zhuhai High-tech Zone")]
    for n, (name, (title, paras)) in enumerate(EN_OTHERS.items()):
        when = {"en-fair": "2024-11-21 15:00", "en-apartments": "2024-11-25 16:00",
                "en-hengqin": "2024-11-28 17:30"}[name]
        en.append(Page(f"/en/content/2024-11/{when[8:10]}/c_{510 + n}.htm", title, when,
                       list(paras), ["Editor: Li Na"], "Zhuhai Portal"))
    for p in zone:
        server.add(p.path, _zone_page(p))
    for p in media:
        server.add(p.path, _media_page(p))
    for p in en:
        server.add(p.path, _en_page(p))
    server.add("/zone/index.html", _list("zone", zone))
    server.add("/media/index.html", _list("media", media))
    server.add("/en/index.html", _list("en", en))
    return {"zone-battery": zone[0].path, "zone-chip": zone[1].path, "zone-forum": zone[2].path,
            "zone-park": zone[3].path, "media-battery": media[0].path, "media-chip": media[1].path,
            "media-own": media[2].path, "en-battery": en[0].path, "zone-robot": zone[4].path,
            "en-robot": en[1].path, **{name: en[2 + n].path for n, name in enumerate(EN_OTHERS)}}


SITE_EXTRA = "obey_robots = false\ndelay = 0\n"


def publish_sites(server: FixtureServer, folder: Path) -> dict[str, str]:
    """The three sites served and their site files written to ``folder``; ``publish``'s paths."""
    paths = publish(server)
    write_site(folder, "zone", [server.url("/zone/index.html")], r"/zone/content/post_\d+\.html$",
               SITE_EXTRA)
    write_site(folder, "media", [server.url("/media/index.html")], r"/media/a/\d+/\d+/AP\d+\.html$",
               SITE_EXTRA)
    write_site(folder, "en", [server.url("/en/index.html")], r"/en/content/.+\.htm$",
               SITE_EXTRA + 'language = "en"\n')
    return paths
