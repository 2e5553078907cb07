from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "aftersales.sla"
    label = "sla"
    verbose_name = "时限管理"

    def ready(self) -> None:
        from aftersales.disputes import handlers

        # Imported for what they register: the timeline event kinds, the calendar
        # cache's signals.
        from . import timeline, timers, working_calendar  # noqa: F401

        # Timers follow the lifecycle: told of every applied action and new task.
        handlers.register(
            handlers.ActionApplied, timers.on_action_applied, order=100, name="sla.timers"
        )
        handlers.register(
            handlers.TasksCreated, timers.on_tasks_created, order=100, name="sla.timers"
        )
        # Events that are no action but start or stop clocks (a recorded first contact).
        handlers.register(
            handlers.EventRecorded, timers.on_action_applied, order=100, name="sla.timers"
        )
