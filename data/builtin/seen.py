"""The domains whose functions appear in training (and in the seen half of the test split)."""

from __future__ import annotations

from data.builtin.actions import domain, noun, spec
from data.builtin.concepts import (
    AT_TIME,
    CITIES,
    CITY,
    COUNTRIES,
    CURRENCY,
    DATE,
    EMAIL,
    END_DATE,
    LANGUAGES,
    LAST,
    LIMIT,
    NOTE,
    ON_DATE,
    PERSON,
    PHONE,
    START_DATE,
    choice,
    date,
    datetime_,
    email,
    flag,
    integer,
    listing,
    money,
    number,
    pattern,
    person,
    phone,
    pick,
    postcode,
    record,
    records,
    street_address,
    text,
    url,
    username,
)

# --- messaging ---
SUBJECT = text(
    "subject",
    "subject|subject line|title|topic",
    "subject",
    'with the subject "{}"|subject "{}"|titled "{}"|about "{}"',
    pick(
        "Q3 budget review|Lunch on Friday?|Invoice 8841 overdue|Welcome to the team|Server maintenance "
        "tonight|Draft contract attached|Parking changes from Monday|Re: holiday rota|Quick favour|"
        "Minutes from today's call|New office keys|Conference travel"
    ),
)
BODY = text(
    "body",
    "body|message|text|content|message body",
    "message text",
    'saying "{}"|with the text "{}"|that says "{}"|with the message "{}"',
    pick(
        "The meeting moved to 3pm.|Please review the attached draft by Thursday.|Running 10 minutes late, "
        "sorry!|Can you send me the slides?|The build is green again.|Thanks for your help today.|"
        "Dinner is at 7, bring nothing.|Your order has shipped.|We need a decision by Monday.|"
        "Happy birthday! Have a great one."
    ),
)
CC = listing(
    "cc", "cc|copy to|cc list|carbon copy", "people to copy", "copying {}|cc {}|with {} in copy", email, count=(1, 3)
)
MAIL_PRIORITY = choice(
    "mail_priority",
    "priority|importance|urgency",
    "priority",
    "with {} priority|marked {}|priority {}",
    "High|Normal|Low",
)
FOLDER = choice(
    "folder",
    "folder|mailbox|box|label",
    "folder",
    "in {}|from the {} folder|in the {} folder",
    "Inbox|Archive|Sent|Spam|drafts|Work",
)
MAIL_QUERY = text(
    "mail_query",
    "query|search terms|keywords|q|search text",
    "search terms",
    'for "{}"|matching "{}"|containing "{}"|mentioning {}',
    pick(
        "invoice|flight confirmation|password reset|offsite agenda|tax return|lease renewal|"
        "interview schedule|shipping update|Kubernetes upgrade|quarterly report"
    ),
)
UNREAD = flag(
    "unread",
    "unread only|only unread|unread",
    "unread only",
    "that I haven't read|unread only|only the unread ones",
    "including read ones|read or unread|whether read or not",
)
MESSAGE_ID = text(
    "message_id",
    "message id|msg id|email id|id",
    "message ID",
    "{}|with id {}|number {}",
    pattern("MSG-#####", "m_########", "<####.####@mail>"),
)
SMS = text(
    "sms",
    "text|message|sms text|body",
    "text message",
    'saying "{}"|with the text "{}"|: "{}"',
    pick(
        "On my way|Call me when you land|Gate changed to B12|Code is 4471|Pick up milk please|"
        "Meeting cancelled|See you at 8|Parcel is at the neighbour's"
    ),
)
CHANNEL = text(
    "channel",
    "channel|channel name|room|chat room",
    "channel",
    "in {}|to {}|on the {} channel",
    pick("#general|#dev-ops|#random|#Design-Team|#release-2025|#support-EMEA|#marketing|#ops-alerts"),
)
THREAD = text(
    "thread",
    "thread id|thread|conversation id|parent id",
    "thread ID",
    "in thread {}|on thread {}|to {}",
    pattern("T-######", "thr_#####", "CONV-####-@@"),
)
PIN = flag(
    "pin",
    "pin|pinned|pin message",
    "pinning",
    "and pin it|pinned to the top|and pin the message",
    "without pinning it|unpinned|but don't pin it",
)
SEND_AT = text(
    "send_at",
    "send at|scheduled time|deliver at|when",
    "send time",
    "at {}|for {}|to go out at {}",
    datetime_,
    hint="ISO 8601 date and time",
)

MESSAGING = domain(
    "messaging",
    "mail|messaging|email|comms",
    spec(
        "send",
        noun("email", tokens="email|mail|message"),
        [EMAIL, SUBJECT, BODY],
        [CC, MAIL_PRIORITY],
        vp="send an email|write an email|email someone|send a mail",
    ),
    spec(
        "send",
        noun("text message", tokens="sms|text|text_message"),
        [PHONE, SMS],
        vp="send a text|send an SMS|text a message|send a text message",
    ),
    spec(
        "send",
        noun("group text", tokens="group_sms|bulk_sms|group_text"),
        [
            listing(
                "phones",
                "numbers|phone numbers|recipients|to",
                "phone numbers",
                "to {}|to the numbers {}|for {}",
                phone,
                count=(2, 3),
            ),
            SMS,
        ],
        [],
        vp="send a group text to {}|text {}|message all of {}",
    ),
    spec(
        "search",
        noun("email", tokens="emails|mail|inbox"),
        [MAIL_QUERY],
        [UNREAD, FOLDER, LIMIT],
        vp="search my email|look through my inbox|find emails|search my mailbox",
    ),
    spec("delete", noun("email", tokens="email|message"), [MESSAGE_ID], [], variants=1),
    spec(
        "send",
        noun("channel post", tokens="channel_message|post|chat_message"),
        [CHANNEL, BODY],
        [PIN],
        vp="post a message|post to the channel|send a chat message|write in the channel",
    ),
    spec(
        "schedule",
        noun("email", tokens="email|mail"),
        [EMAIL, SUBJECT, SEND_AT],
        [BODY],
        vp="schedule an email|queue an email|send an email later",
    ),
    spec(
        "create",
        noun("contact", tokens="contact|address_book_entry"),
        [PERSON, EMAIL],
        [PHONE],
        vp="add a contact|save a new contact|create a contact|add to my address book",
    ),
    spec(
        "send",
        noun("reply", tokens="reply|thread_reply|response"),
        [THREAD, BODY],
        [],
        vp="reply in the thread|post a reply|answer the thread|send a reply",
    ),
)

# --- calendar ---
EVENT_TITLE = text(
    "event_title",
    "title|event name|summary|name|subject",
    "event title",
    'called "{}"|titled "{}"|named "{}"|"{}"',
    pick(
        "Team standup|Dentist|Lunch with Priya|Quarterly review|Yoga|Parent evening|Book club|"
        "1:1 with Sven|Board meeting|Project kickoff|Haircut|Flight to Osaka|Sprint planning"
    ),
)
DURATION = integer(
    "duration",
    "duration|duration minutes|length|minutes|mins",
    "duration in minutes",
    "for {} minutes|lasting {} minutes|{} minutes long|{} min",
    15,
    240,
    step=15,
    default=(30, 60),
)
ATTENDEES = listing(
    "attendees",
    "attendees|guests|invitees|participants",
    "attendees",
    "with {}|inviting {}|and invite {}",
    email,
    count=(1, 3),
)
LOCATION = text(
    "location",
    "location|place|venue|where|room",
    "location",
    "in {}|at {}|location {}",
    pick(
        "Room 4B|the Lisbon office|Zoom|Cafe Central|Main hall|Building 7, floor 2|Teams|"
        "the community centre|HQ boardroom|Studio 3"
    ),
)
RECUR = choice(
    "recurrence",
    "repeat|recurrence|frequency|repeats",
    "recurrence",
    "repeating {}|{}|recurring {}",
    "daily|weekly|Monthly|weekdays|none",
)
EVENT_ID = text(
    "event_id",
    "event id|id|event|calendar event id",
    "event ID",
    "{}|with id {}|number {}",
    pattern("EV-#####", "evt_%%%###", "CAL-####"),
)
REMIND_MSG = text(
    "remind_msg",
    "message|reminder text|text|what|label",
    "reminder text",
    'to "{}"|saying "{}"|that says "{}"|: "{}"',
    pick(
        "take the bins out|call Mum|water the plants|submit expenses|pick up dry cleaning|renew "
        "passport|stretch|book the MOT|pay rent|reply to Kofi"
    ),
)
ORGANIZER = record(
    "organizer",
    "organizer|host|owner|organiser",
    "organizer",
    "organized by {0} ({1})|hosted by {0} at {1}|with {0}, {1} as the organizer",
    text("org_name", "name|full name|display name", "name", "{}", person),
    text("org_email", "email|email address|mail", "e-mail address", "{}", email),
    bare="{0} <{1}>",
)
TIMEZONE = choice(
    "timezone",
    "timezone|tz|time zone",
    "time zone",
    "in {} time|{} time zone|using {}",
    "UTC|Europe/Lisbon|America/Toronto|Asia/Tokyo|Africa/Nairobi|Australia/Perth",
)

CALENDAR = domain(
    "calendar",
    "calendar|cal|schedule",
    spec(
        "create",
        noun("calendar event", tokens="event|calendar_event|appointment"),
        [EVENT_TITLE, ON_DATE, AT_TIME],
        [DURATION, LOCATION, ATTENDEES, RECUR, ORGANIZER],
        vp="add an event to my calendar|put an event in my calendar|create a calendar event|schedule an event",
    ),
    spec(
        "list",
        noun("event", tokens="events|calendar_events|agenda"),
        [ON_DATE],
        [TIMEZONE],
        vp="list my events|show my calendar|show what's on my calendar|list my appointments",
        q="what's on my calendar|what do I have on|what meetings do I have",
    ),
    spec("delete", noun("event", tokens="event|calendar_event"), [EVENT_ID], [], variants=1),
    spec(
        "share",
        noun("event invitation", tokens="invite|invitation|event_invite"),
        [EVENT_ID, ATTENDEES],
        [
            flag(
                "notify",
                "notify|send email|email guests|send invites",
                "notifying",
                "and email them|with a notification",
                "silently|without notifying them",
            )
        ],
        vp="invite people to the event|add guests to {}|send invites for {}",
        gist="invite people to events",
    ),
    spec(
        "update",
        noun("event", tokens="event|appointment"),
        [EVENT_ID],
        [ON_DATE, AT_TIME, DURATION],
        vp="move the event|reschedule the event|change the event|update the appointment",
    ),
    spec(
        "create",
        noun("reminder", tokens="reminder|alert"),
        [REMIND_MSG, AT_TIME],
        [ON_DATE],
        vp="remind me|set a reminder|create a reminder|add a reminder",
    ),
    spec(
        "find",
        noun("free slot", tokens="free_slot|availability|open_time"),
        [ON_DATE, DURATION],
        [ATTENDEES],
        vp="find a free slot|find time|look for an open slot|find a gap in my calendar",
    ),
    spec(
        "share",
        noun("calendar", tokens="calendar"),
        [EMAIL],
        [
            choice(
                "cal_access",
                "access|permission|role|access level",
                "access level",
                "with {} access|as {}|giving {} rights",
                "viewer|editor|Owner|free_busy",
            )
        ],
        vp="share my calendar|give access to my calendar",
        variants=1,
    ),
)

# --- files ---
FILE_PATH = text(
    "file_path",
    "path|file path|file|filename|file name|filepath",
    "file path",
    "{}|the file {}|at {}|called {}",
    pick(
        "reports/Q3-summary.pdf|~/Documents/cv_2025.docx|data/raw/events.csv|notes/todo.md|"
        "src/App.tsx|backups/db-2025-01-31.sql.gz|photos/IMG_2044.HEIC|Invoices/INV-0042.pdf|"
        "config/settings.yaml|slides/Kickoff_v3.pptx|logs/app.log|design/Logo-Final.svg"
    ),
)
FOLDER_PATH = text(
    "folder_path",
    "folder|directory|dir|folder path|target folder|destination",
    "folder",
    "to {}|into {}|in {}|under {}",
    pick(
        "archive/2024|~/Desktop|shared/Team-Finance|projects/atlas|/mnt/backup|Photos/Holiday 2025|"
        "clients/Contoso|tmp/exports|docs/Handbook"
    ),
)
NEW_NAME = text(
    "new_name",
    "new name|rename to|name|target name",
    "new name",
    'to "{}"|as {}|to {}',
    pick(
        "final_report.pdf|budget-2025.xlsx|README.md|cover_letter_v2.docx|team-photo.jpg|"
        "notes_old.txt|Contract_SIGNED.pdf|data_clean.csv"
    ),
)
OVERWRITE = flag(
    "overwrite",
    "overwrite|replace existing|force|clobber",
    "overwrite",
    "overwriting anything there|and replace existing files|even if it exists",
    "without overwriting|but don't replace existing files|keeping existing files",
)
RECURSIVE = flag(
    "recursive",
    "recursive|include subfolders|deep|recurse",
    "recursive",
    "including subfolders|recursively|and everything below it",
    "top level only|not recursively|without subfolders",
)
SHARE_ROLE = choice(
    "share_role",
    "role|permission|access|access level",
    "permission",
    "as {}|with {} access|giving {} rights|{} only",
    "viewer|commenter|editor|Owner",
)
EXPIRES = integer(
    "expires_days",
    "expires in days|expiry days|valid days|ttl days",
    "expiry in days",
    "expiring in {} days|valid for {} days|for {} days",
    1,
    90,
    default=(7, 30),
)
FILE_QUERY = text(
    "file_query",
    "query|name contains|search|pattern|q",
    "search text",
    'matching "{}"|named like "{}"|for "{}"|containing {}',
    pick("invoice|*.csv|budget|IMG_20|contract|draft|2024|README|screenshot|*.log"),
)

FILES = domain(
    "files",
    "files|storage|drive|fs",
    spec(
        "list",
        noun("file", tokens="files|folder_contents|directory"),
        [FOLDER_PATH],
        [RECURSIVE, LIMIT],
        vp="list the files|show the files|list the contents",
    ),
    spec(
        "delete", noun("file", tokens="file"), [FILE_PATH], [], vp="delete the file|remove the file|delete {}|trash {}"
    ),
    spec(
        "delete",
        noun("batch of files", "batches of files", tokens="files|many_files|batch_files"),
        [listing("paths", "paths|files|file paths|targets", "files", "{}|the files {}", FILE_PATH.value, count=(2, 3))],
        [
            flag(
                "to_trash",
                "to trash|soft delete|move to bin|recoverable",
                "moving to the bin",
                "into the bin|to the trash|recoverably",
                "for good|permanently|skipping the bin",
            )
        ],
        vp="delete these files: {}|remove the files {}|clean up {}",
        gist="delete several files at once",
    ),
    spec(
        "create",
        noun("folder", tokens="folder|directory|dir"),
        [FOLDER_PATH],
        [],
        vp="create a folder|make a new folder|make a directory|set up a folder",
    ),
    spec(
        "update",
        noun("file name", tokens="file|file_name"),
        [FILE_PATH, NEW_NAME],
        [],
        vp="rename the file|rename {}|change the name of {}",
        gist="rename files",
    ),
    spec(
        "create",
        noun("file copy", tokens="file_copy|copy_file|duplicate"),
        [FILE_PATH, FOLDER_PATH],
        [OVERWRITE],
        vp="copy {}|copy the file|duplicate {}|make a copy of {}",
        gist="copy files",
    ),
    spec(
        "share",
        noun("file", tokens="file|document|doc"),
        [FILE_PATH, EMAIL],
        [SHARE_ROLE, EXPIRES],
        vp="share the file|share {}|give access to {}|send a share link for {}",
    ),
    spec(
        "search",
        noun("file", tokens="files|documents"),
        [FILE_QUERY],
        [FOLDER_PATH, LIMIT],
        vp="find files|search my files|look for files|search the drive",
    ),
    spec(
        "export",
        noun("folder archive", tokens="zip|archive|folder_archive"),
        [FOLDER_PATH],
        [
            choice(
                "archive_format",
                "format|archive format|type",
                "archive format",
                "as {}|in {} format|{}",
                "zip|tar.gz|7z|TAR",
            )
        ],
        vp="zip up the folder|archive the folder|compress {}",
        gist="archive folders",
    ),
)

# --- shopping ---
ORDER_ID = text(
    "order_id",
    "order id|order number|order|order no|order ref",
    "order number",
    "{}|number {}|with id {}|#{}",
    pattern("ORD-######", "A-#######", "#########", "ZX-####-@@"),
)
PRODUCT_QUERY = text(
    "product_query",
    "query|search|keywords|product|term",
    "product",
    'for "{}"|for {}|matching "{}"',
    pick(
        "wireless earbuds|trail running shoes|cast iron skillet|4K monitor|standing desk|"
        "espresso grinder|USB-C hub|rain jacket|mechanical keyboard|yoga mat|air purifier"
    ),
)
MAX_PRICE = number(
    "max_price",
    "max price|price max|budget|price limit|under",
    "maximum price",
    "under {}|for at most {}|below {}|no more than {}",
    10,
    900,
    default=(100,),
)
PRICE_RANGE = record(
    "price_range",
    "price range|price|budget range|price filter",
    "price range",
    "between {0} and {1}|from {0} to {1}|priced {0}-{1}",
    integer("price_min", "min|minimum|from|low", "lowest price", "{}", 5, 60),
    integer("price_max", "max|maximum|to|high", "highest price", "{}", 80, 900),
    bare="{0}-{1}",
)
SKU = text(
    "sku",
    "sku|product id|item id|product code|article number",
    "product code",
    "{}|item {}|product {}",
    pattern("SKU-#####", "B0#@@@@##@", "@@-####-@", "P#######"),
)
QUANTITY = integer(
    "quantity",
    "quantity|qty|count|amount|units|number of items",
    "quantity",
    "{} of|x{}|quantity {}|{} units of",
    1,
    12,
    default=(1,),
)
RETURN_REASON = choice(
    "return_reason",
    "reason|return reason|why",
    "return reason",
    "because it's {}|reason: {}|as {}",
    "damaged|wrong_item|Too small|too_large|not_needed|Other",
)
SORT = choice(
    "sort",
    "sort|sort by|order by|sorting",
    "sort order",
    "sorted by {}|by {}|ordered by {}",
    "price_asc|price_desc|Rating|newest|relevance",
)
RATING = integer("stars", "rating|stars|score|star rating", "rating", "{} stars|a {}-star rating|{} out of 5", 1, 5)
REVIEW = text(
    "review",
    "review|comment|review text|feedback",
    "review text",
    'saying "{}"|: "{}"|with "{}"',
    pick(
        "Works great, fast delivery.|Smaller than expected.|Battery lasts all day.|Stopped working "
        "after a week.|Exactly as described.|Good value for the price."
    ),
)
ADDRESS = record(
    "address",
    "address|shipping address|delivery address|ship to",
    "delivery address",
    "to {0}, {1} {2}|at {0} in {1}, postcode {2}|to the address {0}, {2} {1}",
    text("street", "street|line1|address line|street address", "street", "{}", street_address),
    text("town", "city|town|locality", "city", "{}", pick(CITIES)),
    text("zip", "postcode|zip|postal code|zip code", "postcode", "{}", postcode),
)
CART_ITEMS = records(
    "cart_items",
    "items|line items|products|cart",
    "items",
    "{1} x {0}|{1} of {0}|{0} (qty {1})",
    text("item_sku", "sku|product id|item id|id", "product code", "{}", pattern("SKU-#####", "P#######", "@@-####")),
    integer("item_qty", "quantity|qty|count", "quantity", "{}", 1, 6),
)

SHOPPING = domain(
    "shopping",
    "shop|store|ecommerce|orders",
    spec(
        "search",
        noun("product", tokens="products|catalog|items"),
        [PRODUCT_QUERY],
        [MAX_PRICE, SORT, LIMIT, PRICE_RANGE],
        vp="search the shop|find products|look for {}|search the store|shop for {}",
    ),
    spec(
        "track",
        noun("order", tokens="order|order_status"),
        [ORDER_ID],
        [],
        q="where is my order|what's the status of my order|when will my order arrive",
    ),
    spec("cancel", noun("order", tokens="order"), [ORDER_ID], [RETURN_REASON], variants=1),
    spec(
        "create",
        noun("cart item", tokens="cart_item|to_cart|basket_item"),
        [SKU],
        [QUANTITY],
        vp="add to my cart|put in my basket|add to the cart",
        gist="add items to a cart",
    ),
    spec(
        "create",
        noun("return", tokens="return|return_request|rma"),
        [ORDER_ID, RETURN_REASON],
        [NOTE],
        vp="return the order|start a return|send back the order|request a return",
    ),
    spec(
        "rate",
        noun("product", tokens="product|item"),
        [SKU, RATING],
        [REVIEW],
        vp="rate the product|leave a review for {}|review the product|give a rating to {}",
    ),
    spec(
        "create",
        noun("order", tokens="order|purchase|checkout"),
        [CART_ITEMS, ADDRESS],
        [NOTE],
        vp="place an order|order {}|buy {}|check out {}",
        gist="place orders",
    ),
    spec("get", noun("order", tokens="order|order_details|invoice"), [ORDER_ID], [], variants=1),
    spec(
        "check",
        noun("price comparison", tokens="compare_prices|price_comparison|compare"),
        [
            listing(
                "skus",
                "skus|products|product ids|items",
                "products",
                "{}|products {}|items {}",
                SKU.value,
                count=(2, 3),
            )
        ],
        [MAX_PRICE],
        vp="compare the prices of {}|compare {}|check prices for {}",
        gist="compare prices",
    ),
)

# --- shipping ---
TRACKING = text(
    "tracking",
    "tracking number|tracking id|tracking|awb|shipment id",
    "tracking number",
    "{}|number {}|with tracking number {}|#{}",
    pattern("1Z###@##########", "JD0########GB", "####-####-####", "LX#########CN"),
)
CARRIER = choice(
    "carrier",
    "carrier|courier|shipper|service provider",
    "carrier",
    "with {}|via {}|by {}|using {}",
    "ups|FedEx|DHL|usps|royal_mail|DPD|gls",
)
WEIGHT = number(
    "weight",
    "weight|weight kg|kg|package weight|mass",
    "weight in kilograms",
    "weighing {} kg|{} kg|of {} kilograms",
    0.2,
    30,
    default=(),
)
SERVICE = choice(
    "service",
    "service|service level|speed|delivery type",
    "service level",
    "by {}|{} delivery|with {} shipping|as {}",
    "standard|Express|overnight|ECONOMY|same_day",
)
SIGNATURE = flag(
    "signature",
    "signature required|require signature|signature|sign on delivery",
    "signature",
    "with signature on delivery|signature required|and require a signature",
    "no signature needed|without a signature|signature not required",
)
DIMENSIONS = record(
    "dimensions",
    "dimensions|size|box size|parcel dimensions",
    "parcel dimensions",
    "measuring {0} x {1} x {2} cm|of {0} by {1} by {2} cm|sized {0}x{1}x{2} cm",
    integer("length_cm", "length|length cm|l", "length in cm", "{}", 5, 120),
    integer("width_cm", "width|width cm|w", "width in cm", "{}", 5, 80),
    integer("height_cm", "height|height cm|h", "height in cm", "{}", 2, 80),
    bare="{0}x{1}x{2} cm",
)
PICKUP_WINDOW = choice(
    "pickup_window",
    "window|time window|pickup slot|slot",
    "pickup window",
    "in the {}|during the {}|{} slot",
    "morning|afternoon|Evening|ANY",
)
PACKAGES = integer(
    "packages",
    "packages|parcels|pieces|count|boxes",
    "number of packages",
    "{} packages|for {} parcels|{} boxes",
    1,
    20,
    default=(1,),
)
RECIPIENT = text(
    "recipient",
    "recipient|recipient name|to name|addressee|consignee",
    "recipient",
    "to {}|for {}|addressed to {}",
    person,
)

SHIPPING = domain(
    "shipping",
    "shipping|logistics|parcel|courier",
    spec(
        "track",
        noun("shipment", tokens="shipment|package|parcel"),
        [TRACKING],
        [CARRIER],
        q="where is my package|where's the parcel|what's the status of shipment",
    ),
    spec(
        "create",
        noun("shipment", tokens="shipment|label|shipping_label"),
        [RECIPIENT, ADDRESS, WEIGHT],
        [CARRIER, SERVICE, SIGNATURE, DIMENSIONS],
        vp="ship a parcel|create a shipping label|send a package|create a shipment",
    ),
    spec(
        "schedule",
        noun("pickup", tokens="pickup|collection|courier_pickup"),
        [ON_DATE, ADDRESS],
        [PICKUP_WINDOW, PACKAGES, CARRIER],
        vp="schedule a pickup|book a courier pickup|arrange a collection",
    ),
    spec(
        "calculate",
        noun("shipping cost", tokens="shipping_rate|rate|shipping_cost|quote"),
        [WEIGHT, CITY],
        [SERVICE, CARRIER],
        q="how much does it cost to ship|what would shipping cost|what's the rate to send",
    ),
    spec("cancel", noun("shipment", tokens="shipment|label"), [TRACKING], [], variants=1),
    spec(
        "update",
        noun("delivery address", tokens="delivery_address|shipment_address|redirect"),
        [TRACKING, ADDRESS],
        [],
        vp="redirect the parcel|change the delivery address|reroute the package",
    ),
)

# --- banking ---
IBAN = text(
    "iban",
    "iban|account|to account|destination account|payee account",
    "account number (IBAN)",
    "to {}|into account {}|to the account {}",
    pattern(
        "DE## #### #### #### #### ##", "GB##@@@@##############", "PT50 #### #### #### #### #### #", "NL##@@@@##########"
    ),
)
AMOUNT = number("amount", "amount|sum|value|total|amt", "amount", "of {}|for {}|amounting to {}", 5, 5000, default=())
REFERENCE = text(
    "reference",
    "reference|memo|description|payment reference|note",
    "reference",
    'with reference "{}"|memo "{}"|labelled "{}"|for "{}"',
    pick(
        "Rent March|Invoice 2231|Dinner split|Deposit|Gym membership|Birthday gift|Car repair|"
        "Flat 4B utilities|Tuition fee"
    ),
)
CARD = text(
    "card",
    "card id|card|card number|last four|card last4",
    "card",
    "ending in {}|{}|card {}",
    pattern("####", "card_######"),
)
CARD_REASON = choice(
    "card_reason",
    "reason|block reason|why",
    "reason",
    "because it was {}|as {}|reason {}",
    "lost|stolen|Damaged|suspected_fraud",
)
ACCOUNT = choice(
    "account_type",
    "account|account type|from account|source",
    "account",
    "from my {} account|from {}|out of {}",
    "checking|savings|Business|joint",
)
INVOICE = text(
    "invoice",
    "invoice id|invoice|invoice number|bill id",
    "invoice number",
    "{}|invoice {}|number {}",
    pattern("INV-####-###", "#######", "BILL-@@-####"),
)
BUDGET_CATEGORY = choice(
    "budget_category",
    "category|spending category|budget category|type",
    "category",
    "for {}|on {}|in the {} category",
    "groceries|Dining|transport|rent|entertainment|Travel",
)
MONTH = text(
    "month",
    "month|period|billing month|statement month",
    "month",
    "for {}|in {}|of {}",
    pick(*[f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]),
    hint="YYYY-MM",
)
EXPORT_FORMAT = choice(
    "export_format", "format|file format|output|as", "format", "as {}|in {}|in {} format", "pdf|CSV|xlsx|json|OFX"
)

BANKING = domain(
    "banking",
    "bank|banking|payments|finance",
    spec(
        "send",
        noun("transfer", tokens="transfer|payment|money_transfer|wire"),
        [IBAN, AMOUNT],
        [CURRENCY, REFERENCE, ACCOUNT],
        vp="transfer money|send money|make a transfer|send a payment",
    ),
    spec(
        "get",
        noun("account balance", tokens="balance|account_balance"),
        [],
        [ACCOUNT, CURRENCY],
        q="what's my balance|how much money do I have|what is the balance",
    ),
    spec(
        "cancel",
        noun("card", tokens="card|debit_card|credit_card"),
        [CARD],
        [CARD_REASON],
        vp="block my card|freeze the card|cancel the card|lock my card",
    ),
    spec(
        "pay",
        noun("invoice", tokens="invoice|bill"),
        [INVOICE],
        [AMOUNT, ACCOUNT],
        vp="pay the invoice|settle the bill|pay bill",
    ),
    spec(
        "list",
        noun("transaction", tokens="transactions|statement|history"),
        [START_DATE],
        [END_DATE, LIMIT, BUDGET_CATEGORY],
        vp="list my transactions|show my transactions|show my spending|show the payments",
    ),
    spec(
        "set",
        noun("monthly budget", tokens="budget|spending_limit|monthly_budget"),
        [BUDGET_CATEGORY, AMOUNT],
        [],
        vp="set a budget|set a spending limit|set my monthly budget",
    ),
    spec(
        "export",
        noun("statement", tokens="statement|bank_statement"),
        [MONTH],
        [EXPORT_FORMAT, ACCOUNT],
        vp="export my statement|download the statement|give me my bank statement",
    ),
    spec(
        "get",
        noun("exchange rate", tokens="exchange_rate|fx_rate|rate"),
        [
            choice(
                "base_ccy",
                "from|base|base currency|source currency",
                "source currency",
                "from {}|of {}|{}",
                "USD|EUR|GBP|JPY|CHF|CAD|AUD|INR|SEK|BRL",
            ),
            choice(
                "quote_ccy",
                "to|target|quote currency|target currency",
                "target currency",
                "to {}|into {}|in {}",
                "USD|EUR|GBP|JPY|CHF|CAD|AUD|INR|SEK|BRL",
            ),
        ],
        [ON_DATE],
        q="what's the exchange rate|how much is the rate",
    ),
)

# --- travel ---
ORIGIN = text(
    "origin",
    "origin|from|departure city|from city|departure",
    "departure city",
    "from {}|leaving {}|departing from {}|out of {}",
    pick(CITIES),
)
DESTINATION = text(
    "destination",
    "destination|to|arrival city|to city|dest",
    "destination",
    "to {}|into {}|arriving in {}|going to {}",
    pick(CITIES),
)
DEPART = text(
    "depart",
    "date|departure date|depart on|outbound date|travel date",
    "departure date",
    "on {}|departing {}|leaving on {}|for {}",
    date,
    hint=DATE,
)
RETURN_DATE = text(
    "return_date",
    "return date|return|inbound date|back on",
    "return date",
    "returning {}|coming back {}|back on {}|return {}",
    date,
    hint=DATE,
)
PASSENGERS = integer(
    "passengers",
    "passengers|adults|travellers|seats|pax",
    "number of passengers",
    "for {} passengers|{} adults|{} travellers|for {} people",
    1,
    9,
    default=(1,),
)
CABIN = choice(
    "cabin",
    "cabin|class|cabin class|fare class|seat class",
    "cabin class",
    "in {}|{} class|flying {}",
    "economy|premium_economy|Business|FIRST",
)
CHECK_IN = text(
    "check_in",
    "check in|arrival|check in date|from|start",
    "check-in date",
    "from {}|checking in {}|arriving {}|check-in {}",
    date,
    hint=DATE,
)
NIGHTS = integer(
    "nights",
    "nights|num nights|length of stay|stay nights|duration",
    "number of nights",
    "for {} nights|{} nights|staying {} nights",
    1,
    21,
)
GUESTS = integer(
    "guests",
    "guests|people|occupants|party size|adults",
    "number of guests",
    "for {} guests|{} people|for {} adults",
    1,
    8,
    default=(1, 2),
)
ROOM = choice(
    "room_type",
    "room type|room|room class|bed type",
    "room type",
    "a {} room|{} room|room type {}",
    "single|double|Twin|suite|family",
)
BOOKING_REF = text(
    "booking_ref",
    "booking reference|confirmation|booking id|pnr|reservation code",
    "booking reference",
    "{}|reference {}|with confirmation {}|booking {}",
    pattern("@@@@@@", "HB-######", "@#@#@#"),
)
FLIGHT_NO = text(
    "flight_no",
    "flight number|flight|flight id|flight code",
    "flight number",
    "{}|flight {}",
    pattern("@@###", "@@####", "@#####"),
)
CAR_CLASS = choice(
    "car_class",
    "car class|vehicle type|car type|category",
    "car class",
    "a {} car|{} class|{}",
    "compact|SUV|midsize|Luxury|van|electric",
)

TRAVEL = domain(
    "travel",
    "travel|trips|booking",
    spec(
        "search",
        noun("flight", tokens="flights|flight_search|air_fares"),
        [ORIGIN, DESTINATION, DEPART],
        [RETURN_DATE, PASSENGERS, CABIN],
        vp="find flights|search for flights|look for flights|find me a flight",
    ),
    spec(
        "book",
        noun("hotel room", tokens="hotel|hotel_room|accommodation|stay"),
        [CITY, CHECK_IN, NIGHTS],
        [GUESTS, ROOM],
        vp="book a hotel|book a hotel room|reserve a room|find me a hotel room and book it",
    ),
    spec("cancel", noun("booking", tokens="booking|reservation|trip"), [BOOKING_REF], [NOTE]),
    spec(
        "track",
        noun("flight", tokens="flight_status|flight|departure"),
        [FLIGHT_NO],
        [ON_DATE],
        q="is my flight on time|what's the status of flight|has the flight been delayed",
    ),
    spec(
        "book",
        noun("rental car", tokens="car_rental|rental_car|car|vehicle"),
        [CITY, START_DATE, END_DATE],
        [CAR_CLASS],
        vp="rent a car|book a rental car|reserve a car|hire a car",
    ),
    spec(
        "get",
        noun("visa requirement", tokens="visa_requirements|visa_info|entry_requirements"),
        [
            text(
                "passport",
                "passport country|nationality|citizenship|passport",
                "passport country",
                "with a {} passport|as a citizen of {}|holding a {} passport",
                pick(COUNTRIES),
            ),
            text(
                "visit_country",
                "destination country|country|visiting|to country",
                "destination country",
                "to {}|for {}|visiting {}",
                pick(COUNTRIES),
            ),
        ],
        [],
        q="do I need a visa|what are the visa rules|what visa do I need",
    ),
    spec(
        "check",
        noun("booking", tokens="check_in|online_checkin|flight_checkin"),
        [BOOKING_REF],
        [
            choice(
                "seat_pref",
                "seat|seat preference|seating",
                "seat preference",
                "with a {} seat|{} seat|seat {}",
                "window|aisle|Middle|any",
            )
        ],
        vp="check me in|do online check-in for {}|check in for my flight",
        gist="check in for flights",
    ),
)

# --- dining ---
RESTAURANT = text(
    "restaurant",
    "restaurant|venue|restaurant name|place|name",
    "restaurant",
    'at {}|at "{}"|{}',
    pick(
        "Chez Nous|Tasca do Chico|Sushi Kaito|The Green Fork|Osteria 21|Mama Ngozi|"
        "Le Petit Zinc|Bao House|El Farolito|Blue Lagoon Grill|Casa Lupe"
    ),
)
PARTY = integer(
    "party",
    "party size|people|guests|covers|seats",
    "party size",
    "for {}|for {} people|a table for {}|{} guests",
    1,
    12,
)
CUISINE = choice(
    "cuisine",
    "cuisine|food type|kind|style",
    "cuisine",
    "{}|serving {} food|{} cuisine",
    "italian|Japanese|mexican|Thai|indian|vegan|ETHIOPIAN",
)
DISH_ITEMS = listing(
    "dishes",
    "items|dishes|menu items|order items|food",
    "dishes",
    "{}|with {}|: {}",
    pick(
        "margherita pizza|pad thai|falafel wrap|miso soup|chicken tikka|garlic bread|caesar "
        "salad|green curry|bao buns|tiramisu|spring rolls|veggie burger"
    ),
    count=(1, 3),
)
TIP = number(
    "tip",
    "tip|tip percent|gratuity|tip pct",
    "tip",
    "with a {}% tip|tip {}%|plus {} percent tip",
    5,
    25,
    decimals=1,
    default=(10, 15),
)
DIET = listing(
    "diet",
    "dietary needs|diet|restrictions|allergies",
    "dietary needs",
    "{}|that is {}|for {} guests",
    pick("vegetarian|vegan|gluten-free|nut-free|halal|kosher|dairy-free"),
    count=(1, 2),
)

DINING = domain(
    "dining",
    "restaurants|dining|food",
    spec(
        "book",
        noun("table", tokens="table|restaurant_table|reservation"),
        [RESTAURANT, ON_DATE, AT_TIME, PARTY],
        [NOTE],
        vp="book a table|reserve a table|get us a table|make a dinner reservation",
    ),
    spec(
        "find",
        noun("restaurant", tokens="restaurants|places|eateries"),
        [CITY],
        [CUISINE, DIET, PARTY],
        vp="find a restaurant|recommend a restaurant|look for a place to eat|find restaurants",
    ),
    spec(
        "create",
        noun("food order", tokens="food_order|delivery|takeaway"),
        [RESTAURANT, DISH_ITEMS],
        [ADDRESS, TIP],
        vp="order food|order takeaway|get food delivered|place a delivery order",
    ),
    spec("cancel", noun("reservation", tokens="reservation|table_booking"), [BOOKING_REF], []),
    spec(
        "calculate",
        noun("bill split", tokens="bill_split|split|split_bill"),
        [
            number("bill_total", "total|bill|amount|bill amount", "bill total", "of {}|for {}|a {} bill", 20, 600),
            integer(
                "diners",
                "people|diners|ways|split between",
                "number of people",
                "between {}|{} ways|among {} people",
                2,
                12,
            ),
        ],
        [TIP],
        vp="split the bill|divide the bill|split a bill",
        gist="split bills",
    ),
    spec(
        "get",
        noun("menu", tokens="menu|restaurant_menu"),
        [RESTAURANT],
        [DIET],
        vp="show me the menu|get the menu|pull up the menu",
    ),
)

# --- smart home ---
ROOM_NAME = text(
    "room_name",
    "room|area|zone|room name|location",
    "room",
    "in the {}|for the {}|{}",
    pick("living room|kitchen|bedroom|Office|hallway|kids room|garage|Guest Room|patio|basement"),
)
BRIGHTNESS = integer(
    "brightness",
    "brightness|level|dim level|percent",
    "brightness",
    "to {}%|at {} percent|{}% brightness|dimmed to {}%",
    1,
    100,
    default=(100,),
)
COLOR = choice(
    "color",
    "color|colour|light color|hue",
    "colour",
    "in {}|to {}|{} light",
    "warm_white|cool_white|Red|blue|Green|amber",
)
POWER = flag(
    "power",
    "on|power|state|enabled|switch on",
    "on or off",
    "on|switched on|turned on",
    "off|switched off|turned off",
    default=(True,),
)
TEMPERATURE = number(
    "temperature",
    "temperature|temp|target temp|setpoint|degrees",
    "temperature",
    "to {} degrees|at {}°|{} degrees",
    15,
    28,
    decimals=1,
)
HVAC_MODE = choice(
    "hvac_mode", "mode|hvac mode|operation|setting", "mode", "in {} mode|on {}|{} mode", "heat|cool|AUTO|eco|fan_only"
)
DOOR = choice(
    "door", "door|lock|lock id|which door", "door", "the {} door|{} door|{} lock", "front|back|garage|Patio|side_gate"
)
SCENE = text(
    "scene",
    "scene|scene name|preset|routine",
    "scene",
    'called "{}"|the {} scene|"{}"',
    pick("Movie Night|Good Morning|Away|Dinner|Reading|Party Mode|Bedtime|Focus"),
)
CAMERA = text(
    "camera",
    "camera|camera id|cam|device",
    "camera",
    "{}|camera {}|from {}",
    pick("front-porch|Driveway|backyard_cam|nursery-2|garage|Doorbell"),
)
HOURS = integer(
    "hours",
    "hours|duration hours|last hours|hours back|window",
    "number of hours",
    "from the last {} hours|for the past {} hours|last {}h",
    1,
    48,
    default=(24,),
)
ROOMS = listing(
    "rooms",
    "rooms|areas|zones|room list",
    "rooms",
    "{}|in the {}|covering {}",
    pick("kitchen|living room|bedroom|hallway|office|bathroom|dining room|stairs"),
)
VACUUM_MODE = choice(
    "vacuum_mode",
    "mode|suction|power mode|cleaning mode",
    "cleaning mode",
    "in {} mode|{} mode|on {}",
    "quiet|standard|Turbo|mop",
)

HOME = domain(
    "home",
    "home|smart_home|iot|house",
    spec(
        "set",
        noun("lights", "lights", tokens="lights|lighting|lamp"),
        [ROOM_NAME, POWER],
        [BRIGHTNESS, COLOR],
        vp="turn the lights|switch the lights|set the lights",
    ),
    spec(
        "set",
        noun("thermostat", tokens="thermostat|temperature|climate"),
        [TEMPERATURE],
        [HVAC_MODE, ROOM_NAME],
        vp="set the thermostat|set the heating|change the temperature|make it",
    ),
    spec(
        "set",
        noun("door lock", tokens="lock|door_lock|smart_lock"),
        [
            DOOR,
            flag(
                "locked",
                "locked|lock|secure",
                "locked",
                "locked|and lock it|to locked",
                "unlocked|and unlock it|to unlocked",
            ),
        ],
        [],
        vp="set the lock on the {} door|change the lock on the {} door|set the {} door lock",
        gist="lock or unlock doors",
    ),
    spec(
        "start",
        noun("scene", tokens="scene|routine|automation"),
        [SCENE],
        [ROOM_NAME],
        vp="activate the scene|run the scene|start the routine|switch on the scene",
    ),
    spec(
        "get",
        noun("camera recording", tokens="camera_clip|recording|footage"),
        [CAMERA],
        [HOURS],
        vp="show me the footage|pull up recordings|get the camera clips|show the recordings",
    ),
    spec(
        "start",
        noun("vacuum", tokens="vacuum|robot_vacuum|cleaning"),
        [ROOMS],
        [VACUUM_MODE],
        vp="vacuum {}|start the vacuum|clean the floors|send the robot vacuum",
        gist="run the vacuum",
    ),
    spec(
        "get",
        noun("energy usage", tokens="energy_usage|power_usage|consumption"),
        [START_DATE],
        [END_DATE],
        q="how much energy did we use|what was our power consumption|how much electricity did the house use",
    ),
)

# --- media ---
ARTIST = text(
    "artist",
    "artist|band|musician|performer|artist name",
    "artist",
    "by {}|from {}|{}",
    pick(
        "Nina Simone|Daft Punk|Fleetwood Mac|Miles Davis|Radiohead|Fela Kuti|ABBA|Norah Jones|Bjork|"
        "Tame Impala|Mercedes Sosa|Ryuichi Sakamoto|Khruangbin|Ali Farka Toure"
    ),
)
TRACK = text(
    "track",
    "track|song|title|song name|track name",
    "song",
    '"{}"|the song "{}"|{}',
    pick(
        "Feeling Good|Dreams|So What|Karma Police|Dancing Queen|Harder, Better, Faster, Stronger|"
        "Water No Get Enemy|Gracias a la Vida|The Less I Know the Better|Merry Christmas Mr. Lawrence"
    ),
)
PLAYLIST = text(
    "playlist",
    "playlist|playlist name|list|collection",
    "playlist name",
    '"{}"|called "{}"|to {}|the {} playlist',
    pick("Morning Run|Focus Flow|Sunday Jazz|Road Trip 2025|Dinner Party|Sleep|Throwbacks|Gym Beast"),
)
SHUFFLE = flag(
    "shuffle",
    "shuffle|random order|shuffled",
    "shuffle",
    "shuffled|on shuffle|in random order",
    "in order|without shuffle|not shuffled",
)
SPEAKER = choice(
    "speaker",
    "device|speaker|output|room|target",
    "speaker",
    "on the {}|in the {}|on {}",
    "Kitchen|living_room|bedroom|ALL|office_speaker",
)
VOLUME = integer(
    "volume", "volume|level|vol|loudness", "volume", "at volume {}|at {}%|volume {}", 0, 100, default=(50,)
)
PODCAST = text(
    "podcast",
    "podcast|show|podcast name|series",
    "podcast",
    '"{}"|the podcast {}|{}',
    pick("Hidden Brain|The Daily|Radiolab|Darknet Diaries|99% Invisible|Planet Money|Lex Fridman|Song Exploder"),
)
EPISODES = integer(
    "episodes",
    "episodes|count|latest|number of episodes",
    "number of episodes",
    "the last {} episodes|{} episodes|latest {}",
    1,
    10,
    default=(1,),
)
MOVIE = text(
    "movie",
    "title|movie|film|movie title",
    "film title",
    '"{}"|{}|the film {}',
    pick(
        "Spirited Away|Arrival|Parasite|Amelie|City of God|The Grand Budapest Hotel|Paddington 2|Roma|"
        "Everything Everywhere All at Once|Portrait of a Lady on Fire"
    ),
)
SUBTITLES = choice(
    "subtitles",
    "subtitles|subtitle language|captions|subs",
    "subtitles",
    "with {} subtitles|subtitles in {}|{} captions",
    "en|pt-BR|es|fr|de|ja|None",
)

MEDIA = domain(
    "media",
    "music|media|player|audio",
    spec(
        "play",
        noun("song", tokens="song|track|music"),
        [TRACK],
        [ARTIST, SPEAKER, VOLUME],
        vp="play {}|put on {}|play the song|stream {}",
    ),
    spec(
        "play",
        noun("artist", tokens="artist|artist_radio|music_by"),
        [ARTIST],
        [SHUFFLE, SPEAKER],
        vp="play some music by {}|put on {}|play songs by {}|start a radio of {}",
        gist="play music by an artist",
    ),
    spec(
        "create",
        noun("playlist", tokens="playlist"),
        [PLAYLIST],
        [
            flag(
                "public",
                "public|is public|shared|visible",
                "public",
                "as a public playlist|public|visible to everyone",
                "private|as a private playlist|just for me",
            )
        ],
        vp="create a playlist|make a new playlist|start a playlist",
    ),
    spec(
        "update",
        noun("playlist", tokens="playlist_add|playlist_track|add_to_playlist"),
        [PLAYLIST, TRACK],
        [ARTIST],
        vp="add a song to the playlist|update my playlist|add a track to a playlist",
        gist="add songs to playlists",
    ),
    spec(
        "list",
        noun("podcast episode", tokens="podcast_episodes|episodes|podcast"),
        [PODCAST],
        [EPISODES],
        vp="list the episodes of {}|show me the latest episodes of {}|get new episodes of {}",
    ),
    spec(
        "play",
        noun("movie", tokens="movie|film|video"),
        [MOVIE],
        [SUBTITLES, SPEAKER],
        vp="play the movie|put on the film|stream {}|watch {}",
    ),
    spec(
        "set",
        noun("volume", tokens="volume|speaker_volume"),
        [VOLUME],
        [SPEAKER],
        vp="set the volume|turn the volume|change the volume",
    ),
)

# --- weather ---
DAYS = integer(
    "days",
    "days|num days|forecast days|horizon|days ahead",
    "number of days",
    "for {} days|over the next {} days|{}-day|for the coming {} days",
    1,
    14,
    default=(3, 7),
)
UNITS = choice(
    "units",
    "units|unit|unit system|temperature unit|scale",
    "units",
    "in {}|using {}|{} units",
    "metric|imperial|Celsius|Fahrenheit|kelvin",
)
HOURLY = flag(
    "hourly",
    "hourly|per hour|hour by hour|detailed",
    "hourly detail",
    "hour by hour|hourly|with hourly detail",
    "daily only|not hourly|per day",
)
WEATHER_CITY = text(
    "weather_city", "city|location|place|city name|where", "location", "in {}|for {}|at {}", pick(CITIES)
)
POLLEN = choice(
    "pollen_type",
    "pollen|allergen|type|pollen type",
    "pollen type",
    "{} pollen|for {}|of {}",
    "grass|tree|Weed|ragweed|all",
)
LATITUDE = number("lat", "latitude|lat|y", "latitude", "latitude {}|lat {}|{} north", -60, 70, decimals=4)
LONGITUDE = number("lon", "longitude|lon|lng|x", "longitude", "longitude {}|lon {}|{} east", -150, 170, decimals=4)

WEATHER = domain(
    "weather",
    "weather|forecast|meteo|climate",
    spec(
        "get",
        noun("current conditions", "current conditions", tokens="current_weather|weather_now|conditions"),
        [WEATHER_CITY],
        [UNITS],
        q="what's the weather like|how warm is it|is it raining|what are conditions like",
        vp="check the weather|get the current weather|tell me what the weather is doing",
    ),
    spec(
        "get",
        noun("forecast", tokens="forecast|weather_forecast|outlook"),
        [WEATHER_CITY],
        [DAYS, UNITS, HOURLY],
        q="what's the forecast|will it rain|what will the weather be",
    ),
    spec(
        "get",
        noun("air quality index", tokens="air_quality|aqi|pollution"),
        [WEATHER_CITY],
        [],
        q="how is the air quality|what's the AQI|is the air clean",
    ),
    spec(
        "get",
        noun("pollen count", tokens="pollen|pollen_count|allergy_forecast"),
        [WEATHER_CITY],
        [POLLEN, DAYS],
        q="how high is the pollen|what's the pollen count",
    ),
    spec(
        "get",
        noun("weather at coordinates", "weather at coordinates", tokens="weather_at_point|point_forecast"),
        [LATITUDE, LONGITUDE],
        [UNITS],
        q="what's the weather at|how's the weather at the point",
        gist="look up weather at coordinates",
        variants=1,
    ),
    spec(
        "list",
        noun("weather alert", tokens="weather_alerts|alerts|warnings"),
        [WEATHER_CITY],
        [
            choice(
                "severity",
                "severity|min severity|level|alert level",
                "severity",
                "of {} severity|{} or worse|level {}",
                "minor|Moderate|severe|EXTREME",
            )
        ],
        q="are there any weather warnings|any storm alerts",
    ),
)

# --- math and science ---
RADIUS = number(
    "radius",
    "radius|r|circle radius|radius length",
    "radius",
    "with radius {}|of radius {}|r = {}|radius {}",
    0.5,
    80,
    decimals=2,
)
SIDE_A = number("side_a", "a|side a|first side|leg a|width", "first side", "{}|sides {}|a = {}|width {}", 1, 60)
SIDE_B = number("side_b", "b|side b|second side|leg b|height", "second side", "and {}|by {}|b = {}|height {}", 1, 60)
MATH_UNIT = choice(
    "length_unit", "unit|units|length unit|measure", "unit", "in {}|{}|measured in {}", "cm|m|inches|ft|mm"
)
VALUES = listing(
    "values",
    "values|numbers|data|samples|series",
    "numbers",
    "{}|of {}|for {}|: {}",
    money(1, 200),
    item="number",
    count=(3, 6),
)
PRINCIPAL = number(
    "principal",
    "principal|amount|loan amount|initial|capital",
    "principal",
    "on {}|of {}|a {} loan|principal {}",
    1000,
    500000,
    decimals=0,
)
RATE = number(
    "rate",
    "rate|interest rate|annual rate|apr|pct",
    "annual interest rate",
    "at {}%|{} percent|a rate of {}%|{}% interest",
    0.5,
    12,
    decimals=2,
)
YEARS = integer(
    "years",
    "years|term|duration years|period|n years",
    "number of years",
    "over {} years|for {} years|{} years|a {}-year term",
    1,
    40,
)
COMPOUND = choice(
    "compounding",
    "compounding|frequency|compound|times per year",
    "compounding",
    "compounded {}|with {} compounding|{}",
    "annually|Monthly|quarterly|daily",
)
FROM_UNIT = choice(
    "from_unit",
    "from unit|from|source unit|unit in",
    "unit to convert from",
    "from {}|{}|in {}",
    "km|mi|kg|lb|L|gal|celsius|Fahrenheit",
)
TO_UNIT = choice(
    "to_unit",
    "to unit|to|target unit|unit out",
    "unit to convert to",
    "to {}|into {}|in {}",
    "km|mi|kg|lb|L|gal|celsius|Fahrenheit",
)
QUANTITY_VALUE = number("quantity_value", "value|amount|quantity|input", "value", "{}|of {}", 0.5, 500)
BASE_N = integer("integer_n", "n|number|value|integer|input", "number", "of {}|for {}|n = {}|{}", 2, 60)
DECIMALS = integer(
    "decimals",
    "decimals|precision|round to|digits",
    "number of decimals",
    "to {} decimals|rounded to {} places|with {} decimals",
    0,
    8,
    default=(2,),
)
PERCENT = integer("percent", "percentile|p|q|rank", "percentile", "percentile {}|p{}|percentile rank {}", 1, 99)
XS = listing(
    "xs",
    "x|x values|first series|series a",
    "first series",
    "x = {}|between {}|of {}",
    money(1, 100),
    item="number",
    count=(3, 5),
)
YS = listing(
    "ys",
    "y|y values|second series|series b",
    "second series",
    "and y = {}|and {}|against {}",
    money(1, 100),
    item="number",
    count=(3, 5),
)
MASS = number("mass", "mass|weight kg|body mass|kg", "mass in kilograms", "weighing {} kg|of {} kg|mass {}", 2, 150)
HEIGHT_M = number(
    "height_m",
    "height|height m|stature|metres tall",
    "height in metres",
    "{} m tall|with height {} m|height {}",
    1.2,
    2.1,
    decimals=2,
)
VELOCITY = number(
    "velocity", "velocity|speed|v|initial velocity", "velocity", "at {} m/s|moving at {} m/s|v = {}", 1, 300
)
ACCEL = number(
    "acceleration", "acceleration|a|accel", "acceleration", "accelerating at {} m/s²|a = {}|{} m/s^2", 0.5, 30
)
SECONDS = number("seconds", "time|t|seconds|duration", "time in seconds", "for {} seconds|over {} s|t = {}", 0.5, 120)

MATH = domain(
    "math",
    "math|calc|geometry|stats|science",
    spec(
        "calculate",
        noun("area of a circle", "areas of circles", tokens="disc_area|circle_surface"),
        [RADIUS],
        [MATH_UNIT],
        q="what's the area of a circle|how big is a circle",
    ),
    spec(
        "calculate",
        noun("hypotenuse", tokens="hypotenuse|triangle_hypotenuse"),
        [SIDE_A, SIDE_B],
        [],
        q="what's the hypotenuse of a right triangle with legs|how long is the hypotenuse for sides",
    ),
    spec(
        "calculate",
        noun("rectangle area", tokens="rectangle_area|area_rectangle"),
        [SIDE_A, SIDE_B],
        [MATH_UNIT],
        q="what's the area of a rectangle|how big is a rectangle",
    ),
    spec(
        "calculate",
        noun("standard deviation", tokens="std_dev|stdev|spread"),
        [VALUES],
        [
            flag(
                "sample",
                "sample|is sample|bessel|use sample",
                "sample",
                "as a sample|using the sample formula",
                "as a population|for the whole population",
            )
        ],
        q="what's the standard deviation",
    ),
    spec(
        "calculate",
        noun("mean", tokens="mean|average|arithmetic_mean"),
        [VALUES],
        [DECIMALS],
        q="what's the average|what is the mean",
    ),
    spec(
        "calculate",
        noun("compound interest", tokens="compound_interest|future_value|investment_growth"),
        [PRINCIPAL, RATE, YEARS],
        [COMPOUND],
        q="how much will I have|what does it grow to",
    ),
    spec(
        "calculate",
        noun("monthly loan payment", tokens="loan_payment|mortgage_payment|monthly_payment"),
        [PRINCIPAL, RATE, YEARS],
        [],
        q="what's the monthly payment|how much do I pay each month",
    ),
    spec(
        "convert",
        noun("measurement", tokens="units|unit|measurement"),
        [QUANTITY_VALUE, FROM_UNIT, TO_UNIT],
        [],
        vp="convert {}|change {}|express {}",
        q="how much is|what is",
    ),
    spec("calculate", noun("factorial", tokens="factorial|fact"), [BASE_N], [], q="what's the factorial"),
    spec("calculate", noun("median", tokens="median|middle_value"), [VALUES], [], q="what's the median"),
    spec(
        "calculate",
        noun("percentile", tokens="percentile|quantile"),
        [VALUES, PERCENT],
        [],
        q="what's the percentile|which value is at the percentile",
    ),
    spec(
        "calculate",
        noun("correlation", tokens="correlation|pearson_r|corr"),
        [XS, YS],
        [],
        q="how correlated are|what's the correlation between",
    ),
    spec(
        "check",
        noun("prime number", tokens="is_prime|primality|prime_check"),
        [BASE_N],
        [],
        q="is it prime|is this number prime",
        vp="check whether a number is prime|test primality",
    ),
    spec(
        "calculate",
        noun("body mass index", tokens="body_mass_index|bmi_score"),
        [MASS, HEIGHT_M],
        [],
        q="what's the BMI|what is my body mass index",
    ),
    spec(
        "calculate",
        noun("distance travelled", tokens="displacement|distance_travelled|kinematics_distance"),
        [VELOCITY, SECONDS],
        [ACCEL],
        q="how far does it go|what's the distance covered",
    ),
)

# --- devops ---
SERVICE_NAME = text(
    "service_name",
    "service|service name|app|application|unit",
    "service",
    "{}|the {} service|service {}",
    pick(
        "auth-api|billing-worker|nginx|payments-svc|search-indexer|redis-cache|web-frontend|"
        "Notification-Service|report-cron|gateway"
    ),
)
ENV = choice(
    "env",
    "environment|env|stage|target env|cluster",
    "environment",
    "in {}|on {}|to {}|in the {} environment",
    "prod|staging|dev|QA|eu-west-1",
)
VERSION = text(
    "version",
    "version|tag|release|image tag|ref",
    "version",
    "{}|version {}|at {}|to {}",
    pattern("v#.##.#", "#.#.#", "v#.#.#-rc#", "release-2025.##"),
)
REPLICAS = integer(
    "replicas",
    "replicas|instances|count|nodes|pods",
    "number of replicas",
    "to {} replicas|{} instances|with {} pods",
    1,
    32,
)
LOG_QUERY = text(
    "log_query",
    "query|filter|pattern|search|grep",
    "search text",
    'matching "{}"|for "{}"|containing {}',
    pick("ERROR|timeout|OutOfMemory|status=500|connection refused|NullPointerException|deadlock|rate limit"),
)
SINCE = text(
    "since", "since|from|start time|after", "start time", "since {}|from {}|after {}", datetime_, hint="ISO 8601"
)
SEVERITY = choice(
    "log_level",
    "level|severity|min level|log level",
    "log level",
    "at {} level|{} and above|level {}",
    "debug|INFO|warning|Error|critical",
)
HOST = text(
    "host",
    "host|hostname|server|machine|node",
    "host",
    "on {}|{}|host {}",
    pattern("web-##", "db-primary-#", "worker-##.internal", "ip-10-0-#-##", "edge-@@-##"),
)
PORT = integer("port", "port|port number|listen port", "port", "on port {}|port {}|:{}", 1024, 9999)
BRANCH = text(
    "branch",
    "branch|ref|git branch|source branch",
    "branch",
    "from {}|branch {}|on {}",
    pick("main|develop|feature/login-v2|release/2.4|hotfix/CVE-2025-1|Experiment_Cache"),
)
ALERT_ID = text(
    "alert_id",
    "alert id|incident id|alert|incident",
    "alert ID",
    "{}|alert {}|incident {}",
    pattern("INC-#####", "ALRT-####", "PD-@@@##"),
)

ENV_VARS = records(
    "env_vars",
    "env|env vars|environment variables|variables",
    "environment variables",
    "{0}={1}|{0} set to {1}",
    text(
        "var_name",
        "name|key|variable",
        "variable name",
        "{}",
        pick("LOG_LEVEL|FEATURE_X|MAX_WORKERS|REGION|CACHE_TTL|DB_POOL"),
    ),
    text("var_value", "value|val|setting", "value", "{}", pick("debug|true|8|eu-west-1|300|20|off")),
    count=(1, 2),
)
DEVOPS = domain(
    "devops",
    "ops|devops|infra|cloud|k8s",
    spec("restart", noun("service", tokens="service|svc|app"), [SERVICE_NAME], [ENV]),
    spec(
        "restart",
        noun("group of services", "groups of services", tokens="services|service_group|fleet"),
        [
            listing(
                "services",
                "service names|apps|targets|units",
                "services",
                "{}|the services {}",
                SERVICE_NAME.value,
                count=(2, 3),
            )
        ],
        [ENV],
        vp="restart these services: {}|bounce {}|restart {}",
        gist="restart several services",
    ),
    spec(
        "start",
        noun("deployment", tokens="deployment|deploy|release"),
        [SERVICE_NAME, VERSION],
        [ENV, ENV_VARS],
        vp="deploy {}|roll out {}|ship {}|release {}",
    ),
    spec(
        "set",
        noun("replica count", tokens="scale|replicas|scale_service"),
        [SERVICE_NAME, REPLICAS],
        [ENV],
        vp="scale {}|scale up {}|scale out {}|resize {}",
    ),
    spec(
        "search",
        noun("log", tokens="logs|log_search|log_query"),
        [LOG_QUERY],
        [SERVICE_NAME, SINCE, SEVERITY, LIMIT],
        vp="search the logs|grep the logs|find log lines|look through the logs",
    ),
    spec(
        "check",
        noun("host health", tokens="health|host_health|ping"),
        [HOST],
        [PORT],
        vp="check the health of {}|ping {}|health-check {}",
    ),
    spec(
        "start",
        noun("build", tokens="build|pipeline|ci_job"),
        [BRANCH],
        [
            flag(
                "run_tests",
                "run tests|tests|with tests|test",
                "running tests",
                "with tests|and run the tests|including tests",
                "skipping tests|without tests|no tests",
            )
        ],
        vp="run a build|trigger the pipeline|start a build|kick off CI",
    ),
    spec(
        "approve",
        noun("alert", tokens="alert|incident|ack"),
        [ALERT_ID],
        [NOTE],
        vp="acknowledge the alert|ack {}|acknowledge incident|silence the alert",
        gist="acknowledge alerts",
    ),
    spec(
        "update",
        noun("rollback", tokens="rollback|revert_deploy"),
        [SERVICE_NAME, VERSION],
        [ENV],
        vp="roll back|revert {}|downgrade {}",
        gist="roll back deployments",
    ),
)

# --- people and HR ---
EMPLOYEE = text(
    "employee",
    "employee id|employee|staff id|emp id|worker id",
    "employee ID",
    "{}|employee {}|for {}",
    pattern("E#####", "EMP-####", "%%######"),
)
LEAVE_TYPE = choice(
    "leave_type",
    "leave type|type|kind|absence type",
    "leave type",
    "{} leave|as {}|{}",
    "annual|sick|Parental|unpaid|study",
)
DEPARTMENT = choice(
    "department",
    "department|dept|team|unit",
    "department",
    "in {}|to {}|for the {} team",
    "Engineering|sales|Finance|HR|support|Marketing|legal",
)
JOB_TITLE = text(
    "job_title",
    "title|job title|role|position",
    "job title",
    'as {}|for a "{}"|role {}',
    pick(
        "Data Analyst|Senior Backend Engineer|Office Manager|UX Researcher|Account Executive|"
        "QA Lead|Payroll Specialist|Site Reliability Engineer"
    ),
)
SALARY = number(
    "salary",
    "salary|annual salary|base pay|compensation",
    "salary",
    "at {}|paying {}|with a salary of {}",
    30000,
    180000,
    decimals=0,
)
HOURS_WORKED = number(
    "hours_worked", "hours|hours worked|time|logged hours", "hours", "{} hours|for {} hours|{}h", 0.5, 12, decimals=1
)
PROJECT_CODE = text(
    "project_code",
    "project|project code|cost center|code",
    "project code",
    "on {}|to {}|project {}",
    pattern("PRJ-###", "@@-####", "CC####"),
)

HR = domain(
    "hr",
    "hr|people|workforce|staff",
    spec(
        "create",
        noun("leave request", tokens="leave_request|time_off|absence"),
        [START_DATE, END_DATE],
        [LEAVE_TYPE, NOTE],
        vp="request time off|book leave|ask for leave|submit a leave request",
    ),
    spec(
        "get",
        noun("employee profile", tokens="employee|employee_profile|staff_member"),
        [EMPLOYEE],
        [],
        vp="look up the employee|get the profile of {}|show me the employee",
    ),
    spec(
        "create",
        noun("job posting", tokens="job_posting|job|vacancy|opening"),
        [JOB_TITLE, DEPARTMENT],
        [SALARY, CITY],
        vp="post a job|open a vacancy|create a job posting|advertise a role",
    ),
    spec(
        "create",
        noun("timesheet entry", tokens="timesheet_entry|time_entry|hours"),
        [PROJECT_CODE, HOURS_WORKED],
        [ON_DATE, NOTE],
        vp="log hours|log time|record my hours|add a timesheet entry",
    ),
    spec(
        "approve",
        noun("leave request", tokens="leave|leave_request|time_off_request"),
        [
            text(
                "leave_id",
                "request id|leave id|request|id",
                "request ID",
                "{}|request {}|number {}",
                pattern("LR-#####", "TO-####"),
            )
        ],
        [NOTE],
    ),
    spec(
        "search",
        noun("employee", tokens="employees|directory|people"),
        [DEPARTMENT],
        [CITY, LIMIT],
        vp="find people|search the directory|list employees|look up staff",
    ),
)

# --- health ---
DOCTOR = text(
    "doctor", "doctor|provider|clinician|physician|practitioner", "doctor", "with {}|with Dr. {}|see {}", pick(LAST)
)
SPECIALTY = choice(
    "specialty",
    "specialty|speciality|department|type of doctor",
    "specialty",
    "a {}|{}|in {}",
    "dermatology|Cardiology|general_practice|pediatrics|dentist|physio",
)
MEDICATION = text(
    "medication",
    "medication|drug|medicine|med|prescription",
    "medication",
    "{}|for {}",
    pick("ibuprofen|Metformin|vitamin D|amoxicillin|Lisinopril|cetirizine|insulin glargine"),
)
DOSE = text(
    "dose",
    "dose|dosage|amount|strength",
    "dose",
    "{}|at {}|dose {}",
    pick("200 mg|500mg|1 tablet|10 units|2 puffs|5 ml"),
)
TIMES_PER_DAY = integer(
    "times_per_day",
    "times per day|frequency|per day|daily doses",
    "times per day",
    "{} times a day|{}x daily|{} times daily",
    1,
    4,
)
WORKOUT = choice(
    "workout",
    "activity|workout|exercise|sport|type",
    "activity",
    "a {}|{}|{} session",
    "run|cycling|Swim|yoga|strength|hiit|walk",
)
MINUTES = integer(
    "minutes",
    "minutes|duration|duration min|length|time",
    "duration in minutes",
    "for {} minutes|{} min|{} minutes long",
    5,
    180,
)
STEPS = integer(
    "step_goal",
    "steps|daily steps|goal|step goal",
    "step goal",
    "to {} steps|{} steps|of {} steps a day",
    2000,
    20000,
    step=500,
)

HEALTH = domain(
    "health",
    "health|clinic|medical|fitness",
    spec(
        "book",
        noun("doctor appointment", tokens="appointment|doctor_appointment|visit"),
        [SPECIALTY, ON_DATE],
        [AT_TIME, DOCTOR, NOTE],
        vp="book an appointment|make a doctor's appointment|schedule a visit|see a doctor",
    ),
    spec(
        "create",
        noun("medication reminder", tokens="medication_reminder|med_reminder|pill_reminder"),
        [MEDICATION, TIMES_PER_DAY],
        [DOSE, START_DATE],
        vp="remind me to take|set a medication reminder|add a pill reminder",
    ),
    spec(
        "create",
        noun("workout", tokens="workout|activity|exercise_log"),
        [WORKOUT, MINUTES],
        [ON_DATE],
        vp="log a workout|record an activity|add a workout|log exercise",
    ),
    spec(
        "set",
        noun("step goal", tokens="step_goal|daily_goal"),
        [STEPS],
        [],
        vp="set my step goal|change my daily goal|update my step target",
    ),
    spec(
        "check",
        noun("prescription refill", tokens="refill|prescription|rx_refill"),
        [MEDICATION],
        [
            text(
                "pharmacy",
                "pharmacy|store|pharmacy name|branch",
                "pharmacy",
                "at {}|from {}|pharmacy {}",
                pick("Boots Kingsway|CVS 14th St|Farmacia Central|Apotheke am Markt|Walgreens Elm"),
            )
        ],
        vp="request a refill of {}|refill {}|renew my prescription for {}|order more",
        gist="refill prescriptions",
    ),
    spec(
        "list",
        noun("lab result", tokens="lab_results|test_results|results"),
        [START_DATE],
        [LIMIT],
        vp="show my lab results|list my test results|get my blood test results",
    ),
)

# --- education ---
COURSE = text(
    "course",
    "course|course id|class|module|course code",
    "course",
    "{}|course {}|for {}|in {}",
    pattern("CS###", "MATH-2##", "BIO1##", "HIST###@"),
)
STUDENT = text(
    "student", "student|student id|learner|pupil", "student", "{}|student {}|for {}", pattern("S#######", "stu-#####")
)
ASSIGNMENT = text(
    "assignment",
    "assignment|homework|task|assignment id",
    "assignment",
    '"{}"|{}|the {}',
    pick("Essay 2|Lab report 3|Problem set 5|Final project|Reading quiz|Midterm review"),
)
GRADE = number("grade", "grade|score|mark|points", "grade", "a {}|{} points|score {}|grade {}", 0, 100, decimals=1)
DUE = text("due", "due|due date|deadline|due on", "due date", "due {}|by {}|deadline {}", date, hint=DATE)
LEVEL = choice(
    "level",
    "level|difficulty|grade level|tier",
    "level",
    "at {} level|{}|for {}",
    "beginner|Intermediate|advanced|A1|B2",
)
TOPIC = text(
    "topic",
    "topic|subject|theme|about",
    "topic",
    "on {}|about {}|covering {}",
    pick(
        "photosynthesis|the French Revolution|linear equations|plate tectonics|supply and demand|"
        "binary search|the water cycle|Shakespeare's sonnets|cell division"
    ),
)

EDUCATION = domain(
    "education",
    "school|education|lms|courses",
    spec(
        "register",
        noun("course", tokens="course|class|enrollment"),
        [COURSE, STUDENT],
        [],
        vp="enroll {}|sign up for {}|register for {}|add to the course",
    ),
    spec(
        "create",
        noun("assignment submission", tokens="submission|assignment|homework"),
        [ASSIGNMENT, COURSE],
        [text("file_url", "file|attachment|url|link", "file", "with the file {}|attaching {}|link {}", url)],
        vp="submit {}|hand in {}|turn in {}|upload my homework for {}",
    ),
    spec(
        "update",
        noun("grade", tokens="grade|score|mark"),
        [STUDENT, ASSIGNMENT, GRADE],
        [NOTE],
        vp="record a grade|enter the grade|give a mark",
    ),
    spec(
        "list",
        noun("assignment", tokens="assignments|homework|due_items"),
        [COURSE],
        [DUE],
        vp="list the assignments|show homework|list the homework",
        q="what homework is due|what's due",
    ),
    spec(
        "create",
        noun("quiz", tokens="quiz|practice_test|flashcards"),
        [TOPIC],
        [
            integer(
                "questions",
                "questions|num questions|count|length",
                "number of questions",
                "with {} questions|{} questions|of {} questions",
                3,
                30,
                default=(10,),
            ),
            LEVEL,
        ],
        vp="make a quiz|create a practice test|generate flashcards|quiz me",
    ),
    spec(
        "get",
        noun("timetable", tokens="timetable|schedule|class_schedule"),
        [STUDENT],
        [ON_DATE],
        q="what classes do I have|when are my lessons",
    ),
)

# --- support ---
TICKET = text(
    "ticket",
    "ticket|ticket id|case|case id|issue id",
    "ticket number",
    "{}|ticket {}|case {}|#{}",
    pattern("TCK-#####", "CS-######", "#######"),
)
TICKET_PRIORITY = choice(
    "ticket_priority",
    "priority|urgency|severity|level",
    "priority",
    "with {} priority|as {}|priority {}|{} urgency",
    "P1|p2|P3|low|URGENT",
)
SUMMARY = text(
    "summary",
    "summary|title|subject|issue|short description",
    "summary",
    '"{}"|: "{}"|about "{}"',
    pick(
        "Cannot log in after reset|Invoice shows wrong VAT|App crashes on upload|Refund not received|"
        "Wi-Fi drops every hour|Missing items in order|Export to CSV fails|Two-factor code never arrives"
    ),
)
AGENT = text("agent", "agent|assignee|owner|assign to|handler", "agent", "to {}|for {}|assigned to {}", username)
STATUS = choice(
    "ticket_status",
    "status|state|new status|stage",
    "status",
    "to {}|as {}|marked {}",
    "open|Pending|resolved|closed|on_hold",
)
CHANNEL_KIND = choice(
    "contact_channel",
    "channel|source|via|contact method",
    "channel",
    "via {}|from {}|by {}",
    "email|Phone|chat|web_form|Twitter",
)

CUSTOMER = record(
    "customer",
    "customer|requester|contact|reporter",
    "customer",
    "for {0} ({1})|reported by {0}, {1}|from customer {0} at {1}",
    text("cust_name", "name|customer name|full name", "name", "{}", person),
    text("cust_email", "email|email address|contact email", "e-mail address", "{}", email),
    bare="{0} <{1}>",
)
SUPPORT = domain(
    "support",
    "support|helpdesk|tickets|crm",
    spec(
        "create",
        noun("support ticket", tokens="ticket|support_ticket|case"),
        [SUMMARY],
        [TICKET_PRIORITY, CHANNEL_KIND, CUSTOMER],
        vp="open a ticket|create a support ticket|log a case|file a ticket",
    ),
    spec(
        "update",
        noun("ticket status", tokens="ticket_status|ticket|case_status"),
        [TICKET, STATUS],
        [NOTE],
        vp="set the ticket|mark the ticket|change the status of ticket|update the ticket",
    ),
    spec("assign", noun("ticket", tokens="ticket|case"), [TICKET, AGENT], [TICKET_PRIORITY]),
    spec("get", noun("ticket", tokens="ticket|case|ticket_details"), [TICKET], [], variants=1),
    spec(
        "search",
        noun("ticket", tokens="tickets|cases"),
        [STATUS],
        [AGENT, TICKET_PRIORITY, LIMIT],
        vp="find tickets|list tickets|search the tickets|show me the tickets",
    ),
    spec(
        "send",
        noun("customer reply", tokens="reply|customer_reply|response"),
        [TICKET, BODY],
        [
            flag(
                "internal",
                "internal|private|internal note|is internal",
                "internal",
                "as an internal note|privately",
                "publicly|to the customer|visible to the customer",
            )
        ],
        vp="reply to the ticket|answer the case|respond to {}",
    ),
)

# --- projects ---
TASK_TITLE = text(
    "task_title",
    "title|task|name|summary|task name",
    "task title",
    '"{}"|called "{}"|: {}',
    pick(
        "Fix login redirect|Write Q3 report|Update onboarding docs|Migrate to Postgres 16|"
        "Design new logo|Review pull request 412|Prepare sprint demo|Clean up feature flags"
    ),
)
ASSIGNEE = text(
    "assignee", "assignee|owner|assigned to|user|responsible", "assignee", "to {}|for {}|assigned to {}", username
)
TASK_PRIORITY = choice(
    "task_priority",
    "priority|prio|importance|level",
    "priority",
    "{} priority|priority {}|as {}",
    "low|medium|High|critical",
)
TASK_ID = text(
    "task_id",
    "task id|issue|issue key|ticket|id",
    "task ID",
    "{}|task {}|issue {}",
    pattern("@@-###", "@@@-####", "#####"),
)
LABELS = listing(
    "labels",
    "labels|tags|tag list|categories",
    "labels",
    "tagged {}|with labels {}|labels: {}",
    pick("bug|frontend|backend|docs|urgent|tech-debt|UX|security|good-first-issue"),
    count=(1, 3),
)
SPRINT = text(
    "sprint",
    "sprint|iteration|milestone|cycle",
    "sprint",
    "to {}|in {}|for {}",
    pattern("Sprint ##", "2025-Q#-S#", "Iteration ##"),
)
POINTS = integer(
    "points", "points|story points|estimate|size", "story points", "{} points|estimated at {}|size {}", 1, 13
)
PROJECT = text(
    "project",
    "project|project key|board|workspace",
    "project",
    "in {}|on the {} board|for {}",
    pick("Atlas|Website Revamp|MOBILE|data-platform|Apollo|Payroll 2.0|Onboarding"),
)

PROJECTS = domain(
    "projects",
    "pm|projects|tasks|tracker",
    spec(
        "create",
        noun("task", tokens="task|issue|work_item|todo"),
        [TASK_TITLE],
        [ASSIGNEE, TASK_PRIORITY, DUE, LABELS, PROJECT],
        vp="create a task|add a task|open an issue|add a to-do",
    ),
    spec("update", noun("task", tokens="task|issue"), [TASK_ID], [TASK_PRIORITY, DUE, ASSIGNEE]),
    spec("delete", noun("task", tokens="task|issue"), [TASK_ID], [], variants=1),
    spec("assign", noun("task", tokens="task|issue"), [TASK_ID, ASSIGNEE], []),
    spec(
        "update",
        noun("batch of tasks", "batches of tasks", tokens="tasks_bulk|bulk_close|close_tasks"),
        [
            listing(
                "task_ids", "task ids|issues|ids|keys", "task IDs", "{}|tasks {}|issues {}", TASK_ID.value, count=(2, 4)
            )
        ],
        [NOTE],
        vp="close these tasks: {}|close the issues {}|mark {} as done",
        gist="close several tasks at once",
    ),
    spec(
        "update",
        noun("sprint plan", tokens="sprint_item|sprint|iteration"),
        [TASK_ID, SPRINT],
        [POINTS],
        vp="move the task|add the issue|put the task",
        gist="move tasks between sprints",
    ),
    spec(
        "list",
        noun("task", tokens="tasks|issues|backlog"),
        [PROJECT],
        [ASSIGNEE, TASK_PRIORITY, LABELS, LIMIT],
        vp="list the tasks|show the backlog|list issues|what's open",
    ),
    spec(
        "export",
        noun("burndown report", tokens="burndown|sprint_report|velocity_report"),
        [SPRINT],
        [EXPORT_FORMAT],
        vp="export the burndown|get the sprint report|download the velocity report",
    ),
)

# --- maps ---
PLACES = pick(
    "Central Station|the Louvre|Shinjuku Gyoen|Union Square|Table Mountain|Tivoli Gardens|"
    "Old Town Square|King's Cross|Circular Quay|Plaza Mayor"
)
PLACE = text("place", "destination|to|to address|end|where to", "destination", "to {}|over to {}|for {}", PLACES)
NEAR = text("near", "near|around|close to|location|vicinity", "location", "near {}|around {}|close to {}", PLACES)
GEO_PLACE = text(
    "geo_place", "address|place|query|location|place name", "place", "{}|the address {}|the place {}", PLACES
)
FROM_PLACE = text(
    "from_place",
    "origin|start|from|start address|from location",
    "starting point",
    "from {}|starting at {}|leaving from {}",
    pick("home|the office|Central Station|my hotel|the airport|Pier 39|Alexanderplatz|Gare du Nord"),
)
TRAVEL_MODE = choice(
    "travel_mode",
    "mode|travel mode|transport|by",
    "travel mode",
    "by {}|{}|going {}",
    "driving|walking|Transit|cycling|ferry",
)
AVOID = listing(
    "avoid",
    "avoid|exclude|avoid list|without",
    "things to avoid",
    "avoiding {}|without {}|no {}",
    pick("tolls|highways|ferries|stairs|unpaved roads"),
    count=(1, 2),
)
RADIUS_KM = number(
    "radius_km",
    "radius|radius km|within|distance|range",
    "search radius in km",
    "within {} km|in a {} km radius|up to {} km away",
    0.5,
    50,
    decimals=1,
    default=(5,),
)
CATEGORY = choice(
    "poi_category",
    "category|type|kind|place type",
    "kind of place",
    "{}|{} places|type {}",
    "cafe|pharmacy|ATM|fuel|parking|Hospital|supermarket|EV_charger",
)

NEAR_POINT = record(
    "near_point",
    "near|center|point|location coordinates",
    "coordinates",
    "around {0}, {1}|near latitude {0} longitude {1}|close to {0},{1}",
    number("pt_lat", "lat|latitude", "latitude", "{}", -60, 70, decimals=4),
    number("pt_lng", "lng|lon|longitude", "longitude", "{}", -150, 170, decimals=4),
)
MAPS = domain(
    "maps",
    "maps|geo|nav|places",
    spec(
        "get",
        noun("route", tokens="route|navigation|itinerary"),
        [FROM_PLACE, PLACE],
        [TRAVEL_MODE, AVOID],
        vp="get directions|give me directions|plan a route|navigate {}",
        q="how do I get|what's the best way to get",
    ),
    spec(
        "find",
        noun("nearby place", tokens="nearby|places_nearby|poi"),
        [CATEGORY],
        [NEAR, RADIUS_KM, LIMIT, NEAR_POINT],
        vp="find a nearby {}|find the nearest {}|look for a {}|search for a {}",
    ),
    spec(
        "calculate",
        noun("travel time", tokens="travel_time|eta|distance_matrix"),
        [FROM_PLACE, PLACE],
        [TRAVEL_MODE],
        q="how long does it take to get|how far is it",
    ),
    spec(
        "share",
        noun("live location", tokens="location|live_location|eta_share"),
        [PHONE],
        [MINUTES],
        vp="share my location|send my live location|share my ETA",
    ),
    spec(
        "get",
        noun("geocode", tokens="geocode|coordinates|lat_lng"),
        [GEO_PLACE],
        [],
        vp="geocode {}|get the coordinates of {}|look up the coordinates of {}",
        gist="geocode places",
    ),
)

# --- language ---
SOURCE_TEXT = text(
    "source_text",
    "text|input|content|source text|string",
    "text",
    '"{}"|: "{}"|the text "{}"',
    pick(
        "Where is the nearest train station?|The meeting is postponed until next week.|"
        "Please keep the receipt.|Our office opens at nine.|Thank you for your patience.|"
        "The package arrived damaged.|I would like a table for two.|Check-out is at noon."
    ),
)
TARGET_LANG = text(
    "target_lang",
    "target language|to|target|language|into|to lang",
    "target language",
    "into {}|to {}|in {}",
    pick(LANGUAGES),
)
SOURCE_LANG = text(
    "source_lang",
    "source language|from|source|from lang|input language",
    "source language",
    "from {}|written in {}|originally in {}",
    pick(LANGUAGES),
)
FORMALITY = choice(
    "formality",
    "formality|tone|register|style",
    "formality",
    "in a {} tone|{} register|{}",
    "formal|informal|Neutral|default",
)
SENTENCES = integer(
    "sentences",
    "sentences|max sentences|length|num sentences",
    "number of sentences",
    "in {} sentences|in at most {} sentences|{} sentences long",
    1,
    8,
    default=(3,),
)
DOC_URL = text("doc_url", "url|link|page|document url|source", "web address", "at {}|{}|from {}", url)

LANGUAGE = domain(
    "language",
    "nlp|language|text|lang",
    spec(
        "translate",
        noun("text", tokens="passage|translation|sentence"),
        [SOURCE_TEXT, TARGET_LANG],
        [SOURCE_LANG, FORMALITY],
        vp="translate {}|translate the text|put this|say this",
    ),
    spec(
        "summarize",
        noun("web page", tokens="page|article|url_summary"),
        [DOC_URL],
        [SENTENCES],
        vp="summarize the page|give me a summary of {}|condense the article",
    ),
    spec(
        "get",
        noun("language of a text", "languages of texts", tokens="language|detect_language|lang_id"),
        [SOURCE_TEXT],
        [],
        vp="detect the language of {}|identify the language of {}",
        q="what language is this text|which language is this",
        gist="detect languages",
    ),
    spec(
        "check",
        noun("grammar", tokens="grammar|spelling|proofread"),
        [SOURCE_TEXT],
        [
            choice(
                "dialect",
                "dialect|variant|locale|language variant",
                "dialect",
                "in {} English|for {}|using {}",
                "en-US|en-GB|en-AU|en-IN",
            )
        ],
        vp="proofread {}|check the grammar of {}|spell-check {}",
        gist="check grammar",
    ),
)

# --- knowledge and search ---
WEB_QUERY = text(
    "web_query",
    "query|q|search terms|keywords|search",
    "search query",
    '"{}"|for "{}"|for {}|about {}',
    pick(
        "best hiking trails near Denver|how to repot a cactus|history of the Eiffel Tower|"
        "Rust vs Go performance|easy vegetarian curry|how tides work|beginner chess openings|"
        "tallest waterfalls|electric cars with the longest range|how noise cancelling works"
    ),
)
SAFE = flag(
    "safe_search",
    "safe search|safe|filter adult|safe mode",
    "safe search",
    "with safe search on|safely",
    "with safe search off|unfiltered",
)
REGION = choice("region", "region|market|country|locale", "region", "in {}|for {}|from {}", "us|UK|de|FR|jp|in|BR")
ARTICLE = text(
    "article",
    "title|article|page|topic|entry",
    "article title",
    '"{}"|on {}|about {}|the article {}',
    pick(
        "Ada Lovelace|Lake Baikal|Byzantium|Mount Kilimanjaro|Alan Turing|Timbuktu|Marie Curie|"
        "Angkor Wat|Machu Picchu|The Silk Road"
    ),
)
NEWS_TOPIC = text(
    "news_topic",
    "topic|query|subject|keywords",
    "topic",
    "about {}|on {}|covering {}",
    pick(
        "the housing market|renewable energy|the Champions League|AI regulation|the Mars rover|"
        "inflation|chip manufacturing|coral reefs|the local elections"
    ),
)
PAPER = text(
    "paper_query",
    "query|topic|search|keywords|terms",
    "topic",
    "on {}|about {}|for {}",
    pick(
        "graph neural networks|diffusion models for audio|quantum error correction|sparse attention|"
        "exoplanet atmospheres|federated learning|low-rank adaptation|speculative decoding"
    ),
)
KNOWLEDGE = domain(
    "knowledge",
    "web|search|wiki|news|research",
    spec(
        "search",
        noun("web page", tokens="internet|online|www"),
        [WEB_QUERY],
        [LIMIT, SAFE, REGION],
        vp="search the web|google {}|look up online|search online",
    ),
    spec(
        "get",
        noun("encyclopedia article", tokens="wiki_article|encyclopedia|wiki_summary"),
        [ARTICLE],
        [SENTENCES],
        vp="get the encyclopedia article|look up on the wiki|pull up the wiki page",
    ),
    spec(
        "search",
        noun("news article", tokens="news|headlines|news_articles"),
        [NEWS_TOPIC],
        [DAYS, REGION, LIMIT],
        vp="find news|get the latest news|show headlines|search the news",
    ),
    spec(
        "search",
        noun("research paper", tokens="papers|preprints|scholar"),
        [PAPER],
        [
            LIMIT,
            choice(
                "paper_sort",
                "sort|sort by|order|ranking",
                "sort order",
                "sorted by {}|by {}|ordered by {}",
                "relevance|Date|citations",
            ),
        ],
        vp="find papers|search for research|look up preprints",
    ),
    spec(
        "get",
        noun("stock quote", tokens="stock_quote|share_price|ticker"),
        [
            text(
                "ticker",
                "ticker|symbol|stock|ticker symbol",
                "ticker symbol",
                "{}|for {}|of {}",
                pick("AAPL|MSFT|NVDA|TSLA|ASML|SAP|TM|BABA|KO|NFLX"),
            )
        ],
        [],
        q="what's the share price|how is the stock doing",
    ),
)

# --- sports ---
TEAM = text(
    "team",
    "team|club|team name|side",
    "team",
    "{}|for {}|of {}",
    pick(
        "Benfica|Arsenal|Boca Juniors|LA Lakers|Toronto Raptors|Al Ahly|Kashima Antlers|Celtic|"
        "Golden State Warriors|Ajax|Flamengo|Melbourne Storm"
    ),
)
LEAGUE = choice(
    "league",
    "league|competition|tournament|division",
    "league",
    "in the {}|{}|for the {}",
    "premier_league|NBA|La Liga|serie_a|MLS|Bundesliga|j1",
)
SEASON = text(
    "season", "season|year|campaign", "season", "for {}|in the {} season|{}", pattern("2024/25", "2023/24", "2025")
)
SPORTS = domain(
    "sports",
    "sports|scores|league",
    spec(
        "get",
        noun("match result", tokens="scores|results|match_results"),
        [TEAM],
        [LEAGUE, ON_DATE],
        q="how did the game go|what was the score|did they win",
    ),
    spec(
        "get",
        noun("league table", tokens="standings|table|league_table"),
        [LEAGUE],
        [SEASON],
        q="who's top of the league|what are the standings",
    ),
    spec(
        "list",
        noun("fixture", tokens="fixtures|schedule|upcoming_games"),
        [TEAM],
        [LIMIT, LEAGUE],
        q="when do they play next|what are the upcoming games",
    ),
    spec(
        "get",
        noun("player stats", "player stats", tokens="player_stats|player|athlete_stats"),
        [text("player", "player|athlete|name|player name", "player", "{}|for {}|of {}", person)],
        [SEASON],
        q="how is the player doing|what are the stats",
    ),
    spec(
        "book",
        noun("match ticket", tokens="tickets|match_tickets|game_tickets"),
        [TEAM, ON_DATE],
        [
            integer(
                "tickets", "tickets|quantity|seats|count", "number of tickets", "{} tickets|for {} seats|x{}", 1, 8
            ),
            choice(
                "stand",
                "section|stand|seating area|zone",
                "section",
                "in the {}|{} section|{}",
                "north|South|East|west|VIP",
            ),
        ],
        vp="buy tickets for {}|get me tickets to {}|book seats for {}",
    ),
)

# --- social ---
POST_TEXT = text(
    "post_text",
    "text|content|status|body|caption",
    "post text",
    '"{}"|saying "{}"|: "{}"',
    pick(
        "Just shipped v2.0!|Sunset over the harbour tonight|We're hiring engineers in Lisbon|"
        "Thanks everyone for coming out|New blog post is live|Happy Friday, team"
    ),
)
NETWORK = choice(
    "network", "network|platform|site|channel", "network", "on {}|to {}|via {}", "linkedin|Mastodon|Bluesky|instagram|X"
)
HANDLE = text("handle", "handle|user|account|username|profile", "user handle", "{}|user {}|account {}", username)
POST_ID = text("post_id", "post id|post|status id|id", "post ID", "{}|post {}|#{}", pattern("##########", "p_%%%%####"))
SOCIAL = domain(
    "social",
    "social|feed|posts",
    spec(
        "create",
        noun("post", tokens="post|status|update"),
        [POST_TEXT],
        [NETWORK, text("image_url", "image|image url|media|photo", "image", "with the image {}|attaching {}", url)],
        vp="post {}|publish {}|share a post|put up a status",
    ),
    spec(
        "schedule",
        noun("post", tokens="scheduled_post|post_later|queue_post"),
        [POST_TEXT, SEND_AT],
        [NETWORK],
        vp="schedule a post|queue up a post|post later",
    ),
    spec(
        "create",
        noun("follow", tokens="follow|follow_user|subscribe"),
        [HANDLE],
        [NETWORK],
        vp="follow {}|subscribe to {}|start following",
        gist="follow accounts",
    ),
    spec("delete", noun("post", tokens="post|status"), [POST_ID], [], variants=1),
    spec(
        "get",
        noun("post analytics", "post analytics", tokens="post_stats|analytics|engagement"),
        [POST_ID],
        [HOURS],
        q="how did my post do|how many likes did the post get",
    ),
)

SEEN_DOMAINS = (
    MESSAGING,
    CALENDAR,
    FILES,
    SHOPPING,
    SHIPPING,
    BANKING,
    TRAVEL,
    DINING,
    HOME,
    MEDIA,
    WEATHER,
    MATH,
    DEVOPS,
    HR,
    HEALTH,
    EDUCATION,
    SUPPORT,
    PROJECTS,
    MAPS,
    LANGUAGE,
    KNOWLEDGE,
    SPORTS,
    SOCIAL,
)
