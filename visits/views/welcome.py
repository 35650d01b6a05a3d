"""The lobby welcome screen: no login, a per-display secret URL."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

from reception.models import ReceptionPolicy

from ..models import WelcomeDisplay
from ..services import welcome


@method_decorator(login_not_required, name="dispatch")
class WelcomeScreenView(TemplateView):
    def get_template_names(self):
        return ["visits/_welcome_lines.html" if self.request.htmx else "visits/welcome.html"]

    def get_context_data(self, **kwargs):
        display = WelcomeDisplay.objects.filter(token=self.kwargs["token"], active=True).first()
        if display is None:
            raise Http404
        return super().get_context_data(
            display=display,
            lines=welcome.welcome_lines(site_id=display.site_id),
            company_line=ReceptionPolicy.get().company_name,
            **kwargs,
        )
