"""Held-out domains: their functions appear only in the test split, as its unseen half.

Every concept here is its own, so these functions differ from the seen ones in domain,
function names, argument names and the words requests use (tests/test_builtin.py checks
that no argument name here is an argument name of a seen function).
"""

from __future__ import annotations

from data.builtin.actions import domain, noun, spec
from data.builtin.concepts import (
    COUNTRIES,
    choice,
    date,
    datetime_,
    email,
    flag,
    integer,
    listing,
    number,
    pattern,
    person,
    pick,
    record,
    records,
    text,
)

OBS_DATE = "YYYY-MM-DD (the evening the session starts)"

# --- observatory ---
TELESCOPE = choice(
    "telescope",
    "telescope|instrument name|scope|optical tube",
    "telescope",
    "on the {}|with the {} scope|using {}",
    "Dobson-16|refractor_A|RC-20|Schmidt_Cam|solar-H",
)
NIGHT = text(
    "night",
    "observing night|night of|session night|obs night",
    "observing night",
    "on the night of {}|the night of {}|for the evening of {}",
    date,
    hint=OBS_DATE,
)
SESSION_HOURS = number(
    "session_hours",
    "session hours|slot length|hours on sky|exposure window",
    "session length in hours",
    "for {} hours on sky|a {}-hour session|with {} hours of sky time",
    0.5,
    8,
    decimals=1,
)
FILTER = choice(
    "filter",
    "filter set|filter wheel|passband|optical filter",
    "filter",
    "through the {} filter|with {} filters|in {}",
    "Ha|OIII|LRGB|SII|clear",
)
GUIDING = flag(
    "guiding",
    "autoguide|guide camera|use guiding|tracking assist",
    "autoguiding",
    "with autoguiding|with the guide camera|guided",
    "unguided|without the guide camera|no autoguiding",
)
SKY_OBJECT = text(
    "sky_object",
    "target body|celestial object|sky target|catalog designation",
    "sky object",
    "for {}|of {}|targeting {}",
    pick("M31|Orion Nebula|Jupiter|Vega|NGC 7000|the Pleiades|Saturn|Andromeda Galaxy|M13|Betelgeuse"),
)
SITE = choice(
    "site",
    "observing site|site code|station|dome",
    "observing site",
    "from {}|at the {} site|at {}",
    "La_Palma|Atacama-2|MaunaKea|Siding Spring|Kitt_Peak",
)
MIN_ALT = integer(
    "min_alt",
    "minimum altitude|horizon limit|elevation floor|alt min deg",
    "minimum altitude",
    "above {} degrees|at least {}° up|higher than {} degrees",
    10,
    60,
    default=(20,),
)
MAGNITUDE = number(
    "magnitude",
    "apparent magnitude|brightness mag|star mag",
    "apparent magnitude",
    "of magnitude {}|at mag {}|with a magnitude of {}",
    -2,
    16,
    decimals=1,
)
APERTURE = integer(
    "aperture",
    "aperture mm|mirror diameter|lens aperture|objective mm",
    "aperture in millimetres",
    "through a {} mm aperture|with a {}mm mirror|aperture of {} mm",
    60,
    800,
)
SLOT_CODE = text(
    "slot_code",
    "slot code|booking slot|session code|reservation slot",
    "session code",
    "{}|session {}|slot {}",
    pattern("OBS-####-@", "TS/###/##"),
)
SEEING = integer(
    "seeing",
    "seeing rating|seeing|atmospheric seeing|stability score",
    "seeing rating",
    "with seeing {} out of 5|seeing {}/5|seeing of {}",
    1,
    5,
)
OBS_NOTES = text(
    "obs_notes",
    "observer remarks|log text|observation notes|journal entry",
    "observation notes",
    'remarking "{}"|writing "{}"|with the remark "{}"',
    pick(
        "Thin cirrus after midnight|Great detail in the bands|Dew on the corrector|Faint tail visible|"
        "Moon washed out the field|Transparency excellent"
    ),
)

OBSERVATORY = domain(
    "observatory",
    "observatory|astro|sky|telescopes",
    spec(
        "book",
        noun("telescope session", tokens="telescope_session|scope_time|observing_slot"),
        [TELESCOPE, NIGHT, SESSION_HOURS],
        [FILTER, GUIDING],
        vp="book telescope time|reserve a telescope session|grab observing time|schedule scope time",
    ),
    spec(
        "get",
        noun("visibility window", tokens="visibility|rise_set|object_visibility"),
        [SKY_OBJECT, NIGHT],
        [SITE, MIN_ALT],
        q="when is it visible|when can I see|how high does it get",
    ),
    spec(
        "calculate",
        noun("exposure time", tokens="exposure|exposure_time|integration_time"),
        [MAGNITUDE, APERTURE],
        [FILTER],
        q="how long should I expose|what exposure do I need",
    ),
    spec(
        "create",
        noun("observation log", tokens="observation_log|obs_log|logbook_entry"),
        [SKY_OBJECT, SEEING],
        [OBS_NOTES, TELESCOPE],
        vp="write an observing log|log an observation|add a logbook entry",
        variants=1,
    ),
    spec("cancel", noun("telescope session", tokens="telescope_session|scope_booking"), [SLOT_CODE], [], variants=1),
    spec(
        "list",
        noun("meteor shower", tokens="meteor_showers|shower_calendar"),
        [integer("obs_year", "calendar year|year of showers|for year", "year", "in {}|for {}|during {}", 2024, 2030)],
        [
            choice(
                "hemisphere",
                "hemisphere|sky half|latitude band",
                "hemisphere",
                "from the {} hemisphere|{} skies",
                "northern|Southern|both",
            )
        ],
        q="which meteor showers are there|when are the meteor showers",
    ),
)

# --- farm ---
PLOT = text(
    "plot",
    "plot|field block|parcel code|field id",
    "field plot",
    "on plot {}|in field {}|for block {}",
    pattern("F-##", "North-#", "PLOT-###@"),
)
WATER_LITRES = integer(
    "water_litres",
    "litres|water volume|irrigation litres|volume l",
    "water volume in litres",
    "with {} litres|{} L of water|using {} litres",
    100,
    20000,
    step=50,
)
VALVES = listing(
    "valves",
    "valves|valve ids|sprinkler lines|drip lines",
    "valves",
    "through valves {}|using lines {}",
    pattern("V#", "V##", "line-#"),
    count=(2, 3),
)
CROP = choice(
    "crop",
    "crop|crop kind|seed crop|cultivar group",
    "crop",
    "of {}|{}|with {}",
    "Maize|wheat|SOYBEAN|barley|Sunflower|potato",
)
DENSITY = number(
    "density",
    "seeding rate|plants per m2|sowing density|seed density",
    "seeding rate",
    "at {} seeds per square metre|a rate of {}/m²|density {}",
    5,
    400,
    decimals=1,
)
SOW_DAY = text(
    "sow_day",
    "sowing day|planting day|seeded on|drill date",
    "sowing day",
    "sown on {}|planted {}|on {}",
    date,
    hint="YYYY-MM-DD",
)
DEPTH_CM = integer(
    "depth_cm",
    "probe depth|depth cm|soil depth|sensor depth",
    "probe depth in cm",
    "at {} cm deep|{} cm down|at a depth of {} cm",
    5,
    120,
    default=(30,),
)
HARVEST_DAY = text(
    "harvest_day",
    "harvest day|cut date|harvest on|reaping day",
    "harvest day",
    "on {}|for {}|starting {}",
    date,
    hint="YYYY-MM-DD",
)
CREW = integer("crew", "crew size|workers|hands|labourers", "crew size", "with {} workers|a crew of {}|{} hands", 1, 25)
EAR_TAG = text(
    "ear_tag",
    "ear tag|animal tag|herd number|tag no",
    "ear tag",
    "{}|tag {}|animal {}",
    pattern("UK######", "IE-####-##", "NZ#####@"),
)
LIVE_KG = number(
    "live_kg",
    "live weight|kilos|body weight kg|scale reading",
    "live weight",
    "at {} kg|weighing {} kilos|{} kg on the scale",
    20,
    900,
    decimals=1,
)
FEED = choice(
    "feed",
    "feed type|ration|fodder|feed mix",
    "feed type",
    "{}|of {} feed|the {} ration",
    "silage|Hay|grain_mix|PELLETS|alfalfa",
)
TONNES = number(
    "tonnes", "tonnes|tons|load weight|amount t", "amount in tonnes", "{} tonnes of|{} t|{} tons", 0.5, 40, decimals=1
)
BARN = text(
    "barn",
    "barn|shed|feed store|silo",
    "barn",
    "for {}|to {}|delivered to {}",
    pick("Barn A|the east shed|Silo 3|Dairy Unit|Lower Barn"),
)

FARM = domain(
    "farm",
    "farm|agri|fields|agronomy",
    spec(
        "start",
        noun("irrigation run", tokens="irrigation|watering|irrigation_cycle"),
        [PLOT, WATER_LITRES],
        [VALVES],
        vp="irrigate {}|water {}|run irrigation on {}|start watering",
    ),
    spec(
        "create",
        noun("planting record", tokens="planting|sowing_record|seeding"),
        [PLOT, CROP, DENSITY],
        [SOW_DAY],
        vp="record a planting|log sowing|register a new crop|note that we sowed",
    ),
    spec(
        "get",
        noun("soil moisture", tokens="soil_moisture|moisture_reading|soil_probe"),
        [PLOT],
        [DEPTH_CM],
        q="how wet is the soil|what's the soil moisture|is the field dry",
    ),
    spec(
        "schedule",
        noun("harvest", tokens="harvest|reaping|combine_job"),
        [PLOT, HARVEST_DAY],
        [CREW],
        vp="plan the harvest|schedule harvesting|book the combine for {}",
    ),
    spec(
        "create",
        noun("weight record", tokens="livestock_weight|weigh_in|animal_weight"),
        [EAR_TAG, LIVE_KG],
        [],
        vp="record the weight|log a weigh-in|note the weight of {}",
    ),
    spec(
        "create",
        noun("feed order", tokens="feed_order|fodder_order|ration_order"),
        [FEED, TONNES],
        [BARN],
        vp="order feed|buy fodder|reorder {}",
    ),
)

# --- museum ---
EXHIBITION = text(
    "exhibition",
    "exhibition|show title|exhibit name|display",
    "exhibition",
    'of "{}"|for the {} exhibition|through "{}"',
    pick("Bronze Age Gold|Impressionist Light|Ocean Worlds|Masks of the Andes|Futures of Flight|The Silk Roads"),
)
VISITORS = integer(
    "visitors",
    "visitors|group size|headcount|party count",
    "group size",
    "for {} visitors|a group of {}|{} people in the group",
    1,
    40,
)
TOUR_DAY = text(
    "tour_day", "tour day|visit date|guided on|tour on", "tour day", "on {}|for {}|visiting {}", date, hint="YYYY-MM-DD"
)
TOUR_LANG = choice(
    "tour_lang",
    "tour language|guide language|spoken language|narration",
    "tour language",
    "in {}|with a {} guide|narrated in {}",
    "English|es|Deutsch|FR|pt|japanese",
)
CATALOGUE = text(
    "catalogue",
    "catalogue number|accession no|inventory code|object number",
    "catalogue number",
    "{}|object {}|accession {}",
    pattern("1987.###.#", "AN-#####", "LOAN/####/@@"),
)
PROVENANCE = flag(
    "provenance",
    "with provenance|include history|ownership history|chain of custody",
    "provenance",
    "with its provenance|including ownership history",
    "without provenance|skip the history",
)
INSTITUTION = text(
    "institution",
    "borrowing institution|lender|partner museum|venue museum",
    "borrowing institution",
    "to {}|for {}|by {}",
    pick("Rijksmuseum|Museo de Oro|National Gallery of Victoria|Ateneum|Palazzo Grassi|Getty Center"),
)
LOAN_FROM = text(
    "loan_from",
    "loan start|out from|dispatch day|loan begins",
    "loan start",
    "from {}|leaving on {}|starting {}",
    date,
    hint="YYYY-MM-DD",
)
LOAN_TO = text(
    "loan_to",
    "loan end|return by|due back|loan ends",
    "loan end",
    "until {}|returning {}|back by {}",
    date,
    hint="YYYY-MM-DD",
)
WING = choice(
    "wing",
    "wing|gallery wing|building|floor zone",
    "wing",
    "in the {} wing|{} wing|at {}",
    "East|west|Modern|ANCIENT|sculpture_hall",
)
ADMISSIONS = records(
    "admissions",
    "admission lines|ticket lines|passes|entries",
    "tickets",
    "{1} {0}|{1} x {0}|{0} times {1}",
    choice(
        "pass_kind", "pass kind|ticket class|visitor type", "ticket class", "{}", "adult|Child|senior|STUDENT|member"
    ),
    integer("pass_count", "how many|pass count|ticket count", "number of tickets", "{}", 1, 6),
)
CONDITION = text(
    "condition",
    "condition report|damage notes|observed condition|condition text",
    "damage description",
    'noting "{}"|reporting "{}"|: "{}"',
    pick(
        "Hairline crack on the base|Flaking varnish, lower left|"
        "Water stain on the mount|Loose thread in the hem|"
        "Chip on the rim"
    ),
)
URGENCY = choice(
    "urgency",
    "severity grade|damage level|triage|risk level",
    "severity grade",
    "rated {}|as {}|with {} severity",
    "minor|Moderate|SEVERE|critical",
)

MUSEUM = domain(
    "museum",
    "museum|gallery|collections|exhibits",
    spec(
        "book",
        noun("guided tour", tokens="guided_tour|tour|docent_tour"),
        [EXHIBITION, VISITORS, TOUR_DAY],
        [TOUR_LANG],
        vp="book a guided tour|arrange a tour|reserve a docent tour",
    ),
    spec(
        "get",
        noun("artwork record", tokens="artwork|object_record|collection_item"),
        [CATALOGUE],
        [PROVENANCE],
        vp="look up the artwork|pull the record for {}|get the collection entry for {}",
    ),
    spec(
        "create",
        noun("loan request", tokens="loan_request|artwork_loan|outgoing_loan"),
        [CATALOGUE, INSTITUTION, LOAN_FROM, LOAN_TO],
        [],
        vp="lend {}|arrange a loan of {}|request a loan of {}",
    ),
    spec(
        "list",
        noun("exhibition", tokens="exhibitions|shows|displays"),
        [WING],
        [TOUR_DAY],
        q="what exhibitions are on|what's showing",
    ),
    spec(
        "book",
        noun("admission", tokens="admission|entry_tickets|museum_tickets"),
        [ADMISSIONS, TOUR_DAY],
        [],
        vp="buy admission|get entry tickets|book admission for {}",
    ),
    spec(
        "create",
        noun("damage report", tokens="damage_report|condition_report|conservation_alert"),
        [CATALOGUE, CONDITION],
        [URGENCY],
        vp="report damage to {}|file a condition report for {}|flag damage on {}",
    ),
)

# --- legal ---
TEMPLATE = choice(
    "template",
    "agreement kind|contract template|document type|form",
    "contract type",
    "an {}|a {} agreement|using the {} template",
    "NDA|msa|Employment|lease|SaaS_terms",
)
COUNTERPARTY = text(
    "counterparty",
    "counterparty|other party|signing entity|party b",
    "counterparty",
    "with {}|for {}|between us and {}",
    pick("Northwind Traders|Contoso Ltd|Fabrikam|Globex|Litware|Alpine Ski House|Coho Winery"),
)
GOVERNING = text(
    "governing",
    "governing law|jurisdiction|applicable law|law of",
    "governing law",
    "under {} law|governed by the law of {}|in the {} jurisdiction",
    pick(COUNTRIES),
)
EFFECTIVE = text(
    "effective",
    "effective from|commencement|effective day|starts on",
    "effective date",
    "effective {}|commencing {}|starting {}",
    date,
    hint="YYYY-MM-DD",
)
CONTRACT_REF = text(
    "contract_ref",
    "contract ref|agreement id|matter document|doc ref",
    "contract reference",
    "{}|contract {}|agreement {}",
    pattern("CTR-####-##", "AGR/####", "LGL-@@-###"),
)
SIGNERS = listing(
    "signers",
    "signatories|signers|sign by|signing parties",
    "signatories",
    "to {}|for {} to sign|with signatories {}",
    email,
    count=(1, 3),
)
NUDGE_DAYS = integer(
    "nudge_days",
    "reminder interval|nudge every|chase days|follow up days",
    "reminder interval",
    "chasing every {} days|with reminders every {} days|nudging after {} days",
    1,
    14,
    default=(3,),
)
CLAUSE = text(
    "clause",
    "clause number|section ref|paragraph|article no",
    "clause",
    "clause {}|section {}|§{}",
    pattern("#.#", "##.#", "#.#.#"),
)
CLIENT = text(
    "client",
    "client legal name|prospective client|entity|party name",
    "client",
    "for {}|on {}|about {}",
    pick("Wingtip Toys|Trey Research|Humongous Insurance|Proseware|Lamna Healthcare|Margie's Travel"),
)
MATTER_TYPE = choice(
    "matter_type",
    "matter type|practice area|case kind|engagement type",
    "matter type",
    "for a {} matter|in {}|as {}",
    "litigation|M&A|employment|IP|regulatory",
)
DOCKET = text(
    "docket",
    "docket number|case number|court file|docket",
    "docket number",
    "in case {}|docket {}|{}",
    pattern("##-cv-#####", "CV-####-###", "####/@@/##"),
)
FILING = choice(
    "filing",
    "filing type|document kind|pleading|motion type",
    "filing type",
    "a {}|the {}|as a {}",
    "motion|Brief|affidavit|NOTICE|exhibit",
)
COURT = text(
    "court",
    "court|tribunal|forum|bench",
    "court",
    "with the {}|at the {}|before {}",
    pick("High Court|District Court|Court of Appeal|Labour Tribunal|Commercial Court"),
)
MATTER_CODE = text(
    "matter_code",
    "matter code|billing matter|matter no|engagement code",
    "matter code",
    "to matter {}|on {}|against {}",
    pattern("M-#####", "####-###", "@@/####"),
)
BILL_HOURS = number(
    "bill_hours",
    "billable hours|time spent|hours billed|billing units",
    "billable hours",
    "{} hours|for {} hours|{}h",
    0.1,
    12,
    decimals=1,
)
ACTIVITY = text(
    "activity",
    "work done|activity description|narrative|task narrative",
    "work description",
    'for "{}"|described as "{}"|: "{}"',
    pick(
        "Drafted reply to opposing counsel|Reviewed share purchase "
        "agreement|Call with client re settlement|Prepared witness "
        "bundle"
    ),
)

LEGAL = domain(
    "legal",
    "legal|contracts|law|counsel",
    spec(
        "create",
        noun("contract draft", tokens="contract_draft|draft_agreement|contract"),
        [TEMPLATE, COUNTERPARTY, EFFECTIVE],
        [GOVERNING],
        vp="draft {}|prepare {}|draw up {}|start a draft of {}",
    ),
    spec(
        "send",
        noun("signature request", tokens="signature_request|esign|envelope"),
        [CONTRACT_REF, SIGNERS],
        [NUDGE_DAYS],
        vp="send out for signature|get signed|request e-signatures on {}",
    ),
    spec(
        "get",
        noun("contract clause", tokens="clause|contract_clause|section_text"),
        [CONTRACT_REF, CLAUSE],
        [],
        q="what does it say in|what's the wording of",
        vp="pull the text of {}|quote {}",
    ),
    spec(
        "check",
        noun("conflict of interest", tokens="conflict_check|conflicts|coi_search"),
        [CLIENT],
        [MATTER_TYPE],
        vp="run a conflict check|screen for conflicts|check conflicts",
        gist="run conflict checks",
    ),
    spec(
        "create",
        noun("court filing", tokens="court_filing|e_filing|submission_to_court"),
        [DOCKET, FILING, COURT],
        [],
        vp="file {}|lodge {}|submit to the court",
    ),
    spec(
        "create",
        noun("time entry", tokens="billable_time|time_entry|bill_time"),
        [MATTER_CODE, BILL_HOURS],
        [ACTIVITY],
        vp="bill|record billable time|log",
        variants=1,
    ),
)

# --- laboratory ---
SPECIMEN = text(
    "specimen",
    "specimen label|sample code|tube id|barcode",
    "specimen label",
    "{}|specimen {}|tube {}",
    pattern("SPC-#####", "LAB-##-####", "@@####"),
)
SAMPLE_KIND = choice(
    "sample_kind",
    "sample matrix|material|specimen type|matrix",
    "sample matrix",
    "of {}|{} sample|as {}",
    "Blood|saliva|TISSUE|soil|water|urine",
)
STORAGE_C = number(
    "storage_c",
    "storage temperature|freezer temp|keep at|storage celsius",
    "storage temperature",
    "at {} °C|stored at {} degrees|kept at {}C",
    -196,
    8,
    decimals=1,
)
RACK = text(
    "rack",
    "rack position|freezer slot|rack|shelf slot",
    "rack position",
    "in rack {}|slot {}|at {}",
    pattern("R#-B#-##", "F#/S#/P##"),
)
ASSAY = choice(
    "assay",
    "assay panel|test panel|assay|method",
    "assay panel",
    "a {} assay|{} panel|the {} test",
    "ELISA|qPCR|mass_spec|HPLC|Western",
)
REPLICATES = integer(
    "replicates",
    "replicates|repetitions|technical replicates|runs",
    "number of replicates",
    "in {} replicates|with {} repeats|{}x",
    1,
    6,
    default=(3,),
)
INSTRUMENT = choice(
    "instrument",
    "instrument|apparatus|equipment|device id",
    "instrument",
    "on the {}|the {}|using {}",
    "confocal_1|FACS-Aria|NMR 600|Cryo-EM|sequencer_B",
)
SESSION_START = text(
    "session_start",
    "session begins|booked from|start slot|from time",
    "session start",
    "from {}|starting {}|beginning {}",
    datetime_,
    hint="ISO 8601 date and time",
)
SESSION_LEN = number(
    "session_len",
    "session length|booked hours|duration h|hours needed",
    "session length in hours",
    "for {} hours|{} h|lasting {} hours",
    0.5,
    12,
    decimals=1,
)
RUN_ID = text(
    "run_id",
    "run id|assay run|batch run|job ref",
    "run ID",
    "{}|run {}|batch {}",
    pattern("RUN-######", "B###-##", "Q-@@@@-##"),
)
DISPOSAL = choice(
    "disposal",
    "disposal reason|discard reason|why discarded",
    "disposal reason",
    "because it's {}|as {}|reason {}",
    "expired|contaminated|Consent_withdrawn|depleted",
)
REAGENT = text(
    "reagent",
    "catalog no|reagent code|supplier part|cat number",
    "reagent catalogue number",
    "{}|reagent {}|part {}",
    pattern("AB####-###", "#####-##@", "SIG-@####"),
)
BOTTLES = integer(
    "bottles", "bottles|packs|units ordered|vials", "number of bottles", "{} bottles of|{} packs of|{} vials of", 1, 20
)
SUPPLIER = choice(
    "supplier",
    "supplier|vendor|distributor|source vendor",
    "supplier",
    "from {}|via {}|through {}",
    "Sigma|thermo|VWR|abcam|NEB",
)

ALIQUOTS = records(
    "aliquots",
    "aliquots|split volumes|portions",
    "aliquots",
    "{0} µl into {1}|{0} µl in tube {1}",
    integer("aliquot_ul", "microlitres|volume ul|ul", "volume in µl", "{}", 10, 900, step=10),
    text("aliquot_tube", "tube|vial|cryotube", "tube", "{}", pattern("T-###", "CRY-####")),
    count=(1, 3),
)
LAB = domain(
    "lab",
    "lab|lims|samples|bench",
    spec(
        "create",
        noun("sample registration", tokens="sample|specimen|sample_intake"),
        [SPECIMEN, SAMPLE_KIND, STORAGE_C],
        [RACK, ALIQUOTS],
        vp="register a sample|log a specimen|check in a sample|accession {}",
    ),
    spec(
        "start",
        noun("assay run", tokens="assay|assay_run|test_run"),
        [SPECIMEN, ASSAY],
        [REPLICATES],
        vp="run an assay on {}|start testing|process {}",
    ),
    spec(
        "book",
        noun("instrument session", tokens="instrument_time|instrument_booking|equipment_slot"),
        [INSTRUMENT, SESSION_START, SESSION_LEN],
        [],
        vp="book instrument time|reserve the instrument|get time on {}",
    ),
    spec(
        "get",
        noun("assay result", tokens="assay_results|run_results|readout"),
        [RUN_ID],
        [],
        q="what came out of|what are the results of",
    ),
    spec(
        "delete",
        noun("sample", tokens="sample|specimen"),
        [SPECIMEN, DISPOSAL],
        [],
        vp="dispose of {}|discard {}|destroy {}",
        gist="dispose of samples",
    ),
    spec(
        "create",
        noun("reagent order", tokens="reagent_order|consumables|purchase_request"),
        [REAGENT, BOTTLES],
        [SUPPLIER],
        vp="order {}|restock {}|requisition {}",
    ),
)

# --- marina ---
VESSEL = text(
    "vessel",
    "vessel name|boat name|yacht|craft",
    "boat name",
    '"{}"|the boat {}|the yacht "{}"',
    pick("Sea Breeze|Albatross II|Marlin|Nordlys|Blue Heron|Moana|Stella Maris|Kestrel"),
)
LOA = number(
    "loa",
    "length overall|loa metres|hull length|boat length",
    "length overall",
    "{} m long|of {} metres|with a length of {} m",
    5,
    40,
    decimals=1,
)
ARRIVAL = text(
    "arrival",
    "arriving on|eta day|berth from|arrival day",
    "arrival day",
    "arriving {}|from {}|coming in on {}",
    date,
    hint="YYYY-MM-DD",
)
MOORED = integer(
    "moored",
    "nights moored|stopover length|berth nights|moored for",
    "number of nights moored",
    "for {} nights alongside|staying {} nights on the berth|{} nights moored",
    1,
    30,
)
PONTOON = text(
    "pontoon",
    "pontoon|berth code|mooring|slip",
    "berth",
    "at {}|on pontoon {}|berth {}",
    pattern("A-##", "Pontoon #/##", "S##"),
)
FUEL = choice(
    "fuel", "fuel grade|fuel|fuel kind|bunker type", "fuel grade", "{}|of {}|with {} fuel", "diesel|Petrol|HVO|ULSD"
)
LITRES = integer(
    "litres",
    "litres of fuel|fuel litres|volume to pump|quantity l",
    "litres",
    "{} litres|{} L|about {} litres",
    20,
    3000,
    step=10,
)
HARBOUR = text(
    "harbour",
    "harbour|port of call|haven|anchorage",
    "harbour",
    "in {}|at {}|for {}",
    pick("Falmouth|Cascais|Horta|Kiel|Brixham|Port Louis|Split|Ushuaia"),
)
TIDE_DAY = text(
    "tide_day", "tide day|for day|tides on|tidal date", "tide day", "on {}|for {}|tides on {}", date, hint="YYYY-MM-DD"
)
HULL = text(
    "hull",
    "hull id|hin|hull number|registration mark",
    "hull number",
    "with hull id {}|hull {}|HIN {}",
    pattern("@@@#####@###", "GB-@@@-#####"),
)
SKIPPER = text(
    "skipper", "skipper|owner of record|master|captain", "skipper", "skippered by {}|owned by {}|captain {}", person
)
WORKS = listing(
    "works",
    "yard works|haul out jobs|services|maintenance items",
    "yard works",
    "for {}|to do {}|including {}",
    pick("antifouling|polishing|anode change|rudder check|propeller clean|hull survey"),
    count=(1, 3),
)
HAUL_DAY = text(
    "haul_day",
    "lift day|haul out on|crane day|out of water on",
    "lift day",
    "on {}|for {}|lifting on {}",
    date,
    hint="YYYY-MM-DD",
)
INCIDENT = text(
    "incident",
    "incident details|what happened|occurrence|report text",
    "incident details",
    'describing "{}"|saying "{}"|: "{}"',
    pick("Fender torn loose in the gust|Diesel sheen near the slip|Shore power tripping|Dinghy drifting untied"),
)

OWNER = record(
    "owner",
    "owner contact|registered keeper|keeper details",
    "owner's contact",
    "owned by {0} (tel. {1})|with keeper {0}, phone {1}",
    text("keeper_name", "keeper|keeper name|legal holder", "owner's name", "{}", person),
    text(
        "keeper_tel",
        "telephone|tel|keeper phone",
        "owner's telephone",
        "{}",
        pattern("+351 9## ### ###", "+44 7### ######", "+33 6 ## ## ## ##"),
    ),
    bare="{0}, {1}",
)
MARINA = domain(
    "marina",
    "marina|harbour|berths|moorings",
    spec(
        "book",
        noun("berth", tokens="berth|mooring|visitor_berth"),
        [VESSEL, LOA, ARRIVAL],
        [MOORED],
        vp="book a berth for {}|reserve a mooring for {}|find a visitor berth for {}",
    ),
    spec(
        "create",
        noun("fuel delivery", tokens="fuel_delivery|bunkering|fuel_request"),
        [PONTOON, FUEL, LITRES],
        [],
        vp="get fuel delivered to {}|order fuel for {}|send the fuel barge to {}",
    ),
    spec(
        "get",
        noun("tide table", tokens="tides|tide_table|tide_times"),
        [HARBOUR],
        [TIDE_DAY],
        q="when is high water|what are the tides|when is low tide",
    ),
    spec(
        "create",
        noun("vessel registration", tokens="vessel|boat_registration|register_vessel"),
        [VESSEL, HULL],
        [SKIPPER, OWNER],
        vp="register the boat|add the vessel|enrol the yacht",
    ),
    spec(
        "schedule",
        noun("haul-out", tokens="haul_out|boat_lift|crane_slot"),
        [VESSEL, HAUL_DAY],
        [WORKS],
        vp="haul out {}|lift out {}|book the crane for {}",
    ),
    spec(
        "create",
        noun("incident report", tokens="incident|marina_incident|harbour_report"),
        [PONTOON, INCIDENT],
        [URGENCY],
        vp="report an incident at {}|log a problem on {}|raise an issue at {}",
    ),
)

UNSEEN_DOMAINS = (OBSERVATORY, FARM, MUSEUM, LEGAL, LAB, MARINA)
