from django.urls import path, re_path

from . import documents
from .views import (
    calendar_feeds,
    clients,
    desk,
    exports,
    guests,
    itinerary,
    options,
    preparation,
    reports,
    requests,
    spending,
    summary,
    walk_ins,
    welcome,
)
from .views import documents as document_views

app_name = "visits"
urlpatterns = [
    path("visits/", requests.VisitListView.as_view(), name="list"),
    re_path(
        r"^visits/export\.(?P<fmt>csv|xlsx)$",
        reports.VisitListExportView.as_view(),
        name="list_export",
    ),
    path("visits/new/", requests.VisitEditView.as_view(), name="create"),
    path("visits/contacts/", requests.ContactOptionsView.as_view(), name="contact_options"),
    path("options/staff/", options.StaffOptionsView.as_view(), name="staff_options"),
    path("options/hosts/", options.HostOptionsView.as_view(), name="host_options"),
    path("options/clients/", options.ClientOptionsView.as_view(), name="client_options"),
    path("visits/<int:pk>/", requests.VisitDetailView.as_view(), name="detail"),
    path("visits/<int:pk>/edit/", requests.VisitEditView.as_view(), name="edit"),
    path("visits/<int:pk>/submit/", requests.VisitSubmitView.as_view(), name="submit"),
    path("visits/<int:pk>/cancel/", requests.VisitCancelView.as_view(), name="cancel"),
    path("visits/<int:pk>/summary/", summary.SummaryView.as_view(), name="summary"),
    path("visits/<int:pk>/expenses/", spending.ExpensesView.as_view(), name="expenses"),
    path(
        "visits/<int:pk>/expenses/<int:line>/decide/",
        spending.ExpenseDecisionView.as_view(),
        name="expense_decide",
    ),
    path("follow-ups/<int:pk>/done/", summary.FollowUpDoneView.as_view(), name="follow_up_done"),
    path("clients/<int:pk>/visits/", clients.ClientVisitsView.as_view(), name="client_visits"),
    path("summaries/", summary.SummaryListView.as_view(), name="summaries"),
    path(
        "visits/<int:pk>/documents/visitor-information.pdf",
        document_views.DocumentView.as_view(kind=documents.VISITOR_INFORMATION),
        name="visitor_information_pdf",
    ),
    path(
        "visits/<int:pk>/documents/application-form.pdf",
        document_views.DocumentView.as_view(kind=documents.APPLICATION_FORM),
        name="application_form_pdf",
    ),
    path("visits/<int:pk>/staff/", requests.StaffChangeView.as_view(), name="staff"),
    path("tasks/", preparation.TaskBoardView.as_view(), name="tasks"),
    path("my-tasks/", preparation.MyTasksView.as_view(), name="my_tasks"),
    path("tasks/<int:pk>/", preparation.TaskOpenView.as_view(), name="task"),
    path(
        "tasks/<int:pk>/assignee/",
        preparation.TaskAssigneeView.as_view(),
        name="task_assignee",
    ),
    path(
        "tasks/<int:pk>/<slug:action>/",
        preparation.TaskActionView.as_view(),
        name="task_action",
    ),
    path("preparation/", preparation.PreparationView.as_view(), name="preparation"),
    path("visits/<int:pk>/itinerary/", itinerary.ItineraryEditView.as_view(), name="itinerary"),
    path("desk/", desk.BoardView.as_view(), name="board"),
    path("desk/visits/<int:pk>/", desk.DeskVisitView.as_view(), name="desk"),
    path(
        "desk/visits/<int:pk>/check-<slug:direction>/",
        desk.CheckView.as_view(),
        name="check",
    ),
    path("desk/undo/<int:event>/", desk.UndoCheckView.as_view(), name="undo_check"),
    path(
        "desk/visits/<int:pk>/add-visitor/",
        desk.AddVisitorView.as_view(),
        name="add_visitor",
    ),
    path(
        "desk/visits/<int:pk>/arrangements/",
        desk.ArrangementsView.as_view(),
        name="arrangements",
    ),
    path("desk/walk-ins/", walk_ins.WalkInListView.as_view(), name="walk_ins"),
    path("desk/walk-ins/new/", walk_ins.WalkInCreateView.as_view(), name="walk_in_create"),
    path("walk-ins/<int:pk>/", walk_ins.WalkInDecisionView.as_view(), name="walk_in"),
    path("reports/", reports.ReportsView.as_view(), name="reports"),
    re_path(
        r"^reports/(?P<key>[a-z-]+)\.(?P<fmt>csv|xlsx)$",
        reports.ReportExportView.as_view(),
        name="report_export",
    ),
    re_path(
        r"^desk/visitor-log\.(?P<fmt>csv|xlsx)$",
        reports.VisitorLogExportView.as_view(),
        name="visitor_log_export",
    ),
    path("exports/", exports.ExportJobListView.as_view(), name="export_jobs"),
    path("exports/<int:pk>/", exports.ExportJobView.as_view(), name="export_job"),
    path(
        "exports/<int:pk>/download/",
        exports.ExportDownloadView.as_view(),
        name="export_download",
    ),
    path("calendar/", calendar_feeds.CalendarFeedPageView.as_view(), name="calendar_feed"),
    path(
        "calendar/rotate/",
        calendar_feeds.CalendarFeedRotateView.as_view(),
        name="calendar_feed_rotate",
    ),
    path(
        "calendar/<str:token>.ics",
        calendar_feeds.CalendarFileView.as_view(),
        name="calendar_ics",
    ),
    path(
        "calendar/<str:token>/arrivals.ics",
        calendar_feeds.CalendarFileView.as_view(arrivals=True),
        name="calendar_arrivals_ics",
    ),
    path("welcome/<str:token>/", welcome.WelcomeScreenView.as_view(), name="welcome"),
    # The guest's side (docs/guests.md): public but signed.
    path("guest/<str:token>/", guests.InvitationView.as_view(), name="guest_invitation"),
    path(
        "guest/<str:token>/accept/",
        guests.InvitationAcceptView.as_view(),
        name="guest_accept",
    ),
    path("kiosk/<str:token>/", guests.KioskView.as_view(), name="kiosk"),
    # ... and the staff's.
    path("visits/<int:pk>/invitation/", guests.InviteView.as_view(), name="invite"),
    path("desk/scan/", guests.ScanView.as_view(), name="scan"),
    path("desk/visits/<int:pk>/badges.pdf", guests.BadgeView.as_view(), name="badges"),
]
