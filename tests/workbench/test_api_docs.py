"""/api/v1/docs works offline: Swagger UI comes from our own static files (Django Ninja's
copy, `ninja` in INSTALLED_APPS), no CDN, no inline script. In Chromium offline:
test_api_docs_browser.py."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

DOCS = "/api/v1/docs"


@pytest.mark.django_db
def test_docs_page_names_only_our_own_static_files():
    response = Client().get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in urls
    assert "/static/ninja/swagger-ui.css" in urls
    assert not [u for u in urls if re.match(r"(https?:)?//", u)], urls
    assert "cdn" not in html.lower() and "unpkg" not in html and "jsdelivr" not in html
    # No inline script: every <script> either loads a file or holds JSON settings.
    for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs or ('type="application/json"' in attrs), attrs
    # The files are ours to serve (found by the static file finders, shipped by ninja).
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(name), name
    # The page keeps the site's policy: scripts from ourselves only.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_schema_the_docs_read_is_served():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/disputes" in paths
