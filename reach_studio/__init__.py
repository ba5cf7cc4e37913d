"""Reach Studio: a desktop workbench for linguists fulfilling Kaltura REACH vendor tasks."""

__version__ = "0.1.0"
APP_NAME = "Reach Studio"
