"""The user's export jobs: "My exports" (every job of theirs), one job's page (htmx polls its
card while the file is written) and the file's download. Each answers only its owner: another
user's job is a 404, like one that does not exist."""

from typing import cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, ListView

from reception.models import User

from ..exports import describe
from ..models import ExportJob, ExportStatus
from ..services.exports import download_name


def own_jobs(user: User) -> QuerySet[ExportJob]:
    """The job pages' scope: the reader's own jobs, nobody else's (not an administrator's)."""
    return ExportJob.objects.filter(owner=user)


def _described(jobs):
    for job in jobs:
        job.described = describe(job.kind, job.summary)
    return jobs


class ExportJobListView(ListView):
    template_name = "visits/export_jobs.html"
    context_object_name = "jobs"

    def get_queryset(self):
        return own_jobs(cast(User, self.request.user)).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(keep_days=settings.EXPORT_FILES_KEEP_DAYS, **kwargs)
        _described(context["jobs"])
        return context


class ExportJobView(DetailView):
    context_object_name = "job"

    def get_queryset(self):
        return own_jobs(cast(User, self.request.user))

    def get_template_names(self):
        if self.request.htmx:  # the card polling itself while the file is written
            return ["visits/_export_job.html"]
        return ["visits/export_job.html"]

    def get_context_data(self, **kwargs):
        _described([self.object])
        return super().get_context_data(**kwargs)


class ExportDownloadView(View):
    def get(self, request, pk):
        job = get_object_or_404(own_jobs(cast(User, request.user)), pk=pk)
        if job.status != ExportStatus.DONE or not job.file:
            raise Http404
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:  # deleted meanwhile (purged, or storage lost)
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=download_name(job))
