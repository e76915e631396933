"""Survey writes, one module per family of actions: rounds, invitations, responses, imports.

Import from the module that holds the action (``from survey.services.rounds import
round_create``): this package re-exports nothing. Public functions are named
``<entity>_<action>`` and take keyword-only arguments; a write that spans rows runs in one
transaction.
"""
