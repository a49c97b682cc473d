from store import deals, reps


def test_a_lead_starts_in_the_first_stage(session, frozen):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    lead = deals.create_lead(session, deals.DealFields(title="Acme rollout"), by=ana.id)
    assert lead.stage_name == "New"
    assert lead.version == 1
