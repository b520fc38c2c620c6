"""The builtin function catalog: every schema and description written by us, grouped by domain.

HELD_OUT functions (one per domain) appear only in the test split, never in train or
validation (not even as distractors), so evaluation can measure generalisation to
functions the model has never seen.
"""

from __future__ import annotations

from data.schema import Function, Param

_REQUIRED = object()  # marks an argument with no default


def _arg(name: str, type_: str, description: str, default=_REQUIRED, **extras) -> Param:
    # "type" and "description" first, then extras, then "default": the order Param promises.
    schema = {"type": type_, "description": description, **extras}
    if default is not _REQUIRED:
        schema["default"] = default
    return Param(name, schema, required=default is _REQUIRED)


def string(name, description, default=_REQUIRED):
    return _arg(name, "string", description, default)


def integer(name, description, default=_REQUIRED, **bounds):
    return _arg(name, "integer", description, default, **bounds)


def number(name, description, default=_REQUIRED):
    return _arg(name, "number", description, default)


def boolean(name, description, default=_REQUIRED):
    return _arg(name, "boolean", description, default)


def choice(name, description, values, default=_REQUIRED):
    return _arg(name, "string", description, default, enum=list(values))


def array(name, description, item_type):
    return _arg(name, "array", description, items={"type": item_type})


def fn(name: str, description: str, *params: Param) -> Function:
    return Function(name, description, tuple(params))


DATE = "Date in YYYY-MM-DD form"
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "INR")
UNITS = ("meters", "kilometers", "miles", "feet", "inches", "centimeters",
         "kilograms", "pounds", "grams", "ounces", "liters", "gallons")

DOMAINS: dict[str, list[Function]] = {
    "web": [
        fn("search_bing", "Run a web search through Bing and return the top hits, each with a title, link and snippet.",
           string("query", "Words or question to search the web for"),
           integer("count", "How many hits to return", 10, minimum=1, maximum=50)),
        fn("search_arxiv", "Look up scientific preprints on arXiv; returns titles, authors and abstracts.",
           string("query", "Topic, title words or author name to look for"),
           integer("max_results", "Largest number of papers to return", 5, minimum=1, maximum=50),
           choice("sort_by", "Order of the returned papers", ("relevance", "date"), "relevance")),
        fn("search_news", "Find recent news articles on a topic from major outlets.",
           string("topic", "Subject of the news stories"),
           integer("days", "Only include stories published within this many days", 7, minimum=1, maximum=30)),
        fn("search_images", "Find pictures on the web that match a description.",
           string("query", "What the pictures should show"),
           boolean("safe_search", "Hide explicit images", True)),
        fn("fetch_webpage", "Download one web page and return its readable text without markup.",
           string("url", "Full address of the page, starting with http:// or https://")),
        fn("lookup_wikipedia", "Return the opening summary of a Wikipedia article.",
           string("title", "Title of the article"),
           integer("sentences", "Length of the summary in sentences", 3, minimum=1, maximum=10)),
    ],
    "files": [
        fn("read_json_file", "Open a JSON file on the local disk and return the data it holds.",
           string("file_path", "Location of the JSON file")),
        fn("list_files", "Show what a folder contains: file names, sizes and sub-folders.",
           string("directory", "Folder to look in", "."),
           boolean("recursive", "Descend into sub-folders as well", False)),
        fn("delete_file", "Remove a file from the local disk for good; it cannot be recovered afterwards.",
           string("file_name", "Name or path of the file to remove")),
        fn("create_folder", "Make a new, empty folder, creating any missing parent folders on the way.",
           string("path", "Where the new folder should be")),
        fn("rename_file", "Give an existing file a different name in the same folder.",
           string("old_name", "Current name of the file"),
           string("new_name", "Name the file should have afterwards")),
        fn("copy_file", "Duplicate a file into another location, leaving the original where it is.",
           string("source", "File to copy"),
           string("destination", "Folder or path to copy it to"),
           boolean("overwrite", "Replace a file of the same name at the destination", False)),
    ],
    "chat": [
        fn("save_chat", "Write the conversation so far to a file so it can be reopened later.",
           string("file_name", "File to store the conversation in", "chat_history.txt")),
        fn("clear_chat", "Forget the current conversation and begin a fresh one."),
        fn("load_chat", "Reopen a conversation that was saved to a file earlier.",
           string("file_name", "File the conversation was saved in")),
        fn("summarize_chat", "Condense the conversation so far into a short summary.",
           integer("max_sentences", "Upper limit on the summary's length in sentences", 3, minimum=1, maximum=10)),
        fn("export_chat", "Turn the conversation into a document in the chosen format.",
           choice("format", "Document format", ("pdf", "markdown", "html", "txt")),
           boolean("include_timestamps", "Show when each message was sent", False)),
    ],
    "weather": [
        fn("get_current_weather", "Report the present temperature, sky conditions and wind in a city.",
           string("city", "Name of the city"),
           choice("unit", "Temperature scale for the report", ("celsius", "fahrenheit"), "celsius")),
        fn("get_forecast", "Give a day-by-day weather outlook for a city.",
           string("city", "Name of the city"),
           integer("days", "How many days ahead to cover", minimum=1, maximum=10)),
        fn("get_sunrise_sunset", "Tell when the sun comes up and goes down in a city on a given day.",
           string("city", "Name of the city"),
           string("date", DATE)),
        fn("get_air_quality", "Return the air quality index and the main pollutants measured in a city.",
           string("city", "Name of the city")),
    ],
    "calendar": [
        fn("create_event", "Put a new event in the user's calendar.",
           string("title", "Short name of the event"),
           string("date", DATE),
           string("time", "Start time, 24-hour HH:MM"),
           integer("duration_minutes", "Length of the event in minutes", 60, minimum=5)),
        fn("list_events", "List everything in the user's calendar for one day.",
           string("date", DATE)),
        fn("delete_event", "Take an event out of the user's calendar.",
           string("title", "Name of the event to remove"),
           string("date", DATE)),
        fn("set_reminder", "Have a reminder pop up at a chosen time.",
           string("message", "What the reminder should say"),
           string("time", "When to remind, 24-hour HH:MM"),
           string("date", "Day of the reminder, YYYY-MM-DD or 'today'", "today")),
        fn("find_free_slot", "Find the earliest gap of a given length in the user's calendar on one day.",
           string("date", DATE),
           integer("duration_minutes", "Length of the gap needed in minutes", minimum=5)),
    ],
    "messaging": [
        fn("send_email", "Write and send an email from the user's account.",
           string("to", "Email address of the recipient"),
           string("subject", "Subject line"),
           string("body", "Text of the message")),
        fn("send_text_message", "Send an SMS to a phone number.",
           string("phone_number", "Number to text, as the user gave it"),
           string("message", "Text to send")),
        fn("search_inbox", "Look through the user's mailbox for emails containing some words.",
           string("query", "Words to look for"),
           boolean("unread_only", "Only consider emails that have not been opened", False),
           integer("limit", "Most emails to return", 20, minimum=1)),
        fn("schedule_email", "Queue an email that goes out by itself on a later day.",
           string("to", "Email address of the recipient"),
           string("subject", "Subject line"),
           string("send_date", DATE)),
    ],
    "finance": [
        fn("get_stock_price", "Return the most recent trading price of a listed share.",
           string("ticker", "Ticker symbol of the share")),
        fn("convert_currency", "Convert a sum of money between currencies at today's exchange rate.",
           number("amount", "Sum to convert"),
           choice("from_currency", "Currency the sum is in", CURRENCIES),
           choice("to_currency", "Currency to convert into", CURRENCIES)),
        fn("calculate_loan_payment", "Work out the fixed monthly repayment on a loan.",
           number("principal", "Amount borrowed"),
           number("annual_rate", "Yearly interest rate in percent"),
           integer("years", "Length of the loan in years", minimum=1)),
        fn("get_account_balance", "Show how much money is in one of the user's bank accounts.",
           choice("account", "Which account", ("checking", "savings", "credit"))),
        fn("split_bill", "Share a bill evenly between several people, tip included.",
           number("total", "Amount on the bill before tip"),
           integer("people", "Number of people paying", minimum=1),
           number("tip_percent", "Tip to add, in percent", 15)),
    ],
    "travel": [
        fn("search_flights", "Find flights between two cities on a given day.",
           string("origin", "City to depart from"),
           string("destination", "City to fly to"),
           string("date", "Day of departure, YYYY-MM-DD"),
           integer("passengers", "Number of seats needed", 1, minimum=1, maximum=9)),
        fn("book_hotel", "Reserve a hotel room in a city.",
           string("city", "City to stay in"),
           string("check_in", "Arrival day, YYYY-MM-DD"),
           integer("nights", "Length of the stay in nights", minimum=1),
           integer("guests", "Number of people staying", 1, minimum=1)),
        fn("get_flight_status", "Say whether a flight is on time, delayed or cancelled.",
           string("flight_number", "Airline code and number, e.g. XY123")),
        fn("find_attractions", "Suggest sights and activities in a city.",
           string("city", "City to explore"),
           choice("category", "Kind of place to suggest", ("all", "museums", "parks", "landmarks", "nightlife"), "all")),
    ],
    "smart_home": [
        fn("set_thermostat", "Change the target temperature of the home thermostat.",
           number("temperature", "Temperature to reach, in degrees"),
           choice("mode", "Heating or cooling mode", ("heat", "cool", "auto"), "auto")),
        fn("set_lights", "Switch the lights in one room on or off, optionally dimmed.",
           string("room", "Room the lights are in"),
           boolean("on", "True to switch on, false to switch off"),
           integer("brightness", "Brightness in percent when switched on", 100, minimum=1, maximum=100)),
        fn("lock_door", "Lock one of the house's smart locks.",
           choice("door", "Door to lock", ("front", "back", "garage", "patio"))),
        fn("play_music", "Play songs by an artist on the home speakers.",
           string("artist", "Musician or band"),
           boolean("shuffle", "Play the songs in random order", False)),
        fn("get_home_status", "Report the state of the house: locks, lights, thermostat and alarms."),
        fn("start_vacuum", "Send the robot vacuum cleaner to clean some rooms.",
           array("rooms", "Rooms to clean, in order", "string")),
    ],
    "math": [
        fn("calculate", "Evaluate an arithmetic expression and return the number it comes to.",
           string("expression", "Expression using numbers, + - * / ** and brackets")),
        fn("convert_units", "Convert a measurement from one unit to another of the same kind.",
           number("value", "Quantity to convert"),
           choice("from_unit", "Unit the quantity is in", UNITS),
           choice("to_unit", "Unit to convert into", UNITS)),
        fn("random_number", "Draw a random whole number between two limits, both included.",
           integer("minimum", "Smallest allowed number"),
           integer("maximum", "Largest allowed number")),
        fn("calculate_average", "Compute the arithmetic mean of a list of numbers.",
           array("numbers", "Numbers to average", "number")),
    ],
    "shopping": [
        fn("search_products", "Search the online shop's catalogue.",
           string("query", "What the user is shopping for"),
           number("max_price", "Highest price to show; 0 means no limit", 0)),
        fn("add_to_cart", "Put a product in the user's shopping cart.",
           string("product_name", "Product to add"),
           integer("quantity", "How many to add", 1, minimum=1)),
        fn("track_order", "Say where an order is and when it should arrive.",
           string("order_id", "Order number from the confirmation")),
        fn("create_shopping_list", "Start a new shopping list holding the given items.",
           array("items", "Things to buy", "string"),
           string("name", "Title of the list", "Shopping list")),
        fn("compare_prices", "Compare what different shops charge for a product.",
           string("product_name", "Product to price"),
           integer("max_stores", "Most shops to compare", 5, minimum=2)),
    ],
    "tasks": [
        fn("add_task", "Put an item on the user's to-do list.",
           string("task", "What needs doing"),
           choice("priority", "How urgent it is", ("low", "normal", "high"), "normal")),
        fn("list_tasks", "Show the items on the user's to-do list.",
           boolean("include_completed", "Also show items already ticked off", False)),
        fn("set_timer", "Start a countdown timer.",
           integer("minutes", "Length of the countdown in minutes", minimum=1),
           string("label", "Name shown when the timer rings", "Timer")),
        fn("create_note", "Save a short note with a title.",
           string("title", "Title of the note"),
           string("content", "Text of the note")),
    ],
}

HELD_OUT = ("lookup_wikipedia", "copy_file", "export_chat", "get_air_quality", "find_free_slot",
            "schedule_email", "split_bill", "find_attractions", "start_vacuum", "calculate_average",
            "compare_prices", "create_note")

FUNCTIONS: list[Function] = [f for fs in DOMAINS.values() for f in fs]
BY_NAME: dict[str, Function] = {f.name: f for f in FUNCTIONS}
DOMAIN_OF: dict[str, str] = {f.name: d for d, fs in DOMAINS.items() for f in fs}
