"""The domain's fixed words: pipelines, stage kinds, activity types, milestones, roles.

Plain constants, importable by the UI without touching the tables.
"""

LEAD = "lead"
OPPORTUNITY = "opportunity"
PIPELINES = (LEAD, OPPORTUNITY)

# A stage is open, or one of the terminal kinds. Leads end disqualified ("lost")
# or by conversion; opportunities end won or lost.
OPEN, WON, LOST = "open", "won", "lost"

ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "proposal", "other")
# The activity pipeline, in order: nurture → 1st meeting → 2nd → 3rd → proposal.
MILESTONES = ("nurture", "rapport", "discovery", "findings", "proposal")

ROLES = ("rep", "manager")
