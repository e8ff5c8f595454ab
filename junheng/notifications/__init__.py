"""To-do lists and reminders without Django: the reminder rules (when a task is due soon, when
an overdue task is escalated, how often a failed delivery is tried again) and the texts of the
digest, escalation and group-chat robot messages."""
