"""/ratings/ lists the rater's own ratings newest first, 50 a page, each with its thumbnail, dataset,
scores, time and reward; within RATING_UNDO_MINUTES its plain forms change or delete it (POST, then
back to the same page with a message, or for a delete a notice with its Undo), later it says "final"; refusals answer 400/403/404 with the
message and change nothing; the page costs the same queries however many ratings there are."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token
from tests.helpers import counters_from_ratings, image_counters, rate_via_page

# Six today: session, rater, the paginator's count, the page's ratings (one join), the header's two counters.
HISTORY_PAGE_MAX_QUERIES = 7


def _text(data: str) -> str:
    return " ".join(data.split())


class _History(HTMLParser):
    """What a rater sees on /ratings/: the rows, the messages, the pager."""

    CAPTURED = {"rating", "artifacts", "reward"}

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[dict] = []
        self.messages: list[str] = []
        self.deleted = ""  # the notice of a rating just deleted, beside its Undo
        self.pager: dict[str, tuple[str, str]] = {}
        self.page_label = ""
        self._into: tuple[dict, str, str] | None = None  # (target, key, end tag)
        self._form: dict | None = None
        self._select = ""
        self.feed(html)

    @property
    def ids(self) -> list[int]:
        return [row["id"] for row in self.rows]

    def row(self, rating: Rating) -> dict:
        return next(row for row in self.rows if row["id"] == rating.pk)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        row = self.rows[-1] if self.rows else None
        if tag == "tr" and a.get("data-testid") == "rating-row":
            self.rows.append({"id": int(a["data-rating-id"]), "class": a.get("class", ""), "forms": {}, "final": False})
        elif tag == "img" and row is not None and "img" not in row:
            row["img"] = a
        elif tag == "td" and row is not None and a.get("data-testid") in self.CAPTURED:
            row[a["data-testid"]] = ""
            self._into = (row, a["data-testid"], "td")
        elif tag == "time" and row is not None:
            row["when"] = ""
            self._into = (row, "when", "time")
        elif tag == "span" and a.get("class") == "final" and row is not None:
            row["final"] = True
        elif tag == "div" and a.get("data-testid") == "deleted":
            self._into = (self.__dict__, "deleted", "span")
        elif tag == "p" and a.get("data-testid") == "message":
            self.messages.append("")
            self._into = ({}, "message", "p")
        elif tag == "form" and row is not None and a.get("method") == "post":
            self._form = {"action": a["action"], "fields": {}, "selected": {}}
            row["forms"][a["class"].split()[-1]] = self._form  # "change-form" or "delete-form"
        elif tag == "input" and self._form is not None and a.get("type") == "hidden":
            self._form["fields"][a["name"]] = a["value"]
        elif tag == "select" and self._form is not None:
            self._select = a["name"]
        elif tag == "option" and self._form is not None and "selected" in a:
            self._form["selected"][self._select] = a["value"]
        elif tag == "a" and a.get("rel") in ("prev", "next"):
            self.pager[a["rel"]] = (a["href"], "")
            self._into = (self.pager, a["rel"], "a")
        elif tag == "span" and a.get("data-testid") == "page-number":
            self._into = (self.__dict__, "page_label", "span")

    def handle_endtag(self, tag):
        if self._into and tag == self._into[2]:
            target, key, _ = self._into
            if key == "message":
                self.messages[-1] = _text(self.messages[-1])
            elif key in ("prev", "next"):
                self.pager[key] = (self.pager[key][0], _text(self.pager[key][1]))
            else:
                target[key] = _text(target[key])
            self._into = None
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        if not self._into:
            return
        target, key, _ = self._into
        if key == "message":
            self.messages[-1] += data
        elif key in ("prev", "next"):
            self.pager[key] = (self.pager[key][0], self.pager[key][1] + data)
        else:
            target[key] += data


@pytest.fixture(autouse=True)
def no_captchas(settings):
    settings.CAPTCHA_RATE = 0.0
    settings.RATINGS_PER_MINUTE_MAX = 1000


def _history(client: Client, query: str = "") -> _History:
    response = client.get(f"/ratings/{query}")
    assert response.status_code == 200, response.status_code
    return _History(response.content.decode())


def _saved_ago(rating: Rating, minutes: float) -> None:
    Rating.objects.filter(pk=rating.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def _submit(client: Client, form: dict, **values: str):
    """Submit a form of the page as a browser would: its hidden fields, the CSRF token, the chosen values."""
    return client.post(form["action"], {**form["fields"], **form["selected"], **values})


def _bulk_ratings(rater: Rater, images: list[Image]) -> list[Rating]:
    ratings = Rating.objects.bulk_create(
        Rating(rater=rater, image=image, rating=1 + n % 10, artifacts=None if n % 3 else n % 6)
        for n, image in enumerate(images)
    )
    KudosReward.objects.bulk_create(
        KudosReward(rater=rater, rating=rating, image_id=rating.image_id, amount=5) for rating in ratings[::2]
    )
    for rating in ratings:  # the counters rate_image would have left
        rated = rating.artifacts is not None
        Image.objects.filter(pk=rating.image_id).update(
            ratings_count=1, rating_sum=rating.rating, artifacts_count=int(rated), artifacts_sum=rating.artifacts or 0
        )
    return ratings


def test_it_shows_the_raters_ratings_newest_first_with_what_they_said(login, make_images):
    client = login(DEMO_KEY)
    old, recent, new = make_images(3)
    rate_via_page(client, old, rating=3)
    rate_via_page(client, recent, rating=7, artifacts=2)
    rate_via_page(client, new, rating=10, artifacts=0)
    rate_via_page(login(SECOND_KEY), new, rating=1)  # someone else's: not listed
    mine = {r.image_id: r for r in Rating.objects.filter(rater__horde_id=1001)}
    _saved_ago(mine[old.pk], 30)
    _saved_ago(mine[recent.pk], 3)

    page = _history(client)

    assert page.ids == [mine[new.pk].pk, mine[recent.pk].pk, mine[old.pk].pk]
    shown = [(row["rating"], row["artifacts"], row["when"], row["reward"]) for row in page.rows]
    assert shown == [
        ("10 · Masterpiece", "0 · Flawless", "just now", "5 pending"),
        ("7 · Good", "2 · Minor flaws", "3 minutes ago", "5 pending"),
        ("3 · Bad", "—", "30 minutes ago", "5 pending"),
    ]
    assert page.pager == {} and page.page_label == ""


def test_each_row_has_a_lazy_thumbnail_with_its_size_and_caption(login, make_images):
    client = login(DEMO_KEY)
    [landscape] = make_images(1, width=640, height=480)
    [unknown] = make_images(1)
    Image.objects.filter(pk=unknown.pk).update(caption="")
    rate_via_page(client, landscape)
    rate_via_page(client, unknown)
    landscape.refresh_from_db()

    page = _history(client)

    by_image = {Rating.objects.get(pk=row["id"]).image_id: row["img"] for row in page.rows}
    wide = by_image[landscape.pk]
    assert (wide["src"], wide["loading"]) == (landscape.thumbnail_src, "lazy")
    assert (wide["width"], wide["height"]) == ("96", "72")
    assert wide["alt"] == landscape.caption
    square = by_image[unknown.pk]
    assert (square["width"], square["height"], square["alt"]) == ("96", "96", "An image of Test-Set")


def test_it_pages_fifty_at_a_time_with_newer_and_older_links(login, make_images):
    client = login(DEMO_KEY)
    ratings = _bulk_ratings(Rater.objects.get(horde_id=1001), make_images(120))
    newest_first = [r.pk for r in sorted(ratings, key=lambda r: (r.created_at, r.pk), reverse=True)]

    first, second, last = _history(client), _history(client, "?page=2"), _history(client, "?page=3")

    assert first.ids == newest_first[:50] and second.ids == newest_first[50:100] and last.ids == newest_first[100:]
    assert first.page_label == "Page 1 of 3"
    assert first.pager == {"next": ("/ratings/?page=2", "Older →")}
    assert second.pager == {"prev": ("/ratings/", "← Newer"), "next": ("/ratings/?page=3", "Older →")}
    assert last.pager == {"prev": ("/ratings/?page=2", "← Newer")}


@pytest.mark.parametrize(
    "bad, shown", [("abc", 1), ("0", 1), ("-2", 1), ("1.5", 1), ("", 1), ("99999", 2), ("9" * 40, 2)]
)
def test_a_bad_page_number_shows_a_page_not_an_error(login, make_images, bad, shown):
    client = login(DEMO_KEY)
    _bulk_ratings(Rater.objects.get(horde_id=1001), make_images(60))

    page = _history(client, f"?page={bad}")

    assert page.page_label == f"Page {shown} of 2"


def test_the_change_form_changes_the_rating_without_javascript(login, make_images):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=7, artifacts=2)
    rating = Rating.objects.get()
    form = _history(client).row(rating)["forms"]["change-form"]
    assert form["selected"] == {"rating": "7", "artifacts": "2"}
    assert form["fields"]["csrfmiddlewaretoken"]

    response = _submit(client, form, rating="8", artifacts="1")

    assert (response.status_code, response["Location"]) == (302, "/ratings/")
    page = _history(client)
    assert page.messages == ["Changed: 8 · Great, Tiny flaws"]
    assert (page.row(rating)["rating"], page.row(rating)["artifacts"]) == ("8 · Great", "1 · Tiny flaws")
    assert Rating.objects.values_list("rating", "artifacts").get() == (8, 1)
    assert image_counters(image) == (1, 8, 1, 1) == counters_from_ratings(image)
    assert _history(client).messages == []  # shown once


def test_the_delete_form_deletes_it_and_says_what_became_of_the_kudos(login, make_images):
    client = login(DEMO_KEY)
    kept, deleted = make_images(2)
    rate_via_page(client, kept)
    rate_via_page(client, deleted, rating=4)
    rating = Rating.objects.get(image=deleted)
    form = _history(client).row(rating)["forms"]["delete-form"]

    response = _submit(client, form)

    assert (response.status_code, response["Location"]) == (302, "/ratings/")
    page = _history(client)
    assert page.deleted == f"Deleted your rating of “{deleted.caption}” (4 · Poor); its 5 kudos were cancelled."
    assert page.ids == [Rating.objects.get(image=kept).pk]
    assert list(KudosReward.objects.values_list("image", flat=True)) == [kept.pk]
    assert image_counters(deleted) == (0, 0, 0, 0)


def test_deleting_a_paid_rating_says_the_kudos_stay(login, make_images):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=9, artifacts=1)
    KudosReward.objects.update(status=KudosReward.Status.PAID)
    form = _history(client).rows[0]["forms"]["delete-form"]

    _submit(client, form)

    assert _history(client).deleted == (
        f"Deleted your rating of “{image.caption}” (9 · Excellent, Tiny flaws); "
        "its 5 kudos were already paid and stay yours."
    )
    assert KudosReward.objects.get().status == KudosReward.Status.PAID


def test_a_form_on_a_later_page_brings_the_rater_back_to_that_page(login, make_images):
    client = login(DEMO_KEY)
    _bulk_ratings(Rater.objects.get(horde_id=1001), make_images(60))
    form = _history(client, "?page=2").rows[0]["forms"]["change-form"]

    response = _submit(client, form, rating="5")

    assert (response.status_code, response["Location"]) == (302, "/ratings/?page=2")


def test_older_ratings_say_final_and_have_no_forms(login, make_images):
    client = login(DEMO_KEY)
    old, new = make_images(2)
    rate_via_page(client, old)
    rate_via_page(client, new)
    _saved_ago(Rating.objects.get(image=old), 11)

    page = _history(client)

    final = page.row(Rating.objects.get(image=old))
    assert (final["final"], final["forms"]) == (True, {})
    open_ = page.row(Rating.objects.get(image=new))
    assert (open_["final"], set(open_["forms"])) == (False, {"change-form", "delete-form"})


def test_a_change_posted_too_late_is_refused_with_403_and_the_reason(login, make_images):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=7)
    rating = Rating.objects.get()
    form = _history(client).row(rating)["forms"]["change-form"]  # the page was left open...
    _saved_ago(rating, 14)  # ...for 14 minutes

    response = _submit(client, form, rating="2")

    assert response.status_code == 403
    page = _History(response.content.decode())
    assert page.messages == [
        "Ratings can be changed or undone for 10 minutes after they are saved; this one was saved 14 minutes ago."
    ]
    assert page.row(rating)["final"] is True
    assert Rating.objects.values_list("rating", flat=True).get() == 7


def test_bad_input_answers_400_with_the_message_and_loses_nothing(login, make_images):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=7, artifacts=2)
    rating = Rating.objects.get()
    form = _history(client).row(rating)["forms"]["change-form"]

    response = _submit(client, form, rating="11")

    assert response.status_code == 400
    page = _History(response.content.decode())
    assert page.messages == ["The rating must be from 1 to 10, not 11."]
    row = page.row(rating)
    assert "has-error" in row["class"]
    assert (row["rating"], row["forms"]["change-form"]["selected"]) == ("7 · Good", {"rating": "7", "artifacts": "2"})
    assert Rating.objects.values_list("rating", "artifacts").get() == (7, 2)
    assert image_counters(image) == (1, 7, 1, 2)


def test_someone_elses_rating_answers_404_and_stays(login, make_images):
    [image] = make_images(1)
    rate_via_page(login(SECOND_KEY), image, rating=6)
    theirs = Rating.objects.get()
    client = login(DEMO_KEY)
    token = csrf_token(client)

    changed = client.post(f"/ratings/{theirs.pk}/change/", {"rating": "1", "csrfmiddlewaretoken": token})
    deleted = client.post(f"/ratings/{theirs.pk}/delete/", {"csrfmiddlewaretoken": token})
    missing = client.post("/ratings/999999/delete/", {"csrfmiddlewaretoken": token})

    assert (changed.status_code, deleted.status_code, missing.status_code) == (404, 404, 404)
    assert _History(deleted.content.decode()).messages == [
        "Nothing to undo: that rating is not one of yours, or it was already undone."
    ]
    assert Rating.objects.values_list("pk", "rating").get() == (theirs.pk, 6)
    assert KudosReward.objects.count() == 1


def test_the_forms_need_post_a_csrf_token_and_a_login(login, make_images, client):
    [image] = make_images(1)
    rater_client = login(DEMO_KEY)
    rate_via_page(rater_client, image)
    rating = Rating.objects.get()

    assert rater_client.get(f"/ratings/{rating.pk}/delete/").status_code == 405
    assert rater_client.post(f"/ratings/{rating.pk}/delete/").status_code == 403  # no CSRF token
    assert client.get("/ratings/").status_code == 302  # not logged in: to the login page
    assert Rating.objects.exists()


def _page_queries(client: Client, assert_max_num_queries) -> int:
    with assert_max_num_queries(HISTORY_PAGE_MAX_QUERIES) as captured:
        response = client.get("/ratings/")
    assert response.status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_with_5_or_60_ratings(login, make_images, django_assert_max_num_queries):
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    client.get("/ratings/")  # the login's messages are shown and gone
    _bulk_ratings(rater, make_images(5))
    few = _page_queries(client, django_assert_max_num_queries)

    _bulk_ratings(rater, make_images(55, dataset="another-set"))
    many = _page_queries(client, django_assert_max_num_queries)

    assert Rating.objects.filter(rater=rater).count() == 60
    assert few == many
