"""Rasa custom actions: thin classes that read the tracker, call plain functions and reply."""
