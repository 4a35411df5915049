"""Fictional businesses of 架空市 and the people who book for them.

Names are put together from common parts, so no real business is meant. Landline numbers have a
local part beginning with 0, which Japan never gives to a line, and mobile numbers are made the
same way. Emails use the reserved example domains.
"""

from __future__ import annotations

import random

from portal.core import normalise

# (name, reading, romaji)
STEMS = (
    ("さくら", "サクラ", "sakura"),
    ("青葉", "アオバ", "aoba"),
    ("ひかり", "ヒカリ", "hikari"),
    ("みどり", "ミドリ", "midori"),
    ("若葉", "ワカバ", "wakaba"),
    ("朝日", "アサヒ", "asahi"),
    ("松風", "マツカゼ", "matsukaze"),
    ("菊水", "キクスイ", "kikusui"),
    ("大和", "ヤマト", "yamato"),
    ("千鳥", "チドリ", "chidori"),
    ("白鷺", "シラサギ", "shirasagi"),
    ("日の出", "ヒノデ", "hinode"),
    ("丸八", "マルハチ", "maruhachi"),
    ("山一", "ヤマイチ", "yamaichi"),
    ("富士見", "フジミ", "fujimi"),
    ("小春", "コハル", "koharu"),
    ("葵", "アオイ", "aoi"),
    ("楓", "カエデ", "kaede"),
    ("北斗", "ホクト", "hokuto"),
    ("東雲", "シノノメ", "shinonome"),
    ("虹の橋", "ニジノハシ", "nijinohashi"),
    ("光風", "コウフウ", "koufu"),
    ("一番星", "イチバンボシ", "ichibanboshi"),
    ("汐見", "シオミ", "shiomi"),
    ("錦", "ニシキ", "nishiki"),
)
# (name, reading, romaji, industry)
TRADES = (
    ("商店", "ショウテン", "shoten", "小売業"),
    ("食堂", "ショクドウ", "shokudo", "飲食業"),
    ("工務店", "コウムテン", "komuten", "建設業"),
    ("美容室", "ビヨウシツ", "salon", "生活関連サービス業"),
    ("印刷", "インサツ", "print", "製造業"),
    ("製作所", "セイサクショ", "works", "製造業"),
    ("運送", "ウンソウ", "unso", "運輸業"),
    ("珈琲店", "コーヒーテン", "coffee", "飲食業"),
    ("書店", "ショテン", "books", "小売業"),
    ("酒店", "サケテン", "saketen", "小売業"),
    ("クリーニング", "クリーニング", "cleaning", "生活関連サービス業"),
    ("不動産", "フドウサン", "realestate", "不動産業"),
    ("設計事務所", "セッケイジムショ", "design", "専門・技術サービス業"),
    ("鍼灸院", "シンキュウイン", "shinkyu", "医療・福祉"),
    ("花店", "ハナテン", "flower", "小売業"),
    ("ベーカリー", "ベーカリー", "bakery", "製造小売業"),
    ("塗装", "トソウ", "tosou", "建設業"),
    ("農園", "ノウエン", "farm", "農業"),
    ("旅館", "リョカン", "ryokan", "宿泊業"),
    ("写真館", "シャシンカン", "photo", "生活関連サービス業"),
    ("学習塾", "ガクシュウジュク", "juku", "教育・学習支援業"),
    ("自動車整備", "ジドウシャセイビ", "auto", "自動車整備業"),
)
# A sole trader's trading name has no legal form.
FORMS = (
    ("株式会社", "カブシキガイシャ", 4),
    ("有限会社", "ユウゲンガイシャ", 2),
    ("合同会社", "ゴウドウガイシャ", 1),
    ("", "", 5),
)
FAMILY_NAMES = (
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("清水", "シミズ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤原", "フジワラ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
)
GIVEN_NAMES = (
    ("健太", "ケンタ"),
    ("美咲", "ミサキ"),
    ("大輔", "ダイスケ"),
    ("由美", "ユミ"),
    ("翔太", "ショウタ"),
    ("陽子", "ヨウコ"),
    ("誠", "マコト"),
    ("恵", "メグミ"),
    ("隆", "タカシ"),
    ("直子", "ナオコ"),
    ("浩二", "コウジ"),
    ("真由美", "マユミ"),
    ("修", "オサム"),
    ("智子", "トモコ"),
    ("拓也", "タクヤ"),
    ("和子", "カズコ"),
    ("亮", "リョウ"),
    ("沙織", "サオリ"),
    ("正樹", "マサキ"),
    ("幸子", "サチコ"),
)
TOWNS = ("本町", "錦町", "若葉町", "桜台", "緑ヶ丘", "港町", "朝日町", "東町", "宮前町", "汐見町", "北町")
WARDS = ("中央区", "北区", "南区", "東区", "西区", "港区", "緑区", "山手区")
EMAIL_DOMAINS = ("example.jp", "example.com")


def _phone(rng: random.Random) -> str:
    """03-0XXX-XXXX for a shop's line, 0X0-0XXX-XXXX for an owner's mobile."""
    local = f"0{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d}"
    if rng.random() < 0.55:
        return f"03-{local}"
    return f"{rng.choice(('090', '080', '070'))}-{local}"


class BusinessBook:
    """Makes distinct fictional businesses, each with the person who books for it."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._names: set[str] = set()

    def new(self) -> dict:
        """A business no earlier call made: the sealed payload's fields, phone as written."""
        rng = self._rng
        while True:
            stem, trade = rng.choice(STEMS), rng.choice(TRADES)
            form = rng.choices(FORMS, weights=[f[2] for f in FORMS])[0]
            name = f"{form[0]}{stem[0]}{trade[0]}"
            if name not in self._names:
                break
        self._names.add(name)
        family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
        local = f"{stem[2]}.{trade[2]}{rng.randint(1, 99)}"
        return {
            "business_name": name,
            "business_kana": f"{form[1]}{stem[1]}{trade[1]}",
            "contact_name": f"{family[0]} {given[0]}",
            "contact_kana": f"{family[1]} {given[1]}",
            "phone": _phone(rng),
            "email": f"{local}@{rng.choice(EMAIL_DOMAINS)}",
            "address": f"架空市{rng.choice(WARDS)}{rng.choice(TOWNS)}{rng.randint(1, 5)}-{rng.randint(1, 30)}"
            f"-{rng.randint(1, 20)}",
            "industry": trade[3],
        }


def as_web_request(person: dict) -> dict:
    """What the public booking form seals: fewer fields, the phone number in digits."""
    return {
        "business_name": person["business_name"],
        "contact_name": person["contact_name"],
        "contact_kana": person["contact_kana"],
        "phone": normalise.phone(person["phone"]),
        "email": person["email"],
    }


def as_phone_booking(person: dict, rng: random.Random) -> dict:
    """What an operator types during a call: every field, sometimes without an email."""
    return person if rng.random() < 0.6 else {**person, "email": ""}
