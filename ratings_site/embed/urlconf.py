"""The URLconf of an embedded page's requests (set per request by embed.sessions): the whole site, then the
embedded pages under the rating pages' names. reverse() takes the last pattern of a name, so `{% url 'rate' %}`,
`redirect("generation_set", ...)` and the like lead to /embed/... while the frame is shown."""

from ratings_site.embed.urls import pages
from ratings_site.urls import urlpatterns as site_urlpatterns

handler500 = "ratings_site.views.server_error"

urlpatterns = [*site_urlpatterns, *pages()]
