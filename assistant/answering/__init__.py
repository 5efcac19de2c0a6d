"""Answering questions from the knowledge base: plain functions the thin Rasa actions call."""
