"""What public text keeps and loses: addresses cut to the street, summaries without personal data."""
import pytest

from portal.public.redact import public_summary, street_address


@pytest.mark.parametrize("address, street", [
    ("城关街道东关社区建设路12号", "城关街道东关社区建设路"),
    ("北园街道北苑社区北苑新城3号楼2单元", "北园街道北苑社区北苑新城"),
    ("城关街道解放路108号附近", "城关街道解放路"),
    ("城关街道东关社区建设路十二号", "城关街道东关社区建设路"),
    ("滨河街道人民路与建设路交叉口", "滨河街道人民路与建设路交叉口"),
    ("柳泉镇高家村5组", "柳泉镇高家村"),
    ("12号", "（地址不公开）"),
])
def test_street_address(address, street):
    assert street_address(address) == street


def test_summary_removes_names_phones_ids_and_house_numbers():
    text = ("我叫王秀英，电话13987654321，座机0371-66881234，身份证410102199001011234，"
            "住幸福小区3号楼2单元501室，王女士反映楼下烧烤店油烟扰民，张师傅也有意见。")
    summary = public_summary(text, ("王秀英",))
    for gone in ("王秀英", "13987654321", "66881234", "410102199001011234", "3号楼", "501室", "王女士", "张师傅"):
        assert gone not in summary
    assert "烧烤店油烟扰民" in summary and "（电话已隐去）" in summary


def test_summary_keeps_ordinary_numbers():
    text = "停车场半小时收费5元，拖欠工资约8600元，占用耕地约4亩。"
    assert public_summary(text, ("李四",)) == text
