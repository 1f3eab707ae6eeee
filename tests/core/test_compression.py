"""HTML is compressed by the portal itself (no proxy needed); already-compressed formats are left alone."""

import gzip

import pytest


@pytest.mark.django_db
def test_html_is_gzipped_for_a_browser_that_asks(client, demo_data):
    response = client.get("/lien-he/", headers={"accept-encoding": "gzip, deflate"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "<h1" in html and "</html>" in html
    assert len(response.content) < len(html.encode()) / 3


@pytest.mark.django_db
def test_html_is_plain_for_a_client_that_does_not_ask(client, demo_data):
    response = client.get("/lien-he/")
    assert not response.has_header("Content-Encoding")
    assert b"</html>" in response.content


@pytest.mark.django_db
def test_images_are_not_compressed_again(client):
    response = client.get("/thu-tuc/cap-cccd/qr.png", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert not response.has_header("Content-Encoding")
    assert response.content.startswith(b"\x89PNG")
