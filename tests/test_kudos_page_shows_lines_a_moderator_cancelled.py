"""A rater whose rating a moderator invalidated (its pending kudos line cancelled) still gets their kudos page, which
shows the cancelled kudos apart: they are neither pending nor paid (the page once failed with a 500 here)."""

from ratings_site.kudos.models import KudosReward
from ratings_site.moderation.actions import invalidate_rating
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page


def test_the_kudos_page_counts_cancelled_lines_apart(login, make_images):
    client = login(DEMO_KEY)
    kept, invalidated = make_images(2)
    rate_via_page(client, kept)
    rate_via_page(client, invalidated)
    rating = Rating.objects.get(image=invalidated)

    invalidate_rating(actor=None, rating=rating, reason="Rated without looking")

    assert KudosReward.objects.get(rating=rating).status == KudosReward.Status.CANCELLED
    page = client.get("/kudos/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="cancelled">5<' in html
    assert 'data-testid="pending">5<' in html  # the kept rating's line only
    assert Rater.objects.get(horde_id=1001).kudos_rewards.count() == 2


def test_without_cancelled_lines_the_page_does_not_mention_them(login, make_images):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image)

    html = client.get("/kudos/").content.decode()

    assert 'data-testid="cancelled"' not in html
