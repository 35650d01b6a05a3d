from django.urls import path

from . import documents, views, views_desk, views_documents, views_preparation

app_name = "visits"
urlpatterns = [
    path("visits/", views.VisitListView.as_view(), name="list"),
    path("visits/new/", views.VisitEditView.as_view(), name="create"),
    path("visits/contacts/", views.ContactOptionsView.as_view(), name="contact_options"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="detail"),
    path("visits/<int:pk>/edit/", views.VisitEditView.as_view(), name="edit"),
    path("visits/<int:pk>/submit/", views.VisitSubmitView.as_view(), name="submit"),
    path("visits/<int:pk>/cancel/", views.VisitCancelView.as_view(), name="cancel"),
    path("visits/<int:pk>/summary/", views.SummaryView.as_view(), name="summary"),
    path("summaries/", views.SummaryListView.as_view(), name="summaries"),
    path(
        "visits/<int:pk>/documents/visitor-information.pdf",
        views_documents.DocumentView.as_view(kind=documents.VISITOR_INFORMATION),
        name="visitor_information_pdf",
    ),
    path(
        "visits/<int:pk>/documents/application-form.pdf",
        views_documents.DocumentView.as_view(kind=documents.APPLICATION_FORM),
        name="application_form_pdf",
    ),
    path("visits/<int:pk>/staff/", views_preparation.StaffChangeView.as_view(), name="staff"),
    path("tasks/", views_preparation.TaskBoardView.as_view(), name="tasks"),
    path(
        "tasks/<int:pk>/<slug:action>/",
        views_preparation.TaskActionView.as_view(),
        name="task_action",
    ),
    path("preparation/", views_preparation.PreparationView.as_view(), name="preparation"),
    path("visits/<int:pk>/itinerary/", views_desk.ItineraryEditView.as_view(), name="itinerary"),
    path("desk/", views_desk.BoardView.as_view(), name="board"),
    path("desk/visits/<int:pk>/", views_desk.DeskVisitView.as_view(), name="desk"),
    path(
        "desk/visits/<int:pk>/check-<slug:direction>/",
        views_desk.CheckView.as_view(),
        name="check",
    ),
    path(
        "desk/visits/<int:pk>/add-visitor/",
        views_desk.AddVisitorView.as_view(),
        name="add_visitor",
    ),
    path(
        "desk/visits/<int:pk>/arrangements/",
        views_desk.ArrangementsView.as_view(),
        name="arrangements",
    ),
    path("desk/walk-ins/", views_desk.WalkInListView.as_view(), name="walk_ins"),
    path("desk/walk-ins/new/", views_desk.WalkInCreateView.as_view(), name="walk_in_create"),
    path("walk-ins/<int:pk>/", views_desk.WalkInDecisionView.as_view(), name="walk_in"),
    path("welcome/<str:token>/", views_desk.WelcomeScreenView.as_view(), name="welcome"),
]
