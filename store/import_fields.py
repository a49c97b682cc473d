"""Which column of an imported file holds which field.

Column names are compared case- and punctuation-insensitively (``Deal - Stage``,
``deal_stage`` and ``DealStage`` are the same), against the names that Pipedrive,
HubSpot and Salesforce exports and plain spreadsheets use. ``--map column=field``
overrides; ``--map column=-`` leaves a column out.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.errors import InvalidInput
from store.import_values import normalise

DEALS, ACTIVITIES, TASKS, NOTES, EVENTS = "deals", "activities", "tasks", "notes", "events"
ACCOUNTS, CONTACTS = "accounts", "contacts"
KINDS = (DEALS, ACTIVITIES, TASKS, NOTES, EVENTS, ACCOUNTS, CONTACTS)
IGNORE = "-"

_ACCOUNT = ("account", "accountname", "organization", "organisation", "org", "orgname", "organizationname",
            "organisationname", "company", "companyname", "associatedcompany", "client", "clientname",
            "customer", "customername", "dealorganization", "dealorganisation", "companyaccount", "accountcompany")
_DEAL_ID = ("dealexternalid", "dealid", "opportunityid", "dealrecordid", "associateddealid", "associateddealids",
            "relatedtoid", "whatid", "externaldealid")
_DEAL_TITLE = ("deal", "dealtitle", "dealname", "opportunity", "opportunityname", "associateddeal",
               "associateddeals", "relatedto", "regarding")
_REP = ("rep", "owner", "ownername", "user", "username", "assignedto", "assignedtouser", "assignee", "assigned",
        "doneby",
        "loggedby", "createdby", "salesagent", "salesrep", "author", "writtenby", "addedby", "activityowner",
        "taskowner", "noteowner")

# field -> names it is recognised by (normalised), per kind of file, in order of preference.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    DEALS: {
        "external_id": ("externalid", "id", "dealid", "recordid", "opportunityid", "crmid", "sourceid"),
        "title": ("title", "name", "dealtitle", "dealname", "opportunityname", "opportunity", "deal", "leadname",
                  "leadtitle"),
        "pipeline": ("pipeline", "pipelinename", "dealpipeline"),
        "stage": ("stage", "dealstage", "stagename", "opportunitystage", "salesstage", "leadstatus", "leadstage"),
        "status": ("status", "dealstatus", "opportunitystatus", "state"),
        "is_won": ("won", "iswon"),
        "is_closed": ("closed", "isclosed"),
        "value": ("value", "amount", "dealvalue", "closevalue", "dealamount", "opportunityamount", "dealsize",
                  "size", "revenue"),
        "currency": ("currency", "dealcurrency", "currencycode", "currencyisocode", "opportunitycurrency"),
        "expected_close": ("expectedclose", "expectedclosedate", "expectedclosingdate", "estimatedclosedate",
                           "forecastclosedate", "targetclosedate", "expectedcloseday"),
        "close_date": ("closedate", "closingdate", "dealclosedate"),
        "closed_at": ("closedat", "closedon", "dealclosedon", "closeddate", "dateclosed", "wontime", "losttime",
                      "closetime", "actualclosedate", "wondate", "lostdate", "wonat", "lostat", "wonon", "loston"),
        "created_at": ("createdat", "created", "createdate", "createddate", "dealcreated", "dealcreatedon",
                       "adddate", "addtime", "datecreated", "creationdate", "opendate", "openedat",
                       "openeddate"),
        # Dates that stand in for a missing created date, in this order (with the close date).
        "engaged_at": ("engagedate", "engagedat", "engaged", "dateengaged", "engagementdate", "firstengaged"),
        "last_activity": ("lastactivitydate", "lastactivityat", "lastactivity"),
        "probability": ("probability", "dealprobability", "probabilitypercent", "winprobability",
                        "hsdealstageprobability", "dealstageprobability", "stageprobability"),
        "stage_entered_at": ("stageenteredat", "stageentered", "laststagechange", "stagechangedate",
                             "enteredstage", "enteredstageat", "instagesince"),
        "converted_at": ("convertedat", "converteddate", "conversiondate", "convertedon"),
        "lost_reason": ("lostreason", "closedlostreason", "lossreason", "reasonlost", "reasonforloss",
                        "disqualifiedreason", "disqualificationreason", "reason"),
        "owner": ("owner", "dealowner", "opportunityowner", "ownername", "salesagent", "salesrep", "rep",
                  "assignedto", "accountexecutive", "ae", "user", "owneremail", "hubspotowner", "leadowner"),
        "owner_handle": ("ownerhandle", "rephandle"),
        # Salesforce ids, resolved through --owners / --accounts files or --map-owner.
        "owner_id": ("ownerid", "userid", "hubspotownerid", "owneruserid"),
        "account_id": ("accountid", "companyid", "organizationid", "orgid", "associatedcompanyid"),
        "account": _ACCOUNT,
        "contact": ("contact", "contactname", "contactperson", "dealcontactperson", "person", "personname",
                    "primarycontact", "associatedcontact", "associatedcontacts", "fullname"),
        "contact_email": ("contactemail", "email", "personemail", "emailaddress", "personemailwork",
                          "contactemailaddress", "primarycontactemail", "workemail"),
        "contact_phone": ("contactphone", "phone", "personphone", "phonenumber", "personphonework", "mobile",
                          "mobilephone", "workphone", "contactphonenumber"),
        "contact_job_title": ("contactjobtitle", "jobtitle", "contacttitle", "position"),
        "source": ("source", "leadsource", "dealsource", "sourceorigin", "originalsource", "origin",
                   "originalsourcetype", "sourcechannel"),
        "territory": ("territory", "region", "salesregion", "salesterritory", "area", "market"),
        "product": ("product", "products", "productname", "series", "productline"),
    },
    ACTIVITIES: {
        "deal_external_id": _DEAL_ID,
        "deal_title": _DEAL_TITLE,
        "account": _ACCOUNT,
        # Salesforce: Type, TaskSubtype, or a custom Type__c; the most telling one wins (importer).
        "type": ("type", "activitytype", "kind", "tasksubtype", "eventtype", "engagementtype", "category",
                 "activitykind", "typec", "activitytypec", "subtype", "eventsubtype", "tasktype", "tasktypec"),
        # Not done yet (Salesforce "Not Started", "In Progress", a done flag false): an open task.
        "done": ("done", "status", "completed", "isdone", "iscompleted", "taskstatus", "state", "iscomplete",
                 "isclosed", "closed", "statusc"),
        # Salesforce: WhoId names a contact or lead; AccountId the account the row is about.
        "who_id": ("whoid", "nameid", "contactid", "leadid", "personid"),
        "account_id": ("accountid", "relatedaccountid", "companyid", "organizationid", "orgid"),
        "occurred_at": ("occurredat", "occurred", "date", "activitydate", "when", "timestamp", "datetime",
                        "donetime", "markedasdonetime", "completedat", "completedon", "completeddate", "startdate",
                        "starttime", "start", "duedate", "time", "loggedat"),
        "milestone": ("milestone", "activitymilestone"),
        "duration_min": ("durationmin", "duration", "durationminutes", "minutes", "length"),
        "outcome": ("outcome", "subject", "description", "notes", "note", "result", "summary", "comments",
                    "comment", "details", "body"),
        "rep": _REP,
        "rep_handle": ("rephandle", "ownerhandle", "userhandle"),
    },
    TASKS: {
        "deal_external_id": _DEAL_ID,
        "deal_title": _DEAL_TITLE,
        "account": _ACCOUNT,
        "title": ("title", "subject", "task", "name", "taskname", "tasktitle", "tasksubject"),
        "due": ("due", "duedate", "dueday", "deadline", "duedatetime", "date", "dueon", "remindon"),
        "done": ("done", "status", "completed", "isdone", "iscompleted", "taskstatus", "state", "iscomplete"),
        "done_at": ("doneat", "completedat", "completedon", "donetime", "markedasdonetime", "closedat",
                    "completeddate", "completiondate", "doneon"),
        "owner": ("owner",) + _REP,
        "owner_handle": ("ownerhandle", "rephandle"),
        "created_at": ("createdat", "created", "createdate", "createddate", "addtime", "adddate", "datecreated"),
    },
    NOTES: {
        "deal_external_id": _DEAL_ID,
        "deal_title": _DEAL_TITLE,
        "account": _ACCOUNT,
        "body": ("body", "note", "notes", "content", "text", "notebody", "notecontent", "description",
                 "comment", "comments", "details"),
        "created_at": ("createdat", "created", "date", "createdate", "createddate", "addtime", "adddate",
                       "timestamp", "when", "datecreated"),
        "rep": _REP,
        "rep_handle": ("rephandle", "ownerhandle", "authorhandle"),
    },
    ACCOUNTS: {
        "name": ("name", "accountname", "companyname", "organizationname", "organisationname", "organization",
                 "organisation", "company"),
        "domain": ("domain", "website", "companydomainname", "url", "web", "site", "domainname"),
    },
    CONTACTS: {
        "name": ("name", "fullname", "contactname", "personname", "contact", "person"),
        "first_name": ("firstname", "givenname"),
        "last_name": ("lastname", "surname", "familyname"),
        "email": ("email", "emailaddress", "workemail", "personemail", "contactemail", "emailwork"),
        "phone": ("phone", "phonenumber", "workphone", "mobile", "mobilephone", "personphone", "phonework"),
        "job_title": ("jobtitle", "title", "position", "role"),
        "account": _ACCOUNT,
        "account_id": ("accountid", "companyid", "organizationid", "orgid", "associatedcompanyid"),
    },
}

FIELDS[EVENTS] = {
    # What ``legwork export events`` writes: one deal's history, one event a row.
    "deal_external_id": _DEAL_ID,
    "deal_title": _DEAL_TITLE,
    "account": _ACCOUNT,
    "event_id": ("eventid",),
    "at": ("at", "when", "occurredat", "timestamp"),
    "kind": ("kind", "eventkind", "type"),
    "actor": ("actor", "rep", "who", "by", "actorname"),
    "actor_handle": ("actorhandle", "rephandle", "byhandle"),
    "data": ("data", "eventdata", "details"),
    "undoes_event_id": ("undoeseventid", "undoes", "undoesid"),
}

# Columns every kind of export carries that Legwork derives itself, and why they are left out.
_DERIVED = "Legwork works it out itself"
IGNORED: dict[str, dict[str, str]] = {
    DEALS: {
        **dict.fromkeys(("weightedvalue", "weightedamount", "expectedrevenue", "forecastamount"),
                        "Legwork weighs the value by the deal's probability"),
        "amountincompanycurrency": "a converted copy of the amount",
        **dict.fromkeys(("milestone", "nextactivitydate",
                         "updatetime", "updatedat", "lastmodifieddate", "lastmodified", "lastupdated",
                         "age", "daysinstage", "stageduration", "creator", "version"), _DERIVED),
    },
    ACTIVITIES: {
        **dict.fromkeys(("id", "activityid", "externalid", "recordid", "updatetime", "updatedat",
                         "lastmodifieddate", "addtime", "createdat", "createdate", "createddate", "systemmodstamp",
                         "lastmodifiedbyid", "createdbyid", "isdeleted"), _DERIVED),
        **dict.fromkeys(("priority", "taskpriority"), "Legwork tasks have no priority: the due day orders them"),
        **dict.fromkeys(("ownerid", "assignedtoid", "userid"),
                        "a user id of the other CRM: name the rep with a column of names or handles "
                        "(--map \"Assigned=rep\")"),
    },
    TASKS: {**dict.fromkeys(("id", "taskid", "externalid", "recordid", "updatetime", "updatedat"), _DERIVED)},
    NOTES: {**dict.fromkeys(("id", "noteid", "externalid", "recordid", "updatetime", "updatedat"), _DERIVED)},
    EVENTS: {},
    ACCOUNTS: {**dict.fromkeys(("id", "accountid", "recordid", "ownerid", "createddate", "lastmodifieddate"),
                               "accounts are known by name")},
    CONTACTS: {**dict.fromkeys(("id", "contactid", "recordid", "ownerid", "createddate", "lastmodifieddate"),
                               "contacts are known by name and account")},
}
# Prefixes exports put before a field's name ("Deal - Value", "Activity - Type").
_PREFIXES = {
    DEALS: ("deal", "opportunity", "opp", "lead"),
    ACTIVITIES: ("activity", "engagement", "event", "call"),
    TASKS: ("task", "activity", "todo"),
    NOTES: ("note",),
    EVENTS: (),
    ACCOUNTS: ("account", "company", "organization", "organisation", "org"),
    CONTACTS: ("contact", "person"),
}
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    # Each inner tuple: at least one of these fields must have a column.
    # Without a title column, a deal is titled from its account (and product).
    DEALS: (("title", "account", "account_id"),),
    ACTIVITIES: (("deal_external_id", "deal_title"), ("type",), ("occurred_at",)),
    TASKS: (("deal_external_id", "deal_title"), ("title",), ("due",)),
    NOTES: (("deal_external_id", "deal_title"), ("body",)),
    EVENTS: (("deal_external_id", "deal_title"), ("at",), ("kind",)),
    ACCOUNTS: (("name",),),
    CONTACTS: (("name", "first_name", "last_name"),),
}


@dataclass(frozen=True)
class ColumnUse:
    """One column of the file and what the import does with it."""

    column: str
    field: str | None  # None: not imported
    note: str = ""  # why not imported, "overridden by --map", "second choice for …"


@dataclass(frozen=True)
class Mapping:
    kind: str
    columns: tuple[ColumnUse, ...]
    fields: dict[str, tuple[int, ...]]  # field -> indexes of its columns, first choice first
    missing: tuple[str, ...]  # required fields with no column, as "title" or "deal_external_id or deal_title"

    def field_columns(self, field: str) -> list[str]:
        return [self.columns[i].column for i in self.fields.get(field, ())]

    def lines(self) -> list[str]:
        width = min(max((len(c.column) for c in self.columns), default=6), 40)
        out = []
        for use in self.columns:
            if use.field is None:
                why = use.note.removeprefix("ignored: ")
                target = f"not imported: {why}" if why else "not imported"
            else:
                target = f"{use.field}  ({use.note})" if use.note else use.field
            out.append(f"  {use.column[:40]:<{width}}  →  {target}")
        if self.titled_from_account:
            out.append("  (no title column: each deal is titled from its account and product, \"Acme — Fleet\")")
        return out

    @property
    def titled_from_account(self) -> bool:
        return self.kind == DEALS and "title" not in self.fields and (
            "account" in self.fields or "account_id" in self.fields)


def field_names(kind: str) -> tuple[str, ...]:
    return tuple(FIELDS[kind])


def parse_overrides(kind: str, pairs: list[str]) -> dict[str, str | None]:
    """``["Deal Size=value", "Notes=-"]`` → ``{"dealsize": "value", "notes": None}``."""
    overrides: dict[str, str | None] = {}
    known = FIELDS[kind]
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        column, field = column.strip(), field.strip().lower()
        if not sep or not column or not field:
            raise InvalidInput(f"--map {pair!r}: write it as COLUMN=FIELD, e.g. --map \"Deal Size=value\"")
        if field in (IGNORE, "ignore", "none", "skip"):
            overrides[normalise(column)] = None
            continue
        field = field.replace(" ", "_").replace("-", "_")
        if field not in known:
            raise InvalidInput(
                f"--map {pair!r}: {kind} have no field {field!r} (fields: {', '.join(known)}; '-' leaves a column out)"
            )
        overrides[normalise(column)] = field
    return overrides


def recognise(kind: str, header: str) -> tuple[str | None, str]:
    """The field a column name stands for, and a note when it is known but left out."""
    key = normalise(header)
    candidates = [key]
    for prefix in _PREFIXES[kind]:
        if key.startswith(prefix) and len(key) > len(prefix):
            candidates.append(key[len(prefix):])
    for candidate in candidates:
        for field, names in FIELDS[kind].items():
            if candidate in names:
                return field, ""
        if candidate in IGNORED[kind]:
            return None, f"ignored: {IGNORED[kind][candidate]}"
    return None, ""


def build_mapping(kind: str, headers: list[str], overrides: dict[str, str | None] | None = None) -> Mapping:
    if kind not in KINDS:
        raise InvalidInput(f"--kind {kind!r} must be one of {', '.join(KINDS)}")
    overrides = dict(overrides or {})
    normalised = [normalise(h) for h in headers]
    unknown = [column for column in overrides if column not in normalised]
    if unknown:
        raise InvalidInput(
            f"--map names no column of the file: {', '.join(repr(u) for u in unknown)} "
            f"(columns: {', '.join(headers)})"
        )
    uses: list[ColumnUse] = []
    by_map: dict[str, list[int]] = {}
    recognised: dict[str, list[int]] = {}
    for index, (header, key) in enumerate(zip(headers, normalised)):
        if key in overrides:
            field, note = overrides[key], "set by --map"
            if field is None:
                uses.append(ColumnUse(header, None, "left out by --map"))
                continue
            by_map.setdefault(field, []).append(index)
        else:
            field, note = recognise(kind, header)
            if field is None:
                uses.append(ColumnUse(header, None, note))
                continue
            recognised.setdefault(field, []).append(index)
        uses.append(ColumnUse(header, field, note))
    # A column chosen by --map comes before any recognised one.
    chosen = {f: by_map.get(f, []) + recognised.get(f, []) for f in {*by_map, *recognised}}
    # Say which column wins when several feed one field.
    final: list[ColumnUse] = []
    for index, use in enumerate(uses):
        if use.field is not None and len(chosen[use.field]) > 1 and chosen[use.field][0] != index:
            first = headers[chosen[use.field][0]]
            note = f"used when {first!r} is empty"
            use = ColumnUse(use.column, use.field, f"{use.note}; {note}" if use.note else note)
        final.append(use)
    missing = tuple(
        " or ".join(group) for group in REQUIRED[kind] if not any(field in chosen for field in group)
    )
    return Mapping(kind, tuple(final), {f: tuple(ix) for f, ix in chosen.items()}, missing)


def missing_message(mapping: Mapping, kind: str) -> str:
    parts = []
    for group in mapping.missing:
        fields = group.split(" or ")
        names = sorted({name for field in fields for name in FIELDS[kind][field][:4]})
        parts.append(f"{group} (looked for columns like {', '.join(names)})")
    return (
        f"no column for {'; '.join(parts)}: name one with --map COLUMN=FIELD"
    )
