"""Buyer workflows, one module a workflow. Callers import from the module that owns it:

saved_searches  saved catalogue searches, and freezing one into a shortlist
shortlists      shortlists, freezing them as evidence, exporting, recording the outcome
requirements    a requirement, one question a page, and submitting it
terms           the checks on an award's terms, shared by the award workflows
awards          direct award, and the award of a further competition (both make a contract)
competitions    setting up, publishing and cancelling a further competition
clarifications  suppliers' questions and the buyer's published answers
responses       suppliers' sealed responses, and scoring them
emails          award emails: queued by task name, sent by buying.tasks
common          who may act for which organisation, and other shared checks
"""
