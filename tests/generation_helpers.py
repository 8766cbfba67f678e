"""Helpers of the generation set page tests: open a set and submit its form as a person's browser would."""

from __future__ import annotations

from ratings_site.generations.models import GenerationSet
from tests.conftest import csrf_token


def set_url(request_id: str) -> str:
    return f"/generations/{request_id}/"


def open_set(client, request_id: str) -> GenerationSet:
    """GET the set's page (which records the set from the Horde's status) and return the recorded set."""
    response = client.get(set_url(request_id))
    assert response.status_code == 200, response.content.decode()[:1000]
    return GenerationSet.objects.get(request_id=request_id)


def form_data(client, ratings: dict[str, int | tuple[int, int]] | None = None, best: str = "", *, confirmed=True):
    """The set form's fields: `ratings` maps a generation id to a rating or (rating, artifacts)."""
    data = {"csrfmiddlewaretoken": csrf_token(client), "best": best}
    for generation_id, value in (ratings or {}).items():
        rating, artifacts = value if isinstance(value, tuple) else (value, None)
        data[f"rating-{generation_id}"] = str(rating)
        if artifacts is not None:
            data[f"artifacts-{generation_id}"] = str(artifacts)
    if confirmed:
        data["confirmed"] = "1"
    return data


def submit(client, request_id: str, ratings=None, best: str = "", *, confirmed=True, follow=False):
    return client.post(set_url(request_id), form_data(client, ratings, best, confirmed=confirmed), follow=follow)


def rate_calls(horde) -> list[dict]:
    """The stand-in Horde's generate/rate calls so far (every call, accepted or not)."""
    return [r for r in horde.requests if r["method"] == "POST" and r["path"].startswith("/v2/generate/rate/")]


def submit_and_send(client, request_id: str, ratings=None, best: str = ""):
    """Save the set's rating on its page, let the worker send it to the Horde (the page never does), and return
    the set's page as its rater then sees it."""
    from tests.helpers import run_worker

    saved = submit(client, request_id, ratings, best)
    assert saved.status_code == 302, saved.content.decode()[:1000]
    run_worker()
    return client.get(set_url(request_id))
