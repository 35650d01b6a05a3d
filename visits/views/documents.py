"""Download the visit's documents (PDF), scoped and permission-checked like the visit page."""

from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views import View

from .. import documents
from ..selectors import visible_visits

RENDERERS = {
    documents.VISITOR_INFORMATION: documents.visitor_information_pdf,
    documents.APPLICATION_FORM: documents.application_form_pdf,
}


def reader_language(request) -> str:
    """The reader's language, or the one asked for with ?lang=en|zh-hans."""
    asked = request.GET.get("lang", "")
    if asked in dict(settings.LANGUAGES):
        return asked
    return request.LANGUAGE_CODE


# A PDF runs no script; without a Content-Security-Policy a browser's built-in PDF viewer is
# never blocked by the site's `object-src 'none'`.
@method_decorator(csp_exempt(), name="get")
class DocumentView(PermissionRequiredMixin, View):
    permission_required = "visits.view_visitrequest"
    kind = ""

    def get(self, request, pk):
        visit = get_object_or_404(visible_visits(request.user), pk=pk)
        pdf = RENDERERS[self.kind](
            visit=visit, language=reader_language(request), reader=request.user
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            False, documents.document_filename(visit=visit, kind=self.kind)
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
