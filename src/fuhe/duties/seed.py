# ruff: noqa: E501 - a data table reads best one item per line
"""The demo's duty list: one item per level-2 node of the real message taxonomy for the classes the demo
handles, plus community matters, and a few deliberate overlaps and gaps so the report has something to show.

Leads follow common district practice (城乡建设 → 住建/城管, 环境保护 → 生态环境 …). Bases name the law or
rule a real list would cite; they are illustrative defaults for the demo, to be replaced by a district's own.
"""

from __future__ import annotations

D, S, C = "district", "street", "community"

BASIS = {
    "城乡建设": "《中华人民共和国城乡规划法》《建设工程质量管理条例》",
    "环境保护": "《中华人民共和国环境保护法》《中华人民共和国大气污染防治法》《中华人民共和国噪声污染防治法》",
    "交通运输": "《中华人民共和国道路运输条例》《巡游出租汽车经营服务管理规定》",
    "教育文体": "《中华人民共和国教育法》《中华人民共和国义务教育法》",
    "劳动和社会保障": "《中华人民共和国劳动合同法》《中华人民共和国社会保险法》《保障农民工工资支付条例》",
    "商贸旅游": "《中华人民共和国消费者权益保护法》《中华人民共和国产品质量法》",
    "卫生计生": "《中华人民共和国基本医疗卫生与健康促进法》《医疗纠纷预防和处理条例》",
    "民政": "《社会救助暂行办法》《中华人民共和国慈善法》《地名管理条例》",
}

# (code, level1, level2, owner level, lead department, assisting departments, admission, basis override, extra keywords)
TAXONOMY_ITEMS: list[tuple] = [
    ("CJ-01", "城乡建设", "安全生产", D, "emergency", ["housing"], "assists", "《中华人民共和国安全生产法》",
     ["安全隐患", "消防通道"]),
    ("CJ-02", "城乡建设", "城市建设和市政管理", D, "urban_management", ["housing", "water"], "none",
     "《城市市容和环境卫生管理条例》", ["路灯", "井盖", "占道经营", "垃圾清运"]),
    ("CJ-03", "城乡建设", "城乡规划", D, "housing", ["urban_management"], "none", "《中华人民共和国城乡规划法》",
     ["规划", "挡光"]),
    ("CJ-04", "城乡建设", "村镇建设", S, "", ["housing", "agriculture"], "assists", "《村庄和集镇规划建设管理条例》",
     ["农村建房", "美丽乡村"]),
    ("CJ-05", "城乡建设", "工程质量", D, "housing", [], "none", "《建设工程质量管理条例》", ["房屋质量", "漏水", "开裂"]),
    ("CJ-06", "城乡建设", "国有土地上房屋征收与补偿", D, "housing", [], "none", "《国有土地上房屋征收与补偿条例》",
     ["征收", "拆迁补偿"]),
    ("CJ-07", "城乡建设", "集体土地上房屋拆迁与补偿", S, "", ["housing", "agriculture"], "none",
     "《中华人民共和国土地管理法》", ["征地拆迁", "宅基地"]),
    ("CJ-08", "城乡建设", "建筑市场", D, "housing", ["human_resources"], "none", "《保障农民工工资支付条例》",
     ["工程款", "开发商", "施工"]),
    ("CJ-09", "城乡建设", "其他", S, "", [], "none", "《中华人民共和国城市居民委员会组织法》", []),
    ("CJ-10", "城乡建设", "住房保障与房地产", D, "housing", [], "none", "《中华人民共和国城市房地产管理法》",
     ["房产证", "公积金", "公租房", "廉租房", "购房", "楼盘", "物业"]),
    ("HB-01", "环境保护", "环保管理", D, "ecology", [], "none", "", ["环保", "排污许可"]),
    ("HB-02", "环境保护", "环境污染", D, "ecology", ["urban_management"], "none", "",
     ["污染", "噪音", "噪声", "异味", "油烟", "扰民", "排放", "废水", "粉尘", "空气质量"]),
    ("HB-03", "环境保护", "建设项目审批", D, "ecology", ["housing"], "none", "《建设项目环境保护管理条例》", ["环评"]),
    ("HB-04", "环境保护", "其他", D, "ecology", [], "none", "", ["生态"]),
    ("JT-01", "交通运输", "出租车管理", D, "transport", [], "none", "", ["出租车", "的士", "网约车", "拒载"]),
    ("JT-02", "交通运输", "建设管理", D, "transport", ["housing"], "none", "《公路法》", ["修路", "道路施工"]),
    ("JT-03", "交通运输", "交通运输", D, "transport", [], "none", "", ["公交", "线路", "站点", "班车"]),
    ("JT-04", "交通运输", "客货运输", D, "transport", [], "none", "", ["客运", "货车", "物流"]),
    ("JT-05", "交通运输", "其他", D, "transport", [], "none", "", ["交通"]),
    ("JT-06", "交通运输", "邮政管理", D, "transport", ["market_regulation"], "none", "《快递暂行条例》", ["快递", "邮政"]),
    ("JY-01", "教育文体", "教师队伍和待遇", D, "education", [], "none", "《中华人民共和国教师法》", ["教师", "老师", "编制"]),
    ("JY-02", "教育文体", "教育行政管理", D, "education", [], "none", "", ["学校", "学生", "补课"]),
    ("JY-03", "教育文体", "教育收费", D, "education", ["market_regulation"], "none", "", ["学费", "收费", "培训费"]),
    ("JY-04", "教育文体", "教育体制", D, "education", [], "none", "", ["学区", "义务教育"]),
    ("JY-05", "教育文体", "考试招生", D, "education", [], "none", "", ["入学", "招生", "中考", "高考", "幼儿园"]),
    ("JY-06", "教育文体", "其他", D, "education", [], "none", "", ["教育"]),
    ("JY-07", "教育文体", "失学辍学", D, "education", ["civil_affairs"], "assists", "", ["辍学"]),
    ("JY-08", "教育文体", "体育", D, "education", [], "none", "《中华人民共和国体育法》", ["健身", "运动场"]),
    ("JY-09", "教育文体", "文化", D, "culture_tourism", [], "none", "《公共文化服务保障法》", ["图书馆", "文化馆"]),
    ("JY-10", "教育文体", "文物管理", D, "culture_tourism", [], "none", "《中华人民共和国文物保护法》", ["文物", "古建筑"]),
    ("LD-01", "劳动和社会保障", "城镇居民社会保险", D, "human_resources", [], "assists", "", ["居民医保", "居民养老"]),
    ("LD-02", "劳动和社会保障", "城镇职工社会保险", D, "human_resources", [], "none", "", ["社保", "五险一金", "医保"]),
    ("LD-03", "劳动和社会保障", "工资福利", D, "human_resources", ["housing"], "none", "",
     ["工资", "拖欠工资", "加班费", "欠薪"]),
    ("LD-04", "劳动和社会保障", "就业培训", D, "human_resources", [], "assists", "", ["就业", "招聘", "职业培训"]),
    ("LD-05", "劳动和社会保障", "劳动保护", D, "human_resources", [], "none", "", ["工伤", "职业病"]),
    ("LD-06", "劳动和社会保障", "劳动关系", D, "human_resources", [], "none", "",
     ["劳动合同", "辞退", "仲裁", "试用期", "公司"]),
    ("LD-07", "劳动和社会保障", "其他", D, "human_resources", [], "none", "", ["人社"]),
    ("LD-08", "劳动和社会保障", "社保基金管理", D, "human_resources", [], "none", "", ["社保基金"]),
    ("LD-09", "劳动和社会保障", "退休政策及待遇", D, "human_resources", [], "none", "", ["退休", "养老金", "退休金"]),
    ("SM-01", "商贸旅游", "旅游管理", D, "culture_tourism", ["market_regulation"], "none", "《中华人民共和国旅游法》",
     ["旅游", "景区", "导游"]),
    ("SM-02", "商贸旅游", "其他", D, "market_regulation", [], "none", "", ["商家"]),
    ("SM-03", "商贸旅游", "商业贸易", D, "market_regulation", [], "none", "", ["商场", "超市", "预付卡", "退款"]),
    ("SM-04", "商贸旅游", "市场监管", D, "market_regulation", [], "none", "", ["价格", "虚假宣传", "消费者", "传销"]),
    ("SM-05", "商贸旅游", "质监检验检疫", D, "market_regulation", [], "none", "", ["质量问题", "计量"]),
    ("WS-01", "卫生计生", "公共卫生", D, "health", [], "assists", "《中华人民共和国传染病防治法》", ["疫苗", "防疫", "卫生"]),
    ("WS-02", "卫生计生", "其他", D, "health", [], "none", "", ["医院"]),
    ("WS-03", "卫生计生", "人口计生", D, "health", [], "assists", "《中华人民共和国人口与计划生育法》",
     ["生育", "二孩", "独生子女", "准生证"]),
    ("WS-04", "卫生计生", "食品药品监管", D, "market_regulation", ["health"], "none", "《中华人民共和国食品安全法》",
     ["食品", "药品", "药店", "餐馆"]),
    ("WS-05", "卫生计生", "医患纠纷", D, "health", [], "none", "《医疗纠纷预防和处理条例》", ["医生", "治疗", "手术"]),
    ("WS-06", "卫生计生", "医政监管", D, "health", [], "none", "", ["诊所", "医疗机构", "医保报销"]),
    ("MZ-01", "民政", "福利慈善", D, "civil_affairs", [], "assists", "", ["慈善", "福利"]),
    ("MZ-02", "民政", "复退安置", D, "civil_affairs", [], "none", "", ["退伍", "转业"]),
    ("MZ-03", "民政", "基层选举和社区建设", S, "", ["civil_affairs"], "owned", "《中华人民共和国城市居民委员会组织法》",
     ["换届", "居委会"]),
    ("MZ-04", "民政", "救灾募捐", D, "emergency", ["civil_affairs"], "assists", "", ["救灾"]),
    ("MZ-05", "民政", "民间组织", D, "civil_affairs", [], "none", "", ["社会组织"]),
    ("MZ-06", "民政", "其他", D, "civil_affairs", [], "none", "", []),
    ("MZ-07", "民政", "区划地名", D, "civil_affairs", [], "none", "《地名管理条例》", ["地名", "门牌"]),
    ("MZ-08", "民政", "社会服务", D, "civil_affairs", [], "assists", "", ["养老服务", "老年人", "残疾人"]),
    ("MZ-09", "民政", "社会救助", D, "civil_affairs", [], "assists", "《社会救助暂行办法》", ["低保", "困难", "救助"]),
    ("MZ-10", "民政", "优抚", D, "civil_affairs", [], "none", "", ["优抚", "烈士"]),
]

# Matters that are not a taxonomy node: community work, the street's comprehensive enforcement, and the
# deliberate overlap (违章建筑: 城管 and the street both lead) and gap (共享单车: nobody leads yet).
# (code, matter, category path, owner level, lead department, assisting, admission, basis, keywords)
EXTRA_ITEMS: list[tuple] = [
    ("SQ-01", "物业服务纠纷协调", "城乡建设/住房保障与房地产/物业服务", C, "", ["housing"], "owned",
     "《物业管理条例》", ["物业服务", "物业费", "业主委员会", "电梯", "小区管理"]),
    ("SQ-02", "邻里纠纷调解", "政法/仲裁与调解", C, "", [], "owned", "《中华人民共和国人民调解法》",
     ["邻里纠纷", "邻居", "楼上漏水", "调解"]),
    ("SQ-03", "出具亲属关系等证明", "", D, "public_security", [], "excluded", "民发〔2020〕20号（社区证明事项负面清单）",
     ["亲属关系证明", "无犯罪记录", "居住证明"]),
    ("SQ-04", "小区楼道环境卫生", "城乡建设/城市建设和市政管理/环境卫生", C, "", ["urban_management"], "owned",
     "《城市市容和环境卫生管理条例》", ["楼道", "堆物", "环境卫生"]),
    ("JD-01", "违章建筑查处", "城乡建设/城乡规划/违章建筑", S, "", ["urban_management"], "none",
     "街道综合行政执法（赋权目录）", ["违章建筑", "违建", "私搭乱建"]),
    ("CJ-11", "违章建筑查处", "城乡建设/城乡规划/违章建筑", D, "urban_management", [], "none",
     "《中华人民共和国城乡规划法》第六十八条", ["违章建筑", "违建"]),
    ("QT-01", "共享单车停放管理", "", "", "", ["transport", "urban_management"], "none", "", ["共享单车", "乱停放"]),
]
