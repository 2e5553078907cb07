"""Investigation and mediation (调查核实 · 调解): statutory entitlements, proposals within
authority, approvals, settlement agreements, commitments to the customer, escalation."""
