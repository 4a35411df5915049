"""Sixteen fictional venues of 架空市 and the weekly sessions each holds.

Ward offices hold the most sessions, branch offices a few, and public facilities fill the rest,
with Saturday mornings for owners who cannot come on a weekday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

AM = (time(10, 0), time(12, 0))
PM = (time(13, 30), time(16, 30))
WEEKDAYS = (0, 1, 2, 3, 4)

BRING_BENEFIT = "本人確認書類、確定申告書の控え（前年分）、売上台帳（対象月分）、通帳の写し"
BRING_LOAN = "本人確認書類、決算書または確定申告書（直近2期分）、資金繰り表（お持ちの方）"
PARKING_NONE = "駐車場はありません。公共交通機関をご利用ください。"


@dataclass(frozen=True)
class DemoVenue:
    """A venue and its weekly plan: (weekdays, hours, places, whether the demo consultant holds it)."""

    name: str
    ward: str
    address: str
    access_notes: str
    what_to_bring: str
    lat: float
    lon: float
    plan: tuple[tuple[tuple[int, ...], tuple[time, time], int, bool], ...]

    @property
    def map_url(self) -> str:
        """An OpenStreetMap link with a marker on the venue."""
        return (
            f"https://www.openstreetmap.org/?mlat={self.lat:.5f}&mlon={self.lon:.5f}"
            f"#map=17/{self.lat:.5f}/{self.lon:.5f}"
        )


VENUES = (
    DemoVenue(
        "架空市 中央区役所 3階 第1会議室",
        "中央区",
        "架空市中央区本町一丁目1番1号",
        "地下鉄本町線「市役所前」駅 2番出口すぐ。区役所駐車場（有料）をご利用いただけます。",
        BRING_BENEFIT,
        35.18140,
        136.90640,
        ((WEEKDAYS, AM, 4, True), (WEEKDAYS, PM, 6, True)),
    ),
    DemoVenue(
        "架空市 北区役所 2階 大会議室",
        "北区",
        "架空市北区北町三丁目2番5号",
        "市バス「北区役所」下車すぐ。地下鉄「北町」駅から徒歩8分。",
        BRING_BENEFIT,
        35.19870,
        136.91020,
        (((1, 3), PM, 4, False),),
    ),
    DemoVenue(
        "架空市 南区役所 講堂",
        "南区",
        "架空市南区浜田通二丁目7番地",
        "私鉄「南区役所前」駅から徒歩3分。" + PARKING_NONE,
        BRING_BENEFIT,
        35.10560,
        136.93100,
        (((2,), AM, 4, False), ((2,), PM, 4, False)),
    ),
    DemoVenue(
        "架空市 東区役所 別館1階 会議室",
        "東区",
        "架空市東区東町一丁目4番10号",
        "地下鉄「東区役所前」駅 1番出口から徒歩2分。本館ではなく別館の入口をご利用ください。",
        BRING_BENEFIT,
        35.17930,
        136.92470,
        (((0,), PM, 4, False), ((3,), AM, 3, False)),
    ),
    DemoVenue(
        "架空市 西区役所 4階 第2会議室",
        "西区",
        "架空市西区花の木二丁目18番1号",
        "地下鉄「花の木」駅 7番出口から徒歩5分。エレベーターで4階へお上がりください。",
        BRING_BENEFIT,
        35.18640,
        136.88810,
        (((4,), AM, 4, False), ((4,), PM, 4, False)),
    ),
    DemoVenue(
        "架空市 港区役所 1階 多目的室",
        "港区",
        "架空市港区港町一丁目12番20号",
        "地下鉄「港区役所」駅 2番出口から徒歩1分。区役所駐車場（30分無料）があります。",
        BRING_BENEFIT,
        35.10870,
        136.88470,
        (((1,), AM, 3, False), ((1,), PM, 3, False)),
    ),
    DemoVenue(
        "架空市 緑区役所 会議室B",
        "緑区",
        "架空市緑区青山二丁目15番地",
        "私鉄「緑ヶ丘」駅から市バスで「緑区役所」下車、徒歩2分。",
        BRING_BENEFIT,
        35.07070,
        136.95260,
        (((2,), PM, 3, False),),
    ),
    DemoVenue(
        "架空市 山手区役所 2階 相談室",
        "山手区",
        "架空市山手区山手本町五丁目1番地",
        "地下鉄「山手」駅 3番出口から徒歩6分。坂道ですのでお時間に余裕をもってお越しください。",
        BRING_BENEFIT,
        35.13720,
        136.96400,
        (((3,), PM, 3, False),),
    ),
    DemoVenue(
        "架空市 中央区 駅前出張所",
        "中央区",
        "架空市中央区駅前三丁目9番3号 駅前ビル2階",
        "中央駅 北口から徒歩4分。駅前ビル2階の出張所窓口の奥が会場です。" + PARKING_NONE,
        BRING_BENEFIT,
        35.17090,
        136.88150,
        (((2,), PM, 2, False),),
    ),
    DemoVenue(
        "架空市 北区 北部支所",
        "北区",
        "架空市北区若葉町一丁目21番地",
        "市バス「北部支所前」下車すぐ。",
        BRING_BENEFIT,
        35.22140,
        136.92010,
        (((0,), AM, 2, False),),
    ),
    DemoVenue(
        "架空市 緑区 緑ヶ丘出張所",
        "緑区",
        "架空市緑区緑ヶ丘三丁目3番地の2",
        "私鉄「緑ヶ丘」駅 南口から徒歩3分。",
        BRING_BENEFIT,
        35.05660,
        136.97120,
        (((4,), PM, 2, False),),
    ),
    DemoVenue(
        "架空市 東区 東部支所",
        "東区",
        "架空市東区朝日町一丁目1番10号",
        "地下鉄「朝日町」駅から徒歩7分。支所2階の会議室です。",
        BRING_BENEFIT,
        35.18900,
        136.94190,
        (((1,), AM, 2, False),),
    ),
    DemoVenue(
        "架空市 産業振興センター 5階 研修室",
        "中央区",
        "架空市中央区錦町三丁目6番1号",
        "地下鉄「錦町」駅 12番出口から徒歩3分。1階受付で「経営相談」とお伝えください。",
        BRING_LOAN,
        35.16690,
        136.90620,
        (((1, 3), AM, 6, False), ((1, 3), PM, 6, False), ((5,), AM, 4, False)),
    ),
    DemoVenue(
        "架空市 中小企業会館 3階 会議室",
        "南区",
        "架空市南区桜台七丁目16番地",
        "私鉄「桜台」駅から徒歩5分。会館の駐車場（有料）があります。",
        BRING_LOAN,
        35.11390,
        136.92250,
        (((0, 2, 4), PM, 4, False),),
    ),
    DemoVenue(
        "架空市 みなと市民センター 2階 和室",
        "港区",
        "架空市港区汐見町二丁目5番14号",
        "地下鉄「汐見町」駅 1番出口から徒歩3分。和室のため、靴を脱いでお上がりください。",
        BRING_BENEFIT,
        35.09250,
        136.88390,
        (((5,), AM, 3, False),),
    ),
    DemoVenue(
        "架空市 西部コミュニティセンター 集会室",
        "西区",
        "架空市西区宮前町1番地",
        "私鉄「宮前」駅から徒歩10分。センターの駐車場（無料）をご利用いただけます。",
        BRING_BENEFIT,
        35.21740,
        136.87290,
        (((0,), PM, 3, False),),
    ),
)
