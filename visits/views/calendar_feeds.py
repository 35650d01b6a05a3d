"""Calendar feeds: the subscription page, rotating its secret, and the feeds themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.decorators import method_decorator
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views import View

from ..models import CalendarFeed
from ..services import calendar_feeds


class CalendarFeedPageView(View):
    """ "My calendar feed": the URLs to subscribe to, and a button to change the secret."""

    def get(self, request):
        feed = calendar_feeds.feed_for(request.user)
        personal = request.build_absolute_uri(
            reverse("visits:calendar_ics", kwargs={"token": feed.token})
        )
        arrivals = None
        if calendar_feeds.may_see_arrivals(request.user):
            arrivals = request.build_absolute_uri(
                reverse("visits:calendar_arrivals_ics", kwargs={"token": feed.token})
            )
        context = {
            "feed": feed,
            "personal_url": personal,
            "arrivals_url": arrivals,
            "days_back": calendar_feeds.FEED_DAYS_BACK,
            "days_ahead": calendar_feeds.FEED_DAYS_AHEAD,
        }
        return render(request, "visits/calendar_feed.html", context)


class CalendarFeedRotateView(View):
    def post(self, request):
        calendar_feeds.rotate_feed(user=request.user)
        messages.success(
            request,
            _("Your calendar feed has a new address; the old one no longer works."),
        )
        return redirect("visits:calendar_feed")


@method_decorator(login_not_required, name="dispatch")
class CalendarFileView(View):
    """The .ics itself: no login (calendar apps cannot log in); the secret is the key, and an
    unknown or rotated secret, or an inactive user, answers 404. A client that sends back the
    feed's ETag (or Last-Modified) gets 304 while nothing in it changed: the rows are read
    (bounded queries), the calendar is not built."""

    arrivals = False

    def get(self, request, token):
        feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
        if feed is None or not feed.user.is_active:
            raise Http404
        user = feed.user
        options = {
            "host": request.get_host().split(":")[0],
            "base_url": request.build_absolute_uri("/")[:-1],
        }
        if self.arrivals:
            if not calendar_feeds.may_see_arrivals(user):
                raise Http404
            feed = calendar_feeds.arrivals_feed(user)
        else:
            feed = calendar_feeds.personal_feed(user)
        etag = "W/" + quote_etag(feed.version(**options))  # weak: DTSTAMP differs per answer
        last_modified = feed.last_modified
        modified = int(last_modified.timestamp()) if last_modified else None
        response = get_conditional_response(request, etag=etag, last_modified=modified)
        if response is None:
            body = calendar_feeds.render_feed(feed, **options)
            response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
            response["Content-Disposition"] = 'inline; filename="jiedai.ics"'
        response["ETag"] = etag
        if modified:
            response["Last-Modified"] = http_date(modified)
        # Kept by the client alone, and checked with it on every poll.
        response["Cache-Control"] = "private, no-cache"
        response["X-Robots-Tag"] = "noindex"
        return response
