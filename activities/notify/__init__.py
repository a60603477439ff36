"""Notification channels: signed webhooks, DingTalk and WeCom robots."""
