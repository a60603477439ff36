"""Tests of the Temporal activity classes in activities/tasks/."""
