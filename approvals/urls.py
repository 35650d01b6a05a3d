from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("approvals/", views.QueueView.as_view(), name="queue"),
    path("approvals/steps/<int:pk>/", views.StepView.as_view(), name="step"),
    path("approvals/steps/<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
    path("approvals/bulk-approve/", views.BulkApproveView.as_view(), name="bulk_approve"),
    path("approvals/oversight/", views.OversightView.as_view(), name="oversight"),
    path(
        "approvals/steps/<int:pk>/decide-as-administrator/",
        views.AdministratorDecideView.as_view(),
        name="decide_as_administrator",
    ),
    path("approvals/delegations/", views.DelegationView.as_view(), name="delegations"),
    path(
        "approvals/delegations/<int:pk>/end/",
        views.EndDelegationView.as_view(),
        name="end_delegation",
    ),
]
