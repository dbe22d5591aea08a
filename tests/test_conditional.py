"""Conditional GET and shared caching: validators belong to the resource (RFC 9110), every API
answer is JSON, and a repeat visit costs no query."""

from __future__ import annotations

import json
import shutil

import pytest
from django.http import HttpResponse, HttpResponseServerError
from django.test import Client, RequestFactory
from django.utils.autoreload import file_changed
from django_htmx.middleware import HtmxDetails

from catalog import conditional
from catalog.conditional import catalog_validators, clock
from catalog.models import CatalogVersion, Role
from roles_site.apierrors import ApiJsonErrorsMiddleware
from tests.factories import make_role

pytestmark = pytest.mark.django_db

ROLE = "/roles/product-manager/"
API_ROLES = "/api/v1/roles/"
FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"
VARIANTS = [
    {},
    {"HX-Request": "true"},
    {"HX-Request": "true", "HX-Target": "details"},
]


def validators(rf, headers: dict, path: str = "/compare/a/vs/b/") -> tuple[str, int | None]:
    request = rf.get(path, headers=headers)
    request.htmx = HtmxDetails(request)
    return catalog_validators(request)


def assert_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["error"]["status"] == status


# --- validators --------------------------------------------------------------------------------


def test_each_representation_has_its_own_etag(rf):
    etags = {validators(rf, headers)[0] for headers in VARIANTS}
    assert len(etags) == len(VARIANTS)


def test_each_resource_has_its_own_etag(rf):
    assert validators(rf, {}, "/roles/a/")[0] != validators(rf, {}, "/roles/b/")[0]
    assert validators(rf, {}, "/search/?q=a")[0] != validators(rf, {}, "/search/?q=b")[0]


def test_a_history_restore_gets_the_full_pages_etag(rf):
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "x"}
    assert validators(rf, restore) == validators(rf, {})


def test_an_edit_changes_etag_and_last_modified(rf):
    before = validators(rf, {})
    make_role("pm", name="PM", summary="s", main_goal="g")
    after = validators(rf, {})
    assert after[0] != before[0]
    assert after[1] is not None and after[1] >= before[1]


def test_no_version_row_still_answers(rf):
    CatalogVersion.objects.all().delete()
    etag, last_modified = validators(rf, {})
    assert etag.startswith('"c0-')
    assert last_modified is None


# --- unknown resources and bad queries never answer 304 ----------------------------------------


@pytest.mark.parametrize("path", ["/roles/no-such-role/", "/api/v1/roles/no-such-role/"])
@pytest.mark.parametrize("header", ["If-None-Match", "If-Match"])
def test_an_unknown_resource_is_a_404_whatever_its_preconditions(
    client, seed_catalog, path, header
):
    tags = [client.get(path).get("ETag"), "*", client.get(ROLE)["ETag"]]
    assert tags[0] is None  # an error carries no validator to send back
    for tag in tags[1:]:
        response = client.get(path, headers={header: tag})
        assert response.status_code == 404
    if path.startswith("/api/"):
        assert_json_error(response, 404)


def test_a_future_if_modified_since_on_an_unknown_pair_is_a_404(client, seed_catalog):
    for _ in range(2):
        response = client.get("/compare/nope/vs/nada/", headers={"If-Modified-Since": FUTURE})
        assert response.status_code == 404


def test_a_bad_query_with_a_current_etag_is_the_documented_400(client, seed_catalog):
    etag = client.get(API_ROLES)["ETag"]
    assert client.get(API_ROLES, headers={"If-None-Match": etag}).status_code == 304
    for _ in range(2):
        response = client.get(f"{API_ROLES}?bogus=1", headers={"If-None-Match": etag})
        assert_json_error(response, 400)
        response = client.get(f"{API_ROLES}?bogus=1", headers={"If-None-Match": "*"})
        assert_json_error(response, 400)


@pytest.mark.parametrize("path", [ROLE, API_ROLES])
def test_preconditions_on_an_existing_resource_follow_rfc_9110(client, seed_catalog, path):
    # The first answer in this process (rendered, then checked) and later ones (checked first).
    for _ in range(2):
        assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304
        assert client.get(path, headers={"If-Match": "*"}).status_code == 200
        assert client.get(path, headers={"If-Modified-Since": FUTURE}).status_code == 304
        mismatch = client.get(path, headers={"If-Match": '"x"'})
        assert mismatch.status_code == 412
        etag = client.get(path)["ETag"]
        assert client.get(path, headers={"If-Match": etag}).status_code == 200
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(path, headers={"If-None-Match": '"x"'}).status_code == 200
    if path.startswith("/api/"):
        assert_json_error(mismatch, 412)


# --- every API answer is JSON ------------------------------------------------------------------


def test_an_unknown_host_on_the_api_is_a_json_400(seed_catalog):
    response = Client(HTTP_HOST="evil.example").get(API_ROLES)
    assert_json_error(response, 400)
    assert b"<html" not in response.content.lower()


def test_a_server_error_on_the_api_is_a_json_500(seed_catalog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(conditional, "read_version", broken)
    response = Client(raise_request_exception=False).get(API_ROLES)
    assert_json_error(response, 500)


@pytest.mark.parametrize("status", [400, 404, 405, 412, 500])
def test_any_html_or_empty_error_under_the_api_becomes_json(status):
    html = HttpResponse("<h1>no</h1>", status=status)
    html["Allow"] = "GET"
    middleware = ApiJsonErrorsMiddleware(lambda request: html)
    response = middleware(RequestFactory().get("/api/v1/anything/"))
    assert_json_error(response, status)
    assert response["Allow"] == "GET"
    assert int(response["Content-Length"]) == len(response.content)
    page = ApiJsonErrorsMiddleware(lambda request: HttpResponseServerError("<h1>no</h1>"))
    assert page(RequestFactory().get("/roles/"))["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["trace", "options", "post"])
def test_the_sitemap_refuses_other_methods_like_every_view(client, seed_catalog, method):
    assert getattr(client, method)("/sitemap.xml").status_code == 405


# --- shared caches -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ROLE, API_ROLES, "/compare/product-manager/vs/project-manager/"])
def test_public_answers_may_be_kept_briefly_by_shared_caches(client, seed_catalog, path, settings):
    response = client.get(path)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {
        "public",
        "max-age=0",
        f"s-maxage={settings.SHARED_CACHE_SECONDS}",
        f"stale-while-revalidate={settings.SHARED_CACHE_STALE_SECONDS}",
    }
    assert "Cookie" not in response.get("Vary", "")
    repeat = client.get(path, headers={"If-None-Match": response["ETag"]})
    assert repeat.status_code == 304
    assert repeat["Cache-Control"] == response["Cache-Control"]


def test_pages_vary_on_htmx_and_the_api_does_not(client, seed_catalog):
    page_vary = {v.strip() for v in client.get(ROLE)["Vary"].split(",")}
    assert "HX-Request" in page_vary
    assert "HX-Request" not in client.get(API_ROLES).get("Vary", "")


def test_errors_are_not_kept_by_shared_caches(client, seed_catalog):
    assert "public" not in client.get("/roles/no-such-role/").get("Cache-Control", "")
    assert "public" not in client.get("/api/v1/roles/no-such-role/").get("Cache-Control", "")
    assert "public" not in client.get(f"{API_ROLES}?bogus=1").get("Cache-Control", "")


# --- revalidation without the database ---------------------------------------------------------


@pytest.mark.parametrize("path", [ROLE, API_ROLES])
def test_a_repeat_visit_is_a_304_without_a_query(
    client, seed_catalog, path, django_assert_num_queries, settings
):
    settings.CATALOG_VERSION_CHECK_SECONDS = 3600  # no re-read on a slow machine either
    etag = client.get(path)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_an_edit_elsewhere_is_seen_after_the_version_check_interval(client, seed_catalog, settings):
    settings.CATALOG_VERSION_CHECK_SECONDS = 60
    etag = client.get(ROLE)["ETag"]
    # Another instance's edit: the row moves on without this process's signals.
    CatalogVersion.objects.filter(pk=1).update(number=999)
    assert client.get(ROLE, headers={"If-None-Match": etag}).status_code == 304
    clock.read_at -= 60
    changed = client.get(ROLE, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"].startswith('"c999-')


def test_an_edited_template_shows_at_once_under_debug(client, seed_catalog, settings, tmp_path):
    """`make run`: no validator outlives a template edit. runserver's reloader tells the template
    engine which file changed (django.template.autoreload), as this test does."""
    shutil.copytree(settings.BASE_DIR / "templates", tmp_path / "templates")
    settings.DEBUG = True
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    first = client.get(ROLE)
    assert first.status_code == 200
    template = tmp_path / "templates" / "catalog" / "role_detail.html"
    edited = "<p>Edited just now</p>{% endblock content %}"
    template.write_text(template.read_text().replace("{% endblock content %}", edited))
    file_changed.send(sender=None, file_path=template)
    again = client.get(ROLE, headers={"If-None-Match": first.get("ETag", "*")})
    assert again.status_code == 200
    assert "Edited just now" in again.content.decode()


def test_an_edit_in_this_process_is_seen_at_once(client, seed_catalog):
    etag = client.get(ROLE)["ETag"]
    role = Role.objects.get(slug="product-manager")
    role.name = "Product lead"
    role.save()
    changed = client.get(ROLE, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Product lead" in changed.content.decode()
