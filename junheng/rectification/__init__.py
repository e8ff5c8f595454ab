"""Rectification tracking (问题清单 → 整改台账 → 销号), the pure part.

`problems` turns a county's evaluation entry into problem drafts and reconciles them with the
problems already recorded; `tasks` holds task statuses, transitions and the overdue rule;
`ledger_xlsx` moves a ledger in and out of Excel (the only module here that does IO).
"""
