"""Editions and programmes across domains: next year's edition made from this year's (with
its rubrics and sponsors), teams promoted along a programme, and a project's history."""
