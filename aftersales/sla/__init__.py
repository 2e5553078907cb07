"""SLA: time-limit policy, the Chinese working calendar, timers and scanning (SPEC §4)."""
