"""Deterministic orchestration: one CaseWorkflow per case (案件), keyed by the case number."""
