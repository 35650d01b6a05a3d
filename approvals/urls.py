from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("approvals/", views.QueueView.as_view(), name="queue"),
    path("approvals/steps/<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
]
