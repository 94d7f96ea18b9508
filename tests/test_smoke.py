def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_order_moves_to_closed(make_order):
    order = make_order("closed")
    assert order.state == "closed"
    assert [e.action for e in order.events] == [
        "take_in", "dispatch", "sign_for", "reply", "approve_reply", "visit", "close"]
