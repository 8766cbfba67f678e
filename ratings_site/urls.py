from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from ratings_site import views
from ratings_site.api.docs import APIRoot
from ratings_site.bestof import views as bestof
from ratings_site.datasets.views import rendition
from ratings_site.embed.urls import pages as embed_pages
from ratings_site.exports import views as exports
from ratings_site.figures.views import stats_page
from ratings_site.generations import views as generations
from ratings_site.raters.settings_views import settings_page
from ratings_site.raters.views import login_view, logout_view
from ratings_site.ratings import history_views as history
from ratings_site.ratings import views as ratings
from ratings_site.ratings.kudos_views import kudos_page

# Says "the administrators have been sent the details" only when ADMINS is set.
handler500 = "ratings_site.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
    path("rate/", ratings.rate_page, name="rate"),
    path("rate/<slug:slug>/best/", bestof.best_page, name="rate_best"),
    path("rate/<slug:slug>/best/<int:group_id>/pick/", bestof.pick, name="pick_best"),
    path("rate/<slug:slug>/best/<int:group_id>/skip/", bestof.skip, name="skip_group"),
    path("rate/<slug:slug>/", ratings.rate_page, name="rate_dataset"),
    path("images/<uuid:image_id>/rate/", ratings.rate, name="rate_image"),
    path("images/<uuid:image_id>/skip/", ratings.skip, name="skip_image"),
    path("ratings/undo/", ratings.undo_last_rating, name="undo_last_rating"),
    path("welcome/dismiss/", ratings.dismiss_welcome, name="dismiss_welcome"),
    path("ratings/", history.rating_history, name="rating_history"),
    path("ratings/<int:rating_id>/change/", history.change_rating, name="change_rating"),
    path("ratings/<int:rating_id>/delete/", history.delete_rating, name="delete_rating"),
    path("ratings/restore/", history.restore_rating, name="restore_rating"),
    path("kudos/", kudos_page, name="kudos"),
    path("settings/", settings_page, name="settings"),
    path("generations/", generations.generation_list, name="generations"),
    path("generations/<str:request_id>/", generations.generation_set, name="generation_set"),
    path("stats/", stats_page, name="stats"),
    path("renditions/<slug:kind>/<path:path>", rendition, name="rendition"),
    *embed_pages(prefix="embed_"),
    path("admin/", admin.site.urls),
    # The open dataset's files: plain Django views (streamed files), under the API's prefix.
    path("api/v1/download/", exports.download_listing, name="download_listing"),
    path("api/v1/download/<str:name>", exports.download_file, name="download_file"),
    path("api", APIRoot.as_view(), name="api_root"),  # to the docs, as /api/ leads (the dataset's card links /api)
    path("api/", include("ratings_site.api.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.+)$", views.media, name="media"))
