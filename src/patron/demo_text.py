"""The words of the demo desk: people, places and what customers and colleagues write about.

Every name, number and address is made up. Email addresses use the example.com/.org/.net
domains reserved for documentation (RFC 2606) and phone numbers come from the ranges Ofcom
keeps for drama, so nothing here reaches a real person.

Templates use `str.format` slots ({first}, {order}, {amount} …) filled by `Slots`, so the
subject, the first message and every reply on one case speak of the same order or booking.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from patron.cases.models import CaseKind, Channel


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


# --- people -------------------------------------------------------------------------------------

FIRST_NAMES = _words(
    "Oliver Amelia George Isla Harry Ava Noah Mia Jack Ivy Leo Freya Arthur Lily Muhammad Florence Oscar "
    "Willow Charlie Rosie Jacob Sophia Thomas Evie Alfie Poppy Henry Grace Theo Ella Archie Daisy Joshua "
    "Sienna Freddie Harper Rhys Cerys Dylan Ffion Callum Eilidh Finlay Niamh Ciaran Aoife Priya Arjun "
    "Anika Rohan Zara Yusuf Aisha Ibrahim Fatima Hamza Maryam Kwame Abena Chidi Ngozi Tunde Folake Kofi "
    "Wei Mei Jun Hana Tomasz Agnieszka Piotr Katarzyna Andrei Elena Mateo Lucia Margaret Derek Sandra "
    "Keith Brenda Graham Pauline Trevor Janet Colin Maureen Nigel Gwen Dafydd Siobhan Declan Shona Euan "
    "Kirsty"
)
SURNAMES = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker "
    "White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill Ward "
    "Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis Parker James "
    "Bennett Young Price Morgan Mitchell Kelly Begum Hussain Ali Ahmed Shah Singh Kaur Chowdhury Okafor "
    "Adeyemi Mensah Owusu Nwosu Chen Wong Nguyen Kowalski Nowak Wiśniewska Popescu MacDonald Campbell "
    "Stewart Fraser McLeod Murray O'Brien Byrne Doherty Llewellyn Pritchard Vaughan Gallagher Quinn "
    "Fitzgerald Brennan Sutherland"
)

# Fictional companies that buy from the desk's organisation (B2B customers).
COMPANIES = _items(
    "Harbour & Vale Ltd|Pennine Joinery Ltd|Northgate Dental Practice|Kestrel Property Lettings|"
    "Marlowe & Finch Solicitors|Brightwater Nursery|Greenhill Veterinary Surgery|The Copper Kettle Café|"
    "Tamar Valley Growers|Saltire Events Ltd|Ashcombe Primary School PTA|Redbrick Architects LLP|"
    "Lune Valley Cycles|Cotswold Stone Supplies"
)
COMPANY_TITLES = _items(
    "Office manager|Director|Practice manager|Finance assistant|Owner|Operations lead|"
    "Facilities coordinator|Purchasing manager"
)
# Departments of the desk's own organisation, whose people are internal customers.
DEPARTMENTS = {
    "Finance": ("Management accountant", "Accounts payable clerk", "Payroll officer", "Finance business partner"),
    "HR": ("HR adviser", "Recruitment coordinator", "Learning and development lead"),
    "Facilities": ("Facilities manager", "Site supervisor", "Reception team lead"),
    "Sales": ("Account manager", "Sales executive", "Head of partnerships"),
    "Marketing": ("Content designer", "Marketing executive", "Brand manager"),
    "Operations": ("Operations analyst", "Warehouse shift manager", "Logistics planner"),
    "Legal": ("Paralegal", "Commercial lawyer", "Company secretary"),
    "Customer Services": ("Contact centre adviser", "Quality coach", "Workforce planner"),
}
LANGUAGES = ("Welsh", "Polish", "Urdu", "Punjabi", "Bengali", "Romanian", "Gujarati", "Scottish Gaelic")
ADJUSTMENT_NOTES = _items(
    "Please speak slowly and confirm anything agreed in writing afterwards.|"
    "Prefers calls after 10am; mornings are difficult.|"
    "Uses a screen reader: plain-text emails without attachments where possible.|"
    "Their daughter, Sarah, has permission to speak for them.|"
    "Allow extra time on calls and do not transfer them between teams.|"
    "Hard of hearing: call via Relay UK or write.|Send letters in 16-point type."
)

# --- slots: the facts a case talks about ----------------------------------------------------------

PRODUCTS = _items(
    "cordless vacuum cleaner|oak bookcase|washing machine|pair of walking boots|kettle|"
    "garden furniture set|child's car seat|55-inch television|winter coat|double duvet|coffee machine|"
    "sofa bed|set of saucepans|cycling helmet|tumble dryer|desk chair|fridge freezer|pushchair|"
    "rain jacket|air fryer"
)
TOWNS = _items(
    "Leeds|Manchester|Bristol|Cardiff|Glasgow|Belfast|Norwich|Sheffield|York|Newcastle|Swansea|Aberdeen|"
    "Plymouth|Leicester|Nottingham|Brighton|Exeter|Inverness|Derby|Carlisle"
)
DEPOTS = ("Warrington", "Daventry", "Bellshill", "Avonmouth", "Doncaster", "Milton Keynes")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
TARIFFS = ("Fixed Saver 24", "Standard Variable", "EV Overnight", "Green Fixed 12", "Economy 7")
HOTELS = _items(
    "the Harbourside Hotel in Whitby|the Old Mill Hotel in Bath|the Quay Hotel in Tenby|"
    "the Station Hotel in Perth|the Castle View Hotel in Conwy|the Riverside Lodge in Stratford|"
    "the Grange Hotel in Keswick"
)
MERCHANTS = _items(
    "an online electronics shop|a hotel in Lisbon|a petrol station in Dover|a streaming service|"
    "a furniture website|a takeaway app|a car hire firm at Gatwick"
)
APPS = _items(
    "Outlook|Teams|the VPN|the expenses system|the CRM|SharePoint|the payroll system|the rota app|"
    "the finance reporting tool|the intranet"
)
BUILDINGS = ("Quayside House", "the Leeds office", "the Glasgow hub", "the Cardiff office", "Riverside Court")
FLOORS = ("ground floor", "first floor", "second floor", "third floor", "fourth floor")


class Slots(dict[str, str]):
    """The values a template's slots take on one case, drawn when first asked for and then fixed,
    so every message on the case agrees."""

    def __init__(self, rng: random.Random, **known: str) -> None:
        super().__init__(known)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = self._draw(key)
        self[key] = value
        return value

    def _draw(self, key: str) -> str:
        rng = self.rng
        if key == "order":
            return f"ORD-{rng.randint(100000, 999999)}"
        if key == "booking":
            return f"BK{rng.randint(1000000, 9999999)}"
        if key == "product":
            return rng.choice(PRODUCTS)
        if key == "town":
            return rng.choice(TOWNS)
        if key == "depot":
            return rng.choice(DEPOTS)
        if key == "day":
            return rng.choice(DAYS)
        if key == "month":
            return rng.choice(MONTHS)
        if key == "amount":
            return f"£{rng.randint(8, 240)}.{rng.choice(('00', '49', '95', '99'))}"
        if key == "big_amount":
            return f"£{rng.randint(300, 2400):,}.{rng.randint(0, 99):02d}"
        if key == "bill":
            return f"£{rng.randint(60, 480)}.{rng.randint(0, 99):02d}"
        if key == "account":
            return f"{rng.randint(1000, 9999)}"
        if key == "meter":
            return f"{rng.choice('EG')}{rng.randint(10, 23)}UK{rng.randint(10000, 99999)}"
        if key == "reading":
            return f"{rng.randint(10000, 99999)}"
        if key == "tariff":
            return rng.choice(TARIFFS)
        if key == "hotel":
            return rng.choice(HOTELS)
        if key == "room":
            return f"{rng.randint(1, 4)}{rng.randint(0, 3)}{rng.randint(1, 9)}"
        if key == "nights":
            return str(rng.randint(2, 6))
        if key == "merchant":
            return rng.choice(MERCHANTS)
        if key == "app":
            return rng.choice(APPS)
        if key == "asset":
            return f"LT-{rng.randint(10000, 99999)}"
        if key == "building":
            return rng.choice(BUILDINGS)
        if key == "floor":
            return rng.choice(FLOORS)
        if key == "days":
            return str(rng.randint(2, 10))
        if key == "postcode":
            area = rng.choice(("LS", "M", "BS", "CF", "G", "NR", "S", "YO"))
            letters = "ABDEFGHJLNPQRSTUWXY"
            return f"{area}{rng.randint(1, 28)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        if key == "ticket":
            return f"INC{rng.randint(100000, 999999)}"
        raise KeyError(key)


# --- what people write about ----------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One way a scenario plays out: the subject, what the customer wrote, what an agent noted
    when it came in by phone or in person instead, and the reply that resolved it."""

    subject: str
    body: str
    call: str
    resolution: str


@dataclass(frozen=True)
class Scenario:
    """One kind of thing a customer or colleague gets in touch about."""

    sector: str
    team: str
    kind: str
    channels: tuple[str, ...]
    variants: tuple[Variant, ...]
    notes: tuple[str, ...] = ()
    category: str = ""
    tags: tuple[str, ...] = ()
    weight: int = 3

    @property
    def internal(self) -> bool:
        return self.sector in ("it", "hr")


_V = Variant
_E, _W, _P, _F = Channel.EMAIL, Channel.WEB, Channel.PHONE, Channel.FACE_TO_FACE
_C, _S, _A, _I = Channel.CHAT, Channel.SOCIAL, Channel.API, Channel.INTERNAL

SCENARIOS: tuple[Scenario, ...] = (
    # retail ---------------------------------------------------------------------------------------
    Scenario(
        "retail",
        "care",
        CaseKind.ENQUIRY,
        (_E, _E, _W, _C, _P, _S),
        (
            _V(
                "Where is my order {order}?",
                "I ordered a {product} on {day} (order {order}) and the tracking has said 'in transit' for four "
                "days. Could you tell me when it will arrive? I need to arrange to be in.",
                "Customer called to ask where order {order} ({product}) is; tracking stuck since {day}.",
                "I've spoken to the courier: your parcel was held at their {depot} depot and is now out for "
                "delivery. It should reach you by 6pm tomorrow. I'm sorry for the wait.",
            ),
            _V(
                "Order {order} not arrived yet",
                "My order {order} was due yesterday but nothing has turned up and the courier's page shows no "
                "update. Can you chase it for me?",
                "Customer rang: order {order} was due yesterday and has not arrived.",
                "Your {product} left our warehouse today and you'll get a text with a one-hour delivery slot. "
                "As it was late, I've refunded the delivery charge to your card.",
            ),
            _V(
                "Parcel marked delivered but not received",
                "The tracking for order {order} says it was delivered on {day} and left in a safe place, but there "
                "is nothing here and my neighbours haven't got it either.",
                "Customer says order {order} shows as delivered on {day} but they never received it.",
                "The courier's photo shows the parcel at a different address, so I've sent a replacement "
                "{product} by next-day delivery. You don't need to do anything else.",
            ),
        ),
        ("Courier tracking shows the parcel missorted at {depot}. Raised a trace with the courier.",),
        "Delivery",
        ("delivery",),
        6,
    ),
    Scenario(
        "retail",
        "care",
        CaseKind.REQUEST,
        (_E, _W, _W, _C, _F),
        (
            _V(
                "Refund not received for {order}",
                "I returned a {product} to your {town} store on {day} but haven't seen the refund of {amount} yet. "
                "The receipt says 3-5 working days and it has been more than a week.",
                "Customer came into the {town} store: refund of {amount} for a returned {product} not received.",
                "Thank you for your patience. The refund of {amount} was processed today and should show on your "
                "statement within three working days.",
            ),
            _V(
                "How do I return my {product}?",
                "I'd like to return the {product} from order {order}. It's unused and still boxed. Do I need to "
                "print a label, or can I take it to a shop?",
                "Customer asked in the {town} store how to return a {product} bought online (order {order}).",
                "You can return it free of charge at any of our shops, or use the prepaid label I've attached. "
                "We'll refund you as soon as it reaches us.",
            ),
            _V(
                "Exchange a {product} for a different size",
                "The {product} from order {order} is the wrong size. Can I swap it rather than return it?",
                "Customer wants to exchange the {product} from order {order} for another size.",
                "I've arranged the exchange: the courier will bring the new one and collect the old one on {day}.",
            ),
        ),
        ("Return logged at the {town} store but never scanned into the returns system. Refunded manually.",),
        "Returns and refunds",
        ("refund", "returns"),
        5,
    ),
    Scenario(
        "retail",
        "care",
        CaseKind.COMPLAINT,
        (_E, _W, _S, _P, _F),
        (
            _V(
                "Damaged {product} delivered",
                "The {product} from order {order} arrived with a cracked panel and the box was clearly crushed. "
                "I'm disappointed, as it was a birthday present. Please replace it or refund me.",
                "Customer called, upset: {product} from order {order} arrived damaged. Photos to follow by email.",
                "I'm very sorry the {product} arrived damaged. A replacement is on its way, and our courier will "
                "collect the damaged one at the same time, so you don't need to do anything.",
            ),
            _V(
                "Faulty {product} - want a refund",
                "My {product} stopped working after three weeks. I expect a product like this to last far longer. "
                "Under the Consumer Rights Act I'd like my money back.",
                "Customer brought back a {product} that failed after three weeks and asked for a refund.",
                "I'm sorry about this. As the fault appeared within 30 days you're entitled to a full refund, so "
                "I've refunded {amount} to your original payment method today.",
            ),
            _V(
                "Rude delivery driver",
                "The driver who delivered order {order} on {day} threw the parcel over my gate and swore at me "
                "when I asked him to bring it to the door. This is not acceptable.",
                "Customer complained about the driver's behaviour on the delivery of order {order} on {day}.",
                "I'm sorry for how you were treated; that's not the service we expect. I've reported it to the "
                "courier, who will speak to the driver, and refunded your delivery charge.",
            ),
        ),
        ("Second damaged delivery from the {depot} depot this week. Flagged to the logistics team.",),
        "Product quality",
        ("damaged", "consumer-rights"),
        5,
    ),
    Scenario(
        "retail",
        "care",
        CaseKind.ENQUIRY,
        (_C, _C, _W, _E, _S),
        (
            _V(
                "Is the {product} back in stock?",
                "Can you tell me if the {product} will be back in stock before the weekend? I'd like to collect "
                "it from the {town} shop.",
                "Customer asked in store whether a {product} could be ordered for collection at {town}.",
                "Good news: the {product} is back in stock and I've reserved one for you at our {town} shop. It "
                "will be held for seven days.",
            ),
            _V(
                "Price match question",
                "I bought a {product} last week and it's now {amount} cheaper on your website. Can I get the "
                "difference back?",
                "Customer asked whether we would refund the {amount} price drop on a {product} bought last week.",
                "Yes, we match our own price within 14 days of purchase. I've refunded the difference of {amount}.",
            ),
        ),
        (),
        "Product information",
        ("stock",),
        3,
    ),
    Scenario(
        "retail",
        "care",
        CaseKind.COMPLIMENT,
        (_E, _W, _S, _F),
        (
            _V(
                "Thank you to your {town} team",
                "I just wanted to say how helpful the staff in your {town} shop were on {day}. They spent half an "
                "hour helping me choose a {product} and carried it to my car.",
                "Customer stopped by the {town} store to thank the team for their help choosing a {product}.",
                "Thank you for taking the time to tell us. I've passed your kind words on to the {town} team and "
                "their manager.",
            ),
            _V(
                "Great delivery driver",
                "The delivery driver went out of his way to bring my {product} upstairs. Please pass on my thanks.",
                "Customer called to praise the driver who delivered their {product}.",
                "Thank you! I've passed your message to the courier so the driver hears it too.",
            ),
        ),
        ("Forwarded to the {town} store manager for the team briefing.",),
        "Praise",
        ("compliment",),
        2,
    ),
    Scenario(
        "retail",
        "billing",
        CaseKind.ENQUIRY,
        (_E, _W, _C),
        (
            _V(
                "Charged twice for order {order}",
                "I was charged {amount} twice for order {order}. Please can you refund the duplicate payment?",
                "Customer called about a duplicate payment of {amount} on order {order}.",
                "You're right: the payment was taken twice because of a card terminal error. I've refunded the "
                "duplicate {amount}; it can take up to five working days to appear.",
            ),
            _V(
                "Discount code not applied",
                "I used the code from your newsletter but the discount didn't apply at checkout on order {order}.",
                "Customer says the newsletter discount was not applied to order {order}.",
                "I've applied the discount to order {order} and refunded {amount} to your card.",
            ),
        ),
        ("Payment provider confirms one of the two charges was a pending authorisation only.",),
        "Payments",
        ("payments",),
        2,
    ),
    Scenario(
        "retail",
        "care",
        CaseKind.REQUEST,
        (_A, _A, _E),
        (
            _V(
                "Marketplace order {order}: cancellation request",
                "Cancellation requested through the marketplace integration for order {order} ({product}). "
                "Reason given: ordered by mistake.",
                "Customer phoned to cancel marketplace order {order}.",
                "Order {order} is cancelled and the full amount of {amount} has been refunded.",
            ),
            _V(
                "Address change for order {order}",
                "The customer changed their delivery address to postcode {postcode} after dispatch of order {order}.",
                "Customer phoned to change the delivery address of order {order} to {postcode}.",
                "The courier has updated the delivery address for order {order} to {postcode}.",
            ),
        ),
        (),
        "Orders",
        ("marketplace",),
        2,
    ),
    # utilities ------------------------------------------------------------------------------------
    Scenario(
        "utilities",
        "billing",
        CaseKind.ENQUIRY,
        (_E, _W, _P, _P, _C),
        (
            _V(
                "My bill is much higher than usual",
                "My energy bill for {month} is {bill}, almost double last year's, and we've been away for two "
                "weeks. I think it's based on an estimate. My actual reading today is {reading}.",
                "Customer called about a high {month} bill of {bill}; gave a meter reading of {reading}.",
                "Thank you for the reading. Your {month} bill was based on an estimate; I've re-issued it using "
                "{reading}, and the new bill is {amount} lower. You'll see it in your account today.",
            ),
            _V(
                "Estimated bill but I have a smart meter",
                "Please could you check my bill? It says the reading was estimated, but I have a smart meter "
                "(serial {meter}).",
                "Customer asked why the {month} bill was estimated when they have smart meter {meter}.",
                "Your smart meter had stopped sending readings. We've reconnected it and re-issued your bill on "
                "actual readings.",
            ),
            _V(
                "Can I pay my bill in instalments?",
                "My {month} bill is {bill} and I can't pay it all at once. Can I spread the cost?",
                "Customer worried about paying the {month} bill of {bill}; asked about a payment plan.",
                "I've set up a payment plan so you can spread the {bill} over the next six months, with no "
                "extra charge. The first payment is on the 1st.",
            ),
        ),
        ("Smart meter {meter} has not sent a reading for 40 days. Raised with the metering team.",),
        "Billing",
        ("billing", "meter-reading"),
        6,
    ),
    Scenario(
        "utilities",
        "billing",
        CaseKind.REQUEST,
        (_E, _W, _P, _C),
        (
            _V(
                "Moving home - final reading",
                "I'm moving out on {day} to a new home at {postcode}. What do you need from me to close the "
                "account, and can you supply the new address?",
                "Customer moving home on {day}; final reading {reading} taken over the phone.",
                "All done: your final reading of {reading} is recorded and your final bill will arrive within two "
                "weeks. Your new home at {postcode} is set up on the {tariff} tariff.",
            ),
            _V(
                "Change my Direct Debit date",
                "Could you change my Direct Debit to the 28th of each month? I get paid at the end of the month.",
                "Customer asked to move their Direct Debit to the 28th.",
                "Your Direct Debit now comes out on the 28th, starting next month.",
            ),
            _V(
                "Switch me to the {tariff} tariff",
                "I'd like to move to your {tariff} tariff, as I now have an electric car.",
                "Customer asked to switch to the {tariff} tariff.",
                "You're now on the {tariff} tariff from today. Your new rates are in the attached letter.",
            ),
        ),
        (),
        "Account changes",
        ("home-move",),
        4,
    ),
    Scenario(
        "utilities",
        "complaints",
        CaseKind.COMPLAINT,
        (_E, _W, _P, _S),
        (
            _V(
                "Complaint: engineer did not turn up",
                "This is the third time an engineer has failed to turn up to fit our smart meter. I took a day off "
                "work each time. I want this escalated and I'd like compensation for the lost wages.",
                "Customer very unhappy: engineer missed the third smart meter appointment on {day}.",
                "I'm sorry we let you down three times. I've booked a confirmed morning appointment and paid "
                "{amount} into your account as compensation under the Guaranteed Standards. Our final response is "
                "attached; if you remain unhappy you can go to the Energy Ombudsman.",
            ),
            _V(
                "Complaint about my payment plan",
                "Your collections team has threatened to fit a prepayment meter even though I agreed a payment "
                "plan on the phone last month. I'm a full-time carer and this has caused me a great deal of stress.",
                "Customer distressed: collections letter about a prepayment meter despite an agreed payment plan.",
                "I'm very sorry. I've stopped all collection activity, confirmed your payment plan in writing and "
                "added a note so that no prepayment meter will be fitted.",
            ),
        ),
        ("Reviewed call recordings: the plan was agreed on the call. Referred for root-cause analysis.",),
        "Complaints",
        ("missed-appointment", "ombudsman-eligible"),
        4,
    ),
    Scenario(
        "utilities",
        "care",
        CaseKind.INCIDENT,
        (_A, _P, _W),
        (
            _V(
                "Smart meter {meter} offline",
                "Meter {meter} has not communicated for 14 days. Last reading received: {reading}.",
                "Customer reported that smart meter {meter} shows 'no signal'.",
                "Our engineer has reset the communications hub remotely and meter {meter} is sending readings again.",
            ),
            _V(
                "Power cut at {postcode}",
                "We've had no electricity since 7am at {postcode} and nobody else on the street seems affected.",
                "Customer reported a power cut at {postcode} by phone; vulnerable household (oxygen concentrator).",
                "The fault was in your service cable and has now been repaired. Power is back on.",
            ),
        ),
        ("Logged with the network operator, reference {ticket}. Customer is on the priority services register.",),
        "Faults",
        ("smart-meter",),
        3,
    ),
    # banking --------------------------------------------------------------------------------------
    Scenario(
        "banking",
        "billing",
        CaseKind.ENQUIRY,
        (_C, _E, _P, _W, _F),
        (
            _V(
                "Payment I don't recognise",
                "There's a payment of {amount} to {merchant} on my account ending {account} that I don't "
                "recognise. I still have my card. What should I do?",
                "Customer called about an unrecognised payment of {amount} to {merchant} on account ending {account}.",
                "I've blocked your card and ordered a replacement, which will arrive in three to five working "
                "days. The payment of {amount} has been raised as a dispute and refunded while we investigate.",
            ),
            _V(
                "Why was my card declined?",
                "My card was declined in a shop today even though there's plenty of money in my account ending "
                "{account}.",
                "Customer's card was declined in a shop in {town}; account ending {account} in credit.",
                "The decline was a security check. I've confirmed the recent payments with you and your card is "
                "working again.",
            ),
        ),
        ("Payment matches a known fraud pattern for {merchant}. Card stopped; dispute raised.",),
        "Cards and payments",
        ("card", "fraud-check"),
        5,
    ),
    Scenario(
        "banking",
        "billing",
        CaseKind.REQUEST,
        (_E, _W, _F, _C),
        (
            _V(
                "Statement request",
                "Please can you send me paper statements for the last six months for my account ending "
                "{account}? I need them for a mortgage application.",
                "Customer visited the {town} branch to ask for six months of statements.",
                "Your statements have been posted today and should arrive within five working days. You can also "
                "download them from online banking under 'Documents'.",
            ),
            _V(
                "Add my partner to my account",
                "I'd like to add my partner as a joint holder on my current account ending {account}. What "
                "documents do you need?",
                "Customer asked in the {town} branch how to add a joint account holder.",
                "Your partner can complete the joint account application online; they'll need photo ID and proof "
                "of address. I've sent you both the link.",
            ),
        ),
        (),
        "Accounts",
        ("statements",),
        3,
    ),
    Scenario(
        "banking",
        "complaints",
        CaseKind.COMPLAINT,
        (_E, _W, _P, _F),
        (
            _V(
                "Unfair charges on my account",
                "I was charged {amount} in fees because a payment you delayed went overdrawn. It wasn't my fault "
                "and I want the charges refunded.",
                "Customer complained about overdraft fees of {amount} caused by a delayed payment.",
                "I'm sorry for the trouble this caused. The delay was our error, so I've refunded the {amount} in "
                "charges and added a payment for the inconvenience. Details of the Financial Ombudsman Service "
                "are in our final response letter.",
            ),
            _V(
                "Complaint about branch service",
                "I waited 50 minutes in the {town} branch to be told nobody could help me. I'm 78 and it's a long "
                "way for me to travel.",
                "Customer complained in the {town} branch after a 50-minute wait.",
                "I'm so sorry. Our branch manager will call you to arrange a home visit or a phone appointment, "
                "whichever you prefer.",
            ),
        ),
        ("Charges applied by the batch job on {day}; a known issue fixed since. Check other affected accounts.",),
        "Complaints",
        ("fees", "ombudsman-eligible"),
        3,
    ),
    # hospitality ----------------------------------------------------------------------------------
    Scenario(
        "hospitality",
        "bookings",
        CaseKind.REQUEST,
        (_E, _W, _P, _C),
        (
            _V(
                "Change of dates for booking {booking}",
                "We have a booking ({booking}) at {hotel} for {nights} nights. Can we move it back a week? Same "
                "room type if possible.",
                "Guest called to move booking {booking} at {hotel} back by a week.",
                "Your booking {booking} has been moved and the new confirmation is attached. There was no change "
                "to the price.",
            ),
            _V(
                "Accessible room request",
                "I'm booked into {hotel} next month and use a wheelchair. Please can you confirm the room has a "
                "level-access shower?",
                "Guest asked for an accessible room with a level-access shower at {hotel}.",
                "I've confirmed with {hotel}: room {room} is on the ground floor with a level-access shower and a "
                "hoist on request, and it's reserved for you.",
            ),
            _V(
                "Cancel booking {booking}",
                "Sadly we need to cancel booking {booking} at {hotel}. Is there a cancellation charge?",
                "Guest rang to cancel booking {booking}.",
                "Booking {booking} is cancelled. As it was more than 48 hours before arrival, there is no charge.",
            ),
        ),
        ("Hotel confirms room {room} has full accessible facilities.",),
        "Bookings",
        ("booking-change",),
        4,
    ),
    Scenario(
        "hospitality",
        "complaints",
        CaseKind.COMPLAINT,
        (_E, _W, _S, _F),
        (
            _V(
                "Disappointing stay at {hotel}",
                "We stayed at {hotel} for {nights} nights (booking {booking}). The room was not cleaned once and "
                "the heating didn't work. For {big_amount} I expected far better.",
                "Guest complained at reception about room {room}: heating fault, room not serviced.",
                "Thank you for telling us, and I'm sorry your stay fell so far short. I've refunded one night "
                "({amount}) and shared your comments with the hotel's general manager.",
            ),
            _V(
                "Overcharged at check-out",
                "At check-out from {hotel} I was charged {amount} for the minibar, which we never used.",
                "Guest disputed a minibar charge of {amount} at check-out.",
                "You're right; the minibar charge was an error. It's been refunded in full.",
            ),
        ),
        ("Hotel manager confirms the heating fault in room {room}; housekeeping rota was short that week.",),
        "Complaints",
        ("hotel-stay",),
        3,
    ),
    Scenario(
        "hospitality",
        "bookings",
        CaseKind.ENQUIRY,
        (_C, _E, _W, _S, _P),
        (
            _V(
                "Parking at {hotel}?",
                "Is there parking at {hotel}, and do we need to book it? We arrive on {day}.",
                "Guest asked about parking at {hotel}.",
                "Yes, there is free parking for guests; no need to book. We look forward to seeing you on {day}.",
            ),
            _V(
                "Lost property - room {room}",
                "I think I left a phone charger in room {room} at {hotel} on {day}. Has it been handed in?",
                "Guest phoned about an item left in room {room} at {hotel}.",
                "Housekeeping found your charger and we've posted it to you today by tracked post.",
            ),
            _V(
                "Are dogs allowed at {hotel}?",
                "We'd like to bring our dog when we stay at {hotel}. Is that allowed?",
                "Guest asked whether dogs are allowed at {hotel}.",
                "Dogs are very welcome in our garden rooms for a small charge. I've added it to your booking.",
            ),
        ),
        (),
        "General enquiries",
        (),
        3,
    ),
    Scenario(
        "hospitality",
        "bookings",
        CaseKind.COMPLIMENT,
        (_E, _S, _W),
        (
            _V(
                "Wonderful stay at {hotel}",
                "We had a wonderful stay at {hotel}. The staff remembered our anniversary and left flowers in the "
                "room.",
                "Guest called to thank the team at {hotel} for their anniversary stay.",
                "Thank you so much. I've shared your message with the team at {hotel}, who will be delighted.",
            ),
        ),
        (),
        "Praise",
        ("compliment",),
        1,
    ),
    # internal IT ----------------------------------------------------------------------------------
    Scenario(
        "it",
        "it",
        CaseKind.INCIDENT,
        (_I, _I, _E, _P, _C, _W),
        (
            _V(
                "Locked out after a password change",
                "Since this morning I can't get into {app}; it says my credentials are wrong. I changed my "
                "password yesterday. Laptop asset tag {asset}.",
                "Colleague rang the desk: cannot log in to {app} after a password change; laptop {asset}.",
                "Your cached password was out of date. I've cleared it remotely; please restart your laptop and "
                "sign in with your new password.",
            ),
            _V(
                "{app} keeps crashing",
                "{app} freezes every time I open a shared file. I've restarted twice. I have a deadline this "
                "afternoon.",
                "Colleague reported {app} freezing on shared files; deadline today.",
                "We found a corrupt local profile for {app}. I've rebuilt it and it's working again. Let us know "
                "if it happens again.",
            ),
            _V(
                "Can't connect to the VPN from home",
                "I'm working from home and the VPN won't connect; it times out. Laptop {asset}.",
                "Colleague working from home cannot connect to the VPN; laptop {asset}.",
                "The VPN client on your laptop needed an update. I've pushed it remotely and you should be able "
                "to connect now.",
            ),
        ),
        ("Fourth report of {app} problems today; linked to problem {ticket}.",),
        "Access and accounts",
        ("password",),
        6,
    ),
    Scenario(
        "it",
        "it",
        CaseKind.REQUEST,
        (_I, _I, _W, _E),
        (
            _V(
                "New starter laptop for my team",
                "We have a new starter joining on {day}. Please can you set up a laptop, an email account and "
                "access to {app}?",
                "Manager asked at the desk in {building} for a new starter's laptop and accounts.",
                "The laptop ({asset}) is ready for collection from the IT desk in {building}, and the account and "
                "{app} access are set up.",
            ),
            _V(
                "Access to {app}",
                "Please can I have access to {app}? My manager has approved it.",
                "Colleague asked at the desk in {building} for access to {app}.",
                "Access to {app} is granted; it may take 15 minutes to appear.",
            ),
            _V(
                "Replacement laptop charger",
                "My laptop charger has stopped working. Can I get a replacement? Asset tag {asset}.",
                "Colleague came to the desk in {building} with a broken laptop charger.",
                "A new charger is waiting for you at the IT desk in {building}.",
            ),
        ),
        ("Approval received from the line manager.",),
        "Requests",
        ("new-starter",),
        4,
    ),
    Scenario(
        "it",
        "it",
        CaseKind.INCIDENT,
        (_I, _P, _F, _E),
        (
            _V(
                "Printer on the {floor} not working",
                "The printer on the {floor} of {building} shows a paper jam error but there's no paper stuck.",
                "Colleague reported the {floor} printer in {building} showing a false paper jam.",
                "An engineer replaced a faulty sensor and the printer is back in service.",
            ),
            _V(
                "No Wi-Fi on the {floor}",
                "Nobody on the {floor} of {building} can connect to the Wi-Fi this morning.",
                "Facilities reported the {floor} Wi-Fi down in {building}.",
                "The access point on the {floor} was replaced and Wi-Fi is working again.",
            ),
            _V(
                "Meeting room screen broken",
                "The screen in the {floor} meeting room at {building} won't connect to laptops.",
                "Colleague reported the {floor} meeting room screen in {building} not working.",
                "The screen's adapter was faulty and has been replaced; the room is working again.",
            ),
        ),
        ("Access point on the {floor} failing; replacement ordered.",),
        "Hardware",
        ("office",),
        3,
    ),
    # internal HR ----------------------------------------------------------------------------------
    Scenario(
        "hr",
        "people",
        CaseKind.ENQUIRY,
        (_I, _E, _W, _F),
        (
            _V(
                "Overtime missing from {month} pay",
                "My {month} payslip doesn't include the overtime I worked on {day}. Who should I speak to?",
                "Colleague dropped in to ask about overtime missing from the {month} payslip.",
                "The overtime was approved late; it will be paid in next month's salary with a note on the payslip.",
            ),
            _V(
                "Holiday entitlement",
                "How many days of annual leave do I have left this year? The HR system shows two different figures.",
                "Colleague asked how much annual leave they have left.",
                "You have {days} days left this year, including the bank holidays. The system figure has been fixed.",
            ),
        ),
        ("Checked with payroll: the timesheet approval came after the cut-off.",),
        "Pay and leave",
        ("payroll",),
        4,
    ),
    Scenario(
        "hr",
        "people",
        CaseKind.REQUEST,
        (_I, _E, _W),
        (
            _V(
                "Request for flexible working",
                "I'd like to apply to work compressed hours from next month. Is there a form?",
                "Colleague asked in person how to apply for flexible working.",
                "I've sent you the flexible working request form; your manager has 28 days to respond.",
            ),
            _V(
                "Reference letter for a mortgage",
                "My mortgage lender needs a letter confirming my salary and employment. Could HR provide one?",
                "Colleague asked in person for an employment reference letter.",
                "The letter has been sent to you by email and a signed copy is in the post.",
            ),
        ),
        (),
        "Employment",
        ("letters",),
        3,
    ),
)

# --- the other steps of a case, per sector --------------------------------------------------------

ACKNOWLEDGEMENTS = {
    "default": (
        "Thank you for getting in touch. I'm looking into this now and will update you by the end of tomorrow.",
        "Thanks for your message. I've picked this up and I'm checking the details with the team.",
        "Thank you for letting us know, and sorry for the trouble. I'm on it and will be back in touch shortly.",
    ),
    "it": (
        "Thanks, we've picked this up. An engineer will be in touch within four working hours.",
        "Thanks for reporting this. I'm looking at it now; please leave your laptop switched on.",
    ),
    "hr": ("Thanks for your question. I'm checking with payroll and will come back to you this week.",),
}
# What an agent asks for, and what the customer sends back.
QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "default": (
        (
            "Could you confirm the postcode on the account and the best number to reach you on?",
            "The postcode is {postcode} and the best number is my mobile. Any time after 10am.",
        ),
    ),
    "retail": (
        (
            "To help me look into this, could you send a photo of the item and the label on the box?",
            "Thanks for coming back to me. I've attached the photos you asked for.",
        ),
        (
            "Could you send me a copy of the receipt or the order confirmation email?",
            "Here's the order confirmation. The order number is {order}.",
        ),
    ),
    "utilities": (
        (
            "Could you send a photo of your meter showing today's reading, please?",
            "Here's the photo. The reading today is {reading}.",
        ),
    ),
    "banking": (
        (
            "For your security, please confirm the last payment you made on the card, and when.",
            "The last one I made was {amount} at a supermarket on {day}.",
        ),
    ),
    "hospitality": (
        (
            "Could you confirm the name on the booking and the dates of your stay?",
            "The booking is in my name, reference {booking}, for {nights} nights.",
        ),
    ),
    "it": (
        (
            "Could you send a screenshot of the error and tell me whether you're in the office or at home?",
            "Screenshot attached. I'm working from home today.",
        ),
        ("Can you confirm the asset tag on the bottom of your laptop?", "It's {asset}."),
    ),
    "hr": (
        (
            "Could you send your employee number and the dates involved, please?",
            "Here are the details you asked for; it was {day} of the week before last.",
        ),
    ),
}
CHASERS = {
    "default": (
        "I still haven't heard anything. Can you please tell me what is happening?",
        "Sorry, this still isn't sorted. The problem came back on {day}.",
    ),
    "retail": ("I'm afraid the refund hasn't appeared on my statement yet.",),
    "banking": ("The payment has gone out of my account again on {day}.",),
    "it": ("It's stopped working again since this morning. Could someone take another look?",),
}
ADDITIONS = (
    "Just to add: it first happened on {day}.",
    "One more thing: the best time to reach me is after 5pm.",
    "Thanks for the quick reply. Let me know if you need anything else from me.",
)
NOTES = (
    "Checked the account history; no previous contact about this.",
    "Customer asked for updates in writing; keep them short.",
    "Waiting on the supplier to confirm. Chase on {day} if nothing heard.",
    "Discussed with the team lead, who agreed the goodwill gesture.",
    "Possible repeat issue: see the customer's other cases.",
)
THIRD_PARTY_NOTES = {
    "default": ("Referred to the supplier for their report; they reply within two working days.",),
    "retail": (
        "Asked the courier for a proof of delivery; they reply within two working days.",
        "Sent the photos to the supplier for an engineer's report.",
        "Waiting for the warehouse to confirm stock and a dispatch date.",
    ),
    "utilities": (
        "Waiting for the network operator to confirm the repair date.",
        "Booked with the metering contractor; awaiting their engineer's report.",
    ),
    "banking": (
        "Chased the card scheme for the merchant's evidence; 10 working days.",
        "Waiting for the payments provider's settlement report.",
    ),
    "hospitality": ("Asked the hotel's general manager for their account of the stay.",),
    "it": (
        "Raised with the software supplier under our support contract, reference {ticket}.",
        "Replacement part ordered from the hardware supplier; delivery in two days.",
    ),
    "hr": ("Waiting for payroll to confirm the correction for this month's run.",),
}
CALLS_OUT = (
    "Called the customer back. Explained what we found and what happens next; they were happy with the plan.",
    "Rang the customer to talk it through. Agreed to follow up in writing.",
    "Called back and left a voicemail asking them to ring us or reply to the email.",
)
WRITTEN_INSTEAD_OF_CALL = (
    "As you asked us to keep to writing, here is where things stand: we have looked into it and will write again "
    "as soon as we have the answer."
)
CALLS_IN = (
    "Customer rang for an update. Explained we're still waiting to hear back and will be in touch.",
    "Customer called to add that the problem happened again on {day}.",
)

GREETINGS = ("Hello,", "Hi,", "Good morning,", "Dear Sir or Madam,", "Hi there,", "Hello team,")
SIGN_OFFS = ("Thanks,", "Many thanks,", "Kind regards,", "Best wishes,", "Regards,", "Cheers,")
INTERNAL_GREETINGS = ("Hi IT,", "Hi team,", "Hello,", "Morning all,")
REPLY_OPENINGS = ("Hello {first},", "Hi {first},", "Dear {first},")
REPLY_CLOSINGS = (
    "If there's anything else, just reply to this message.",
    "Please let me know if I can help with anything else.",
    "Thank you for your patience.",
)
