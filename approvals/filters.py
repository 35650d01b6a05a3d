import django_filters

from .models import ApprovalStep


class QueueFilter(django_filters.FilterSet):
    """The approval queue's filters. Approvals filters on nothing of the subject: the
    subject's app subclasses this with its own (approvals.cards.SubjectScreens.filterset)."""

    class Meta:
        model = ApprovalStep
        fields: list[str] = []
