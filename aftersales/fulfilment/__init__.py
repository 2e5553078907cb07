"""Execution (执行): refunds, returns, exchanges, re-shipments and repairs, with their
parcels and expected dates."""
