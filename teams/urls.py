from __future__ import annotations

from django.urls import path, register_converter

from teams import views


class PublicId:
    """A team's public id: 22 URL-safe characters (128 bits, secrets.token_urlsafe)."""

    regex = r"[A-Za-z0-9_-]{22}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class EditKey(PublicId):
    regex = r"[A-Za-z0-9_-]{32}"


register_converter(PublicId, "team")
register_converter(EditKey, "key")

app_name = "teams"

urlpatterns = [
    path("teams/new/", views.team_new, name="new"),
    path("teams/<team:public_id>/", views.team_detail, name="detail"),
    path("teams/<team:public_id>.csv", views.team_export, {"extension": "csv"}, name="csv"),
    path("teams/<team:public_id>.md", views.team_export, {"extension": "md"}, name="md"),
    path("teams/<team:public_id>.json", views.team_export, {"extension": "json"}, name="json"),
    path("teams/<team:public_id>/card.png", views.team_card_png, name="card"),
    path("teams/<team:public_id>/edit/<key:key>/", views.team_edit, name="edit"),
    path("teams/<team:public_id>/edit/<key:key>/history/", views.team_history, name="history"),
]
