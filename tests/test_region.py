"""gongkai.region: agency name (and report text) -> province / city / county / code."""

from __future__ import annotations

import time

import pytest

from gongkai.region import Region, is_area_government, resolve_region


def _r(province: str | None, city: str | None, county: str | None, code: str | None) -> Region:
    return Region(province=province, city=city, county=county, code=code)


# --- required cases -------------------------------------------------------------------------


def test_unique_county_name_alone() -> None:
    got = resolve_region("临河区医疗保障局", "在临河区委、区政府的坚强领导下")
    assert got == _r("内蒙古自治区", "巴彦淖尔市", "临河区", "150802")
    # The text is not needed for a name that is unique nationally.
    assert resolve_region("临河区医疗保障局") == got


def test_city_and_county() -> None:
    assert resolve_region("新乡市卫滨区医疗保障局") == _r("河南省", "新乡市", "卫滨区", "410703")


def test_development_zone_with_bracketed_district() -> None:
    expected = _r("湖北省", "武汉市", "汉南区", "420113")
    assert resolve_region("武汉经济技术开发区(汉南区)医疗保障局") == expected
    assert resolve_region("武汉经济技术开发区（汉南区）医疗保障局") == expected


def test_autonomous_region() -> None:
    assert resolve_region("西藏自治区医疗保障局") == _r("西藏自治区", None, None, "540000")


def test_county_with_text() -> None:
    got = resolve_region("西塞山区医疗保障局", "黄石市西塞山区医疗保障局2023年政府信息公开工作年度报告")
    assert got == _r("湖北省", "黄石市", "西塞山区", "420203")


def test_area_government_name() -> None:
    assert resolve_region("淮安市洪泽区人民政府") == _r("江苏省", "淮安市", "洪泽区", "320813")


def test_ambiguous_county_needs_text() -> None:
    assert resolve_region("鼓楼区教育局") is None
    text = "福州市鼓楼区教育局2023年政府信息公开工作年度报告。根据福州市政府信息公开工作要求……"
    assert resolve_region("鼓楼区教育局", text) == _r("福建省", "福州市", "鼓楼区", "350102")
    assert resolve_region("朝阳区人民政府") is None
    assert resolve_region("朝阳区人民政府", "北京市朝阳区人民政府") == _r("北京市", None, "朝阳区", "110105")
    changchun = _r("吉林省", "长春市", "朝阳区", "220104")
    assert resolve_region("朝阳区人民政府", "吉林省长春市朝阳区") == changchun


def test_ambiguous_text_that_does_not_decide_gives_no_guess() -> None:
    # One mention each of two candidate cities: no winner.
    assert resolve_region("鼓楼区教育局", "赴福州市、南京市学习交流") is None
    # Text that names only the province narrows to what the candidates there share.
    assert resolve_region("鼓楼区教育局", "江苏省教育厅部署") == _r("江苏省", None, None, "320000")
    # A province named in the agency itself does the same.
    assert resolve_region("江苏省鼓楼区") == _r("江苏省", None, None, "320000")


def test_sibling_district_in_text_counts() -> None:
    got = resolve_region("鼓楼区教育局", "与台江区、仓山区教育局联合开展")
    assert got == _r("福建省", "福州市", "鼓楼区", "350102")


def test_traditional_characters() -> None:
    assert resolve_region("臨河區醫療保障局") == _r("内蒙古自治区", "巴彦淖尔市", "临河区", "150802")
    assert resolve_region("新鄉市衛濱區醫療保障局") == _r("河南省", "新乡市", "卫滨区", "410703")


def test_names_that_t2s_conversion_changes() -> None:
    # OpenCC turns 乾 into 干; the index is folded the same way.
    assert resolve_region("乾安县人民政府") == _r("吉林省", "松原市", "乾安县", "220723")
    assert resolve_region("乾县医疗保障局") == _r("陕西省", "咸阳市", "乾县", "610424")


def test_short_forms_without_a_place() -> None:
    assert resolve_region("市医保局") is None
    assert resolve_region("市医保局", "本局严格落实政府信息公开条例") is None
    assert resolve_region("自治区医疗保障局") is None
    tibet = _r("西藏自治区", None, None, "540000")
    assert resolve_region("自治区医疗保障局", "西藏自治区医疗保障局") == tibet
    assert resolve_region("自治区医疗保障局", "全区各族群众，西藏") == tibet


def test_level_hint_with_text() -> None:
    assert resolve_region("市医保局", "黄石市医疗保障局。黄石市") == _r("湖北省", "黄石市", None, "420200")
    text = "黄石市西塞山区医疗保障局。湖北省、黄石市要求，西塞山区"
    assert resolve_region("区医疗保障局", text) == _r("湖北省", "黄石市", "西塞山区", "420203")
    # 市场… is a market regulator, not a city-level hint.
    assert resolve_region("市场监督管理局", "黄石市") is None
    # Two cities named equally often: no guess.
    assert resolve_region("市医保局", "黄石市 鄂州市") is None


# --- levels and conventions -----------------------------------------------------------------


def test_province_level_bodies() -> None:
    assert resolve_region("湖北省医疗保障局") == _r("湖北省", None, None, "420000")
    assert resolve_region("广西壮族自治区人民政府") == _r("广西壮族自治区", None, None, "450000")
    assert resolve_region("内蒙古自治区卫生健康委员会") == _r("内蒙古自治区", None, None, "150000")


def test_city_level_bodies() -> None:
    assert resolve_region("黄石市医疗保障局") == _r("湖北省", "黄石市", None, "420200")
    assert resolve_region("湖北省黄石市医疗保障局") == _r("湖北省", "黄石市", None, "420200")


def test_full_chain() -> None:
    expected = _r("内蒙古自治区", "巴彦淖尔市", "临河区", "150802")
    assert resolve_region("内蒙古自治区巴彦淖尔市临河区人民政府") == expected


def test_municipality_convention() -> None:
    assert resolve_region("北京市医疗保障局") == _r("北京市", None, None, "110000")
    assert resolve_region("北京市东城区教育委员会") == _r("北京市", None, "东城区", "110101")
    shizhu = _r("重庆市", None, "石柱土家族自治县", "500240")
    assert resolve_region("重庆市石柱土家族自治县人民政府") == shizhu


def test_county_level_city_under_a_province() -> None:
    assert resolve_region("仙桃市医疗保障局") == _r("湖北省", None, "仙桃市", "429004")


def test_prefecture_city_without_counties() -> None:
    assert resolve_region("东莞市医疗保障局") == _r("广东省", "东莞市", None, "441900")


def test_autonomous_prefecture_and_county_short_forms() -> None:
    assert resolve_region("恩施州医疗保障局") == _r("湖北省", "恩施土家族苗族自治州", None, "422800")
    assert resolve_region("长阳县医疗保障局") == _r("湖北省", "宜昌市", "长阳土家族自治县", "420528")
    assert resolve_region("长阳土家族自治县医疗保障局") == resolve_region("长阳县医疗保障局")


def test_generic_district_names_need_their_city() -> None:
    assert resolve_region("阳泉市城区人民政府") == _r("山西省", "阳泉市", "城区", "140302")
    assert resolve_region("城区人民政府") is None
    assert resolve_region("矿区管理办公室") is None


def test_recent_division() -> None:
    # Set up in 2024.
    assert resolve_region("和康县人民政府") == _r("新疆维吾尔自治区", "和田地区", "和康县", "653228")


def test_spacing_and_full_width_forms() -> None:
    expected = _r("河南省", "新乡市", "卫滨区", "410703")
    assert resolve_region("新乡市 卫滨区 医疗保障局") == expected
    assert resolve_region("新乡市\u3000卫滨区\n医疗保障局") == expected
    assert resolve_region(" 淮安市洪泽区人民政府 ") == _r("江苏省", "淮安市", "洪泽区", "320813")


@pytest.mark.parametrize(
    "agency",
    [
        "",
        "医疗保障局",
        "国家税务总局",
        "人力资源和社会保障局",
        "住房和城乡建设局",
        "自然资源和规划局",
        "某某单位",
        "火星基地管理委员会",
    ],
)
def test_unknown_names(agency: str) -> None:
    assert resolve_region(agency) is None


def test_department_words_do_not_match_two_character_counties_in_text() -> None:
    # "区和县" must not read as 和县 (安徽省马鞍山市).
    assert resolve_region("县医疗保障局", "指导全市各区和县开展工作") is None


def test_to_dict() -> None:
    got = resolve_region("新乡市卫滨区医疗保障局")
    assert got is not None
    assert got.to_dict() == {"province": "河南省", "city": "新乡市", "county": "卫滨区", "code": "410703"}
    assert _r("湖北省", None, None, "420000").to_dict()["city"] is None


def test_region_is_frozen_and_hashable() -> None:
    got = resolve_region("湖北省医疗保障局")
    assert got is not None
    with pytest.raises(AttributeError):
        got.code = "000000"  # type: ignore[misc]
    assert {got, resolve_region("湖北省医疗保障局")} == {got}


# --- is_area_government ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "agency",
    [
        "淮安市洪泽区人民政府",
        "湖北省人民政府",
        "XX县人民政府",
        "黄石市人民政府",
        "广西壮族自治区人民政府",
        "恩施土家族苗族自治州人民政府",
        "鄂温克族自治旗人民政府",
        "北京市东城区人民政府",
        "武汉经济技术开发区(汉南区)人民政府",
        "淮安市洪泽区人民政府（本级）",
        "阿里地区行政公署",
        "洪泽区政府",
        "淮安市 洪泽区 人民政府",
    ],
)
def test_area_governments(agency: str) -> None:
    assert is_area_government(agency)


@pytest.mark.parametrize(
    "agency",
    [
        "淮安市洪泽区人民政府办公室",
        "湖北省人民政府办公厅",
        "黄石市医疗保障局",
        "XX乡人民政府",
        "XX镇人民政府",
        "XX回族乡人民政府",
        "XX街道办事处",
        "XX苏木人民政府",
        "XX县人民政府国有资产监督管理委员会",
        "人民政府",
        "",
    ],
)
def test_not_area_governments(agency: str) -> None:
    assert not is_area_government(agency)


# --- speed ----------------------------------------------------------------------------------


def test_ten_thousand_agencies_are_fast() -> None:
    resolve_region("湖北省医疗保障局")  # build the index outside the timing
    agencies = [f"新乡市卫滨区医疗保障局{i}" for i in range(5000)]
    agencies += [f"臨河區教育局第{i}科" for i in range(5000)]
    start = time.perf_counter()
    results = [resolve_region(a) for a in agencies]
    elapsed = time.perf_counter() - start
    assert all(r is not None and r.county for r in results)
    # About 0.2 s on a 2-core machine; the bound leaves room for a slow CI run.
    assert elapsed < 2.0
