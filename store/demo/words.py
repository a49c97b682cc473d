"""Words the demo team is built from: people, companies, products, and what
reps write after calls, meetings and lost deals. Data only."""

MANAGER = ("morgan", "Morgan Blake", "America/New_York", "North America", 12)
TEAM = (
    # handle, name, timezone, territory, capacity
    ("alex", "Alex Kim", "America/New_York", "North America", 12),
    ("priya", "Priya Nair", "Europe/London", "EMEA", 12),
    ("sam", "Sam Okafor", "America/Chicago", "North America", 12),
    ("jordan", "Jordan Lee", "Australia/Sydney", "APAC", 12),
    ("lena", "Lena Fischer", "Europe/Berlin", "EMEA", 10),
    ("diego", "Diego Santos", "Europe/Madrid", "EMEA", 12),
)
# The demo's teams: name, office, region (North America's reps are the Americas' team).
DEMO_TEAMS = (
    ("Americas", "New York", "Americas"),
    ("International", "London", "International"),
)
# More reps for bigger teams: (timezone, territory), cycled.
EXTRA_ZONES = (
    ("America/New_York", "North America"),
    ("Europe/London", "EMEA"),
    ("America/Chicago", "North America"),
    ("Europe/Berlin", "EMEA"),
    ("Asia/Singapore", "APAC"),
    ("America/Toronto", "North America"),
    ("Europe/Paris", "EMEA"),
    ("Australia/Sydney", "APAC"),
)
REP_FIRST = (
    "Casey", "Riley", "Noor", "Mateo", "Hana", "Theo", "Ines", "Kofi", "Maya", "Jonah", "Leila", "Ruben",
    "Signe", "Tariq", "Wen", "Ada", "Bruno", "Carmen", "Dev", "Elif", "Finn", "Greta", "Hugo", "Isla",
)
REP_LAST = (
    "Morales", "Berg", "Chowdhury", "Duarte", "Eriksen", "Fontaine", "Grant", "Hale", "Ito", "Jovanovic",
    "Keller", "Lund", "Mbeki", "Nolan", "Ortiz", "Pereira", "Quist", "Rahman", "Sousa", "Tan",
)
DOMAIN_BY_ZONE = {
    "Europe/London": ".co.uk",
    "Europe/Berlin": ".de",
    "Europe/Madrid": ".es",
    "Europe/Paris": ".fr",
    "Australia/Sydney": ".com.au",
    "Asia/Singapore": ".com.sg",
}
PHONE_BY_ZONE = {
    # Fictional or drama ranges where a country has one.
    "Europe/London": "+44 20 7946 0{:03d}",
    "Europe/Berlin": "+49 30 5550 {:04d}",
    "Europe/Madrid": "+34 91 555 {:04d}",
    "Europe/Paris": "+33 1 99 00 {:04d}",
    "Australia/Sydney": "+61 2 5550 {:04d}",
    "Asia/Singapore": "+65 6555 {:04d}",
}
NA_AREAS = ("212", "646", "312", "617", "415", "512", "303", "206", "404", "718")

PRODUCTS = ("Telematics", "Field Service", "Scheduling", "Analytics", "Payments")
# product: (typical value in dollars, title phrases)
PRODUCT_DEALS = {
    "Telematics": (
        32_000,
        ("fleet telematics rollout", "vehicle tracking for {n} vans", "telematics pilot", "driver safety scoring",
         "fuel and route reporting"),
    ),
    "Field Service": (
        26_000,
        ("field service app rollout", "work order digitisation", "mobile job sheets for {n} engineers",
         "field service pilot", "inspections app"),
    ),
    "Scheduling": (
        15_000,
        ("shift scheduling rollout", "staff rota replacement", "online booking and reminders",
         "scheduling for {n} sites", "scheduling pilot"),
    ),
    "Analytics": (
        20_000,
        ("operations dashboards", "analytics add-on", "KPI reporting rollout", "board reporting pack"),
    ),
    "Payments": (
        11_000,
        ("invoicing and card payments", "payments integration", "automated invoicing", "payment links pilot"),
    ),
}
# suffix, slug, what a case study is about, products they buy, what they count
INDUSTRIES = (
    ("Logistics", "logistics", "logistics", ("Telematics", "Analytics", "Field Service"), "vans"),
    ("Freight", "freight", "freight", ("Telematics", "Analytics"), "trucks"),
    ("Dental Group", "dental", "dental", ("Scheduling", "Payments", "Analytics"), "clinics"),
    ("Veterinary Clinics", "vets", "veterinary", ("Scheduling", "Payments"), "clinics"),
    ("Home Care", "homecare", "home care", ("Scheduling", "Field Service"), "carers"),
    ("Construction", "construction", "construction", ("Field Service", "Telematics", "Scheduling"), "sites"),
    ("Plumbing & Heating", "plumbing", "trades", ("Field Service", "Scheduling", "Payments"), "engineers"),
    ("Facilities", "facilities", "facilities", ("Field Service", "Scheduling", "Analytics"), "sites"),
    ("Foods", "foods", "food distribution", ("Telematics", "Analytics"), "vans"),
    ("Hospitality", "hospitality", "hospitality", ("Scheduling", "Payments", "Analytics"), "venues"),
    ("Property Management", "property", "property", ("Field Service", "Payments"), "buildings"),
    ("Energy", "energy", "energy", ("Field Service", "Analytics", "Telematics"), "engineers"),
    ("Manufacturing", "mfg", "manufacturing", ("Analytics", "Field Service"), "plants"),
    ("Landscaping", "landscaping", "landscaping", ("Field Service", "Scheduling", "Telematics"), "crews"),
    ("Electrical", "electrical", "trades", ("Field Service", "Scheduling"), "engineers"),
    ("Distribution", "distribution", "distribution", ("Telematics", "Analytics"), "depots"),
    ("Health", "health", "healthcare", ("Scheduling", "Payments", "Analytics"), "clinics"),
    ("Retail", "retail", "retail", ("Scheduling", "Analytics", "Payments"), "stores"),
)
COMPANY_WORDS = (
    "Northwind", "Bluepeak", "Ironbridge", "Silverline", "Cedarbrook", "Harborview", "Redwood", "Summit",
    "Brightwater", "Keystone", "Granite", "Oakridge", "Lakeshore", "Pinecrest", "Riverbend", "Stonegate",
    "Westfield", "Evergreen", "Copperleaf", "Falconer", "Meridian", "Horizon", "Clearwater", "Maplewood",
    "Highland", "Juniper", "Atlas", "Beacon", "Crescent", "Fairview", "Greenfield", "Ashford", "Brookline",
    "Larkspur", "Windmere", "Tidewater", "Ridgeway", "Sunmill", "Kestrel", "Alderton", "Bramble", "Corbel",
    "Driftwood", "Elmstead", "Foxhollow", "Goldcrest", "Hollybank", "Ivywood", "Lindenhall", "Marlow",
)
COMPANY_MIDDLE = (
    "Coastal", "Metro", "United", "Pacific", "Alpine", "Prime", "First", "National", "Valley", "Central",
    "Premier", "Heritage", "Pioneer", "Regional", "Capital", "Harbour", "Union", "Royal", "Civic", "Allied",
)
CONTACT_FIRST = (
    "Dana", "Marcus", "Aisha", "Tom", "Sofia", "Liam", "Mei", "Rahul", "Elena", "Kwame", "Hannah", "Mateo",
    "Chloe", "Yuki", "Omar", "Grace", "Lukas", "Fatima", "Ben", "Isabel", "Noah", "Ana", "Ravi", "Julia",
    "Kenji", "Zoe", "Felix", "Nadia", "Oscar", "Leah", "Arjun", "Emma", "Tariq", "Ingrid", "Pablo", "Sarah",
    "Amara", "Ethan", "Clara", "Daniel", "Mia", "Jonas", "Layla", "Victor", "Nina", "Samuel", "Aiko",
    "Patrick", "Rosa", "Olivia", "Karim", "Freya", "Andre", "Lucy", "Malik", "Eva", "Tobias", "Siobhan",
)
CONTACT_LAST = (
    "Walsh", "Chen", "Okoye", "Fischer", "Patel", "Moreau", "Novak", "Rossi", "Tanaka", "Brennan", "Silva",
    "Haddad", "Kowalski", "Lindqvist", "Murphy", "Nguyen", "Schmidt", "Garcia", "Adeyemi", "Johansson",
    "Kapoor", "Bauer", "O'Neill", "Ramirez", "Sato", "Dubois", "Mensah", "Hoffmann", "Costa", "Park",
    "Jensen", "Ali", "Byrne", "Romero", "Kato", "Weber", "Osei", "Larsen", "Mehta", "Fernandes", "Gallagher",
    "Wong", "Schneider", "Alvarez", "Nakamura", "Petrov", "Quinn", "Reyes", "Suzuki", "Vogel", "Yilmaz",
    "Zhang", "Carter", "Hughes", "Bennett", "Foster", "Coleman", "Hayes", "Ellis", "Van der Berg",
)
JOB_TITLES = (
    "Head of Operations", "Operations Manager", "COO", "VP Operations", "Fleet Manager", "Practice Manager",
    "IT Director", "Office Manager", "Finance Director", "Procurement Lead", "General Manager",
    "Service Manager", "Managing Director",
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

LEAD_SOURCES = (("Inbound", 35), ("Outbound", 33), ("Event", 15), ("Referral", 9), ("Partner", 8))
OPP_SOURCES = (("Inbound", 28), ("Referral", 24), ("Outbound", 22), ("Partner", 15), ("Event", 11))

# Activities: one-line outcomes, by what the activity was.
EMAIL_NURTURE = (
    "Sent intro email on {product} for {industry} teams",
    "Sent follow-up email: no reply yet",
    "Shared a {industry} case study",
    "Sent invite to the {product} webinar",
    "Forwarded the pricing one-pager on request",
    "Sent a two-minute video walkthrough of {product}",
)
ATTEMPT_EMAIL = (
    "Sent intro email on {product} for {industry} teams",
    "Sent follow-up email: no reply yet",
    "Sent a two-minute video walkthrough of {product}",
    "Sent invite to the {product} webinar",
)
INBOUND_REPLY = (
    "Replied to their demo request with meeting times",
    "Answered their website enquiry and sent a short deck",
)
CALL_NO_ANSWER = (
    "No answer, left voicemail",
    "No answer; sent a LinkedIn note instead",
    "Reception says {first} is out until next week",
    "Straight to voicemail",
)
CALL_CONNECT = (
    "Connected with {first}: open to an intro meeting",
    "Quick call: {first} asked for an overview deck",
    "Spoke to {first}: reviewing options for {product}",
    "Connected: {first} owns ops tooling and is interested",
)
CALL_NURTURE = (
    "Call with {first}: walked through the overview deck",
    "Talked timing with {first}: budget review next month",
    "{first} asked for a pricing ballpark; shared our ranges",
    "Call with {first}: looping in their operations lead",
)
NURTURING_TOUCH = (
    "Sent the {industry} newsletter and a customer story",
    "Checked in: still no budget until next quarter",
    "Shared the new {product} release notes",
    "Invited {first} to the customer roundtable",
    "Checked in: their project is still on hold",
)
RAPPORT = (
    "Intro meeting: walked {first} through {product}, good fit",
    "First meeting with {first}: {n} {unit}, spreadsheets today",
    "Intro meeting went well: discovery session agreed with their team",
    "Met {first} ({title}): keen to see it with their own data",
)
DISCOVERY = (
    "Discovery with {first} and team: {n} {unit}, manual work is the pain",
    "Discovery: current tool renews in {month}, budget sits with finance",
    "Discovery deep dive: double data entry across three systems",
    "Discovery: about {pct}% of admin time goes on rework",
)
FINDINGS = (
    "Presented findings: about {pct}% fewer admin hours on their numbers",
    "Findings session and tailored demo: success criteria agreed",
    "Walked {first} through the findings; finance joins next time",
    "Findings review: pilot scope agreed for {n} {unit}",
)
PROPOSAL = (
    "Presented proposal: {value}, {term}-year term",
    "Proposal walkthrough with {first} and finance: {value}",
    "Presented the {product} proposal for {n} {unit}",
)
FOLLOW_UP_EMAIL = (
    "Sent recap and next steps",
    "Answered integration questions from their IT team",
    "Sent the security questionnaire answers",
    "Put {first} in touch with a reference customer",
    "Confirmed the agenda for the next meeting",
    "Sent the pilot plan and timeline",
    "Shared a {industry} customer story with {first}",
    "Sent an ROI worksheet with their numbers filled in",
)
FOLLOW_UP_CALL = (
    "Check-in call with {first}: still on track",
    "Call with their IT lead about integrations",
    "Quick call with {first} to confirm next steps",
    "{first} called with questions about the rollout",
    "Call with {first}: internal review under way",
    "Reference call with an existing customer went well",
)
NEGOTIATION_EMAIL = (
    "Their legal team sent redlines on the MSA",
    "Sent the revised order form",
    "Procurement asked for a final best price",
    "Sent the mutual action plan with signing dates",
    "Filled in their vendor onboarding forms",
)
NEGOTIATION_CALL = (
    "Pricing call with {first}: asked for a multi-year discount",
    "Call with their finance director about payment terms",
    "Call with their legal team on liability caps: agreed",
    "{first} confirmed budget sign-off is in progress",
    "Walked procurement through the order form",
)
WON_TOUCH = (
    "Order form signed: {term}-year term",
    "Signed! {first} booked the onboarding kickoff",
    "Countersigned contract received from {first}",
)
LOST_TOUCH = {
    "Lost to competitor": "{first} told us they went with another vendor",
    "Price": "Over budget: they asked for 30% off and we declined",
    "No decision": "Project shelved after their reorganisation",
    "Timing": "{first} pushed the project to next fiscal year",
    "Went dark": "No reply to the last three emails and calls",
    "No budget": "Budget frozen for the rest of the year",
}
DISQUALIFIED_TOUCH = {
    "Unreachable": "Sixth attempt with no response: closing this out",
    "Not a fit": "Too small for us: only {small} {unit}",
    "Duplicate": "Already being worked under another contact",
    "Wrong contact": "{first} has left {company}; nobody else named",
    "No budget": "No budget this year and nothing planned",
}
# Lost reasons that fit where a deal stopped (weights; labels missing from the
# team's lost reasons are skipped).
LEAD_REASONS = (
    {"Duplicate": 3, "Not a fit": 3, "Wrong contact": 2},
    {"Unreachable": 6, "Wrong contact": 2, "Not a fit": 1},
    {"Not a fit": 4, "No budget": 3, "Unreachable": 1},
    {"No budget": 3, "Unreachable": 2, "Not a fit": 2},
)
OPP_REASONS = (
    {"No decision": 3, "Timing": 3, "Went dark": 3, "No budget": 2},
    {"Lost to competitor": 3, "No budget": 2, "Timing": 2, "Went dark": 2},
    {"Lost to competitor": 4, "Price": 3, "No decision": 2},
    {"Price": 4, "Lost to competitor": 3, "No decision": 1},
)

# Notes: the first line reads at a glance; details follow on the next lines.
NOTE_RAPPORT = (
    ("Intro with {first}: {n} {unit}, all on spreadsheets today",
     "- Decision maker: {first} ({title})\n- Current process: spreadsheets and a whiteboard\n"
     "- Timeline: wants something live by {month}"),
    ("Good first meeting: {first} sees {product} fitting their {unit}", None),
)
NOTE_DISCOVERY = (
    ("Discovery: manual work across {n} {unit} is the pain",
     "- Budget: approved for this year\n- Stakeholders: {first}, finance director, IT\n"
     "- Competition: incumbent renews in {month}"),
    ("Discovery done: clear pain, budget owner is finance", None),
)
NOTE_FINDINGS = (
    ("Findings landed: {pct}% admin time saved on their numbers",
     "Their IT lead asked about SSO and data export.\nFinance wants a business case summary."),
    ("Findings agreed; pilot success criteria written down", None),
)
NOTE_PROPOSAL = (
    ("Proposal presented: {value}, {term}-year term",
     "- Finance prefers quarterly billing\n- Their legal review takes about two weeks"),
    ("Proposal well received; {first} is taking it to the board", None),
)
NOTE_WON = (
    ("Won at {value}: {term}-year term", "- Champion: {first} ({title})\n- First wave: {n} {unit}"),
    ("Signed: {first} pushed it through procurement", None),
)
NOTE_LOST_HEAD = {
    "Lost to competitor": "Lost to a competitor",
    "Price": "Lost on price",
    "No decision": "Lost: no decision",
    "Timing": "Lost on timing",
    "Went dark": "Lost: they went dark",
    "No budget": "Lost: no budget",
}
NOTE_LOST = {
    "Lost to competitor": "They chose a cheaper tool with fewer features.\nRevisit at their renewal in 12 months.",
    "Price": "Our floor was above their budget.\nA smaller first phase might have worked.",
    "No decision": "Champion moved roles; nobody owns the project now.",
    "Timing": "Still interested; new budget year starts in {month}.",
    "Went dark": "Champion stopped replying after the proposal.",
    "No budget": "Spending freeze across the group.",
}

TASKS_LEAD = (
    ("Call {first} at {company}", "Research {company} before the first call"),
    ("Call {first} again", "Try {first} on LinkedIn"),
    ("Book an intro meeting with {first}", "Send {first} the {product} overview"),
    ("Check in with {first} about timing", "Send {first} a {industry} case study"),
)
TASKS_OPP = (
    ("Book discovery meeting with {first}", "Send {first} the discovery agenda"),
    ("Prepare findings for {company}", "Get usage numbers from {first}"),
    ("Send proposal to {first}", "Follow up on the proposal with {first}"),
    ("Chase the signed order form from {first}", "Send revised pricing to {first}"),
)
TASKS_BEFORE = {
    "rapport": "Book intro meeting with {first}",
    "discovery": "Send discovery agenda to {first}",
    "findings": "Prepare findings deck for {company}",
    "proposal": "Send proposal to {first}",
}
TASKS_EXTRA = (
    "Prep QBR deck for {company}",
    "Send case study to {first}",
    "Update mutual action plan with {first}",
    "Draft business case for {company}",
)

# Days a deal typically spends in a stage: lead stages, then opportunity stages.
LEAD_DWELL = ((1, 5), (3, 14), (4, 20), (14, 60))
OPP_DWELL = ((5, 25), (7, 30), (5, 21), (4, 21))
WORK_START, WORK_END = 8 * 60 + 30, 17 * 60 + 30  # minutes of the local day
