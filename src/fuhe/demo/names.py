"""Deterministic, plainly fictitious people for the demo (names, phones, ID numbers)."""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国立新志红玉兰海燕晓东春梅文斌丹宇浩然欣怡子涵雨轩思远嘉怡佳琪俊杰雅婷"


class PersonFactory:
    def __init__(self, seed: int = 2026):
        self.random = random.Random(seed)
        self.counter = 0

    def name(self) -> str:
        given = "".join(self.random.choice(GIVEN) for _ in range(self.random.choice((1, 2))))
        return self.random.choice(SURNAMES) + given

    def phone(self) -> str:
        self.counter += 1
        # 199 0000 xxxx: an unassigned block, so no demo number reaches a real person
        return f"1990000{self.counter % 10000:04d}"

    def id_number(self, region_code: str) -> str:
        birth = f"{self.random.randint(1960, 2002)}{self.random.randint(1, 12):02d}{self.random.randint(1, 28):02d}"
        body = f"{region_code[:6]}{birth}{self.random.randint(0, 999):03d}"
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
        return body + check
