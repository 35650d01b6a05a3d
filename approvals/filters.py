import django_filters

from .models import ApprovalStep


class QueueFilter(django_filters.FilterSet):
    """The approval queue's filters. Approvals filters on nothing of the subject: the
    subject's app subclasses this with its own (approvals.cards.SubjectScreens.filterset).
    A filter named `grade` offers the current grades the queue gives (`grade_choices`, read
    once for its decision forms too) instead of reading them again as it renders."""

    def __init__(self, *args, grade_choices: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.grade_choices = grade_choices

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            field = form.fields.get("grade")
            if field is not None and self.grade_choices is not None:
                # what the field's widget offers; the field still checks a value against
                # its queryset
                field.widget.choices = [("", field.empty_label), *self.grade_choices]
        return super().form

    class Meta:
        model = ApprovalStep
        fields: list[str] = []
