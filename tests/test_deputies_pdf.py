"""The list's PDF for a meeting: CJK font embedded, masked data, for recipients and the office only."""
import io
import subprocess

from pypdf import PdfReader


def test_pdf_has_embedded_cjk_font_and_masked_text(make_order, district, login, published_list, tmp_path):
    order = make_order("accepted", caller_name="王小明", caller_phone="13912345678",
                       address="城关街道建设路88号3单元", content="王小明反映楼道灯坏了一个月，电话13912345678。")
    found = published_list([order], notes=["请关注"])
    for user in (district.deputy, district.dispatcher):
        response = login(user).get(f"/deputies/{found.id}/pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.data
    path = tmp_path / "list.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in line for line in rows), fonts  # every font embedded
    assert any("CJK" in line or "WenQuanYi" in line or "Noto" in line for line in rows), fonts
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    compact = "".join(text.split())
    assert "王**" in compact and "139****5678" in compact and "城关街道建设路…" in compact
    assert "王小明" not in compact and "13912345678" not in compact and "建设路88号" not in compact
    assert "人大代表推送清单" in compact
