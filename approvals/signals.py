"""What approvals tells the rest of the world. Approvals names nothing of the app that owns
its subject (settings.APPROVALS_SUBJECT_MODEL): that app connects to these in its
AppConfig.ready(), and each receiver finds the subject on the step (step.subject).

All are sent inside the decision's transaction, after the steps are saved, so a receiver's
changes commit or roll back with the decision. Every signal has sender=ApprovalStep.
"""

from django.dispatch import Signal

# A step now waits for a decision. kwargs: step, approvers (who may decide it).
step_waiting = Signal()

# The grading step fixed the grade. kwargs: step, grade, previous (the grade before).
grade_fixed = Signal()

# The last step was approved: the whole chain is through. kwargs: step, by.
chain_completed = Signal()

# A step was approved, returned or rejected (sent after step_waiting / chain_completed).
# kwargs: step, by, chain_done (True when the decision ended the chain either way).
step_decided = Signal()

# A step was escalated: nobody could decide it (reason "stalled", or "decided_earlier" when its
# approvers decided another step of the round) or it waited too long ("overdue"). Where to is
# on the step (escalated_to: a role or the administrators; None: its approvers' delegates).
# kwargs: step, people (who may now decide it and are to be told), reason.
step_escalated = Signal()

# A step has waited longer than the policy's reminder time. kwargs: step, approvers, hours.
step_overdue = Signal()

# A step became pending, and some of its approvers decided another step of the same round:
# they do not decide this one (unless the policy allows it). Sent before step_waiting or
# step_escalated. kwargs: step, passed_over ({approver: the step they decided}).
approvers_passed_over = Signal()
