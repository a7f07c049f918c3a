"""Demo supply side: frameworks and dynamic markets, suppliers of every size, hundreds of offers.

Everything is generated from the curated word lists below with a fixed random seed, so every
run plans the same data; seeding creates only what is missing, so running it twice changes
nothing. No shared data files are read at run time.

G-Cloud service categories are a selection from the Digital Marketplace frameworks repository
(Crown Copyright, MIT licence); CPV codes are from CPV 2008 (Regulation (EC) No 213/2008).
Phone numbers are from Ofcom's ranges reserved for drama; web and email domains use the
reserved .example top-level domain.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from ndx.accounts.models import Organisation, User
from suppliers.models import (
    BalanceSheetBand,
    FrameworkMembership,
    HeadcountBand,
    LotApplication,
    SupplierProfile,
    TurnoverBand,
    classify_size,
)

from .models import DeclarationQuestion, Framework, Lot, Offer, OfferRevision
from .search_index import revision_search_index

SEED = 20241112
EXTERNAL_PREFIX = "demo-"

# --- frameworks and lots ---------------------------------------------------------------------

G_CLOUD_HOSTING = [
    "Archiving, backup and disaster recovery",
    "Compute and application hosting",
    "Container service",
    "Content delivery network",
    "Data warehousing",
    "Relational database",
    "Firewall",
    "Logging and analysis",
    "Networking (including network as a service)",
    "Platform as a service (PaaS)",
    "Protective monitoring",
    "Object storage",
]
G_CLOUD_SOFTWARE = [
    "Accounting and finance",
    "Analytics and business intelligence",
    "Application security",
    "Collaborative working",
    "Customer relationship management (CRM)",
    "Electronic document and records management (EDRM)",
    "Healthcare",
    "Human resources and employee management",
    "Legal and enforcement",
    "Marketing",
    "Operations management",
    "Project management and planning",
    "Schools, education and libraries",
    "Software development tools",
    "Transport and logistics",
]
G_CLOUD_SUPPORT = [
    "Planning",
    "Setup and migration",
    "Quality assurance and performance testing",
    "Security services",
    "Training",
    "Ongoing support",
]
DOS_ROLES = [
    "Agile coach",
    "Business analyst",
    "Content designer",
    "Data architect",
    "Data engineer",
    "Data scientist",
    "Delivery manager",
    "Designer",
    "Developer",
    "Performance analyst",
    "Product manager",
    "Programme manager",
    "Quality assurance analyst",
    "Cyber security consultant",
    "Service manager",
    "Technical architect",
    "User researcher",
    "Web operations engineer",
]
COUNCIL_CATEGORIES = [
    "Revenues and benefits",
    "Adult social care",
    "Children's services",
    "Planning and building control",
    "Housing",
    "Waste and street scene",
    "Customer contact",
    "Elections",
    "Licensing",
    "Parking",
]

TERMS = "Do you accept the framework's terms and conditions and the call-off contract?"

# (reference, name, kind, status, description, max value, [lots], [questions])
# lot: (slug, name, description, direct award allowed, categories)
# question: (text, hint, kind, required answer)
FRAMEWORKS: list[dict[str, Any]] = [
    {
        "reference": "RM1557.14",
        "name": "G-Cloud 14",
        "kind": Framework.Kind.FRAMEWORK,
        "status": Framework.Status.LIVE,
        "description": (
            "Cloud hosting, cloud software and cloud support, bought off the shelf by direct "
            "award. Every service is described the same way, so buyers can compare them."
        ),
        "max_value": Decimal("6500000000"),
        "lots": [
            (
                "cloud-hosting",
                "Cloud hosting",
                "Platforms and infrastructure to run services and store data.",
                True,
                G_CLOUD_HOSTING,
            ),
            (
                "cloud-software",
                "Cloud software",
                "Applications delivered over the internet and paid for as they are used.",
                True,
                G_CLOUD_SOFTWARE,
            ),
            (
                "cloud-support",
                "Cloud support",
                "Help to plan, set up, migrate to, secure and run cloud services.",
                True,
                G_CLOUD_SUPPORT,
            ),
        ],
        "questions": [
            (TERMS, "Read the framework agreement and call-off contract first.", "yes_no", "yes"),
            (
                "Do you hold a current Cyber Essentials or Cyber Essentials Plus certificate?",
                "",
                "yes_no",
                "yes",
            ),
            (
                "Describe where buyers' data is stored and processed.",
                "Name the countries and the hosting providers you use.",
                "text",
                "",
            ),
        ],
    },
    {
        "reference": "RM1043.9",
        "name": "Digital Outcomes 6",
        "kind": Framework.Kind.FRAMEWORK,
        "status": Framework.Status.LIVE,
        "description": (
            "Teams to research, design, build and run digital services to the Service "
            "Standard, and individual specialists to join buyers' teams."
        ),
        "max_value": Decimal("1600000000"),
        "lots": [
            (
                "digital-outcomes",
                "Digital outcomes",
                "A team to deliver a discovery, alpha, beta or live service. Buyers run a "
                "further competition.",
                False,
                ["Discovery", "Alpha", "Beta", "Live"],
            ),
            (
                "digital-specialists",
                "Digital specialists",
                "An individual specialist to work in the buyer's team, paid by the day.",
                True,
                DOS_ROLES,
            ),
        ],
        "questions": [
            (TERMS, "", "yes_no", "yes"),
            (
                "Have you delivered a service that passed a Service Standard assessment?",
                "Any government department's assessment counts.",
                "yes_no",
                "",
            ),
        ],
    },
    {
        "reference": "RM6098",
        "name": "Technology Products and Associated Services 2",
        "kind": Framework.Kind.FRAMEWORK,
        "status": Framework.Status.LIVE,
        "description": (
            "Hardware, software licences and the services that go with them: configuration, "
            "installation, maintenance and secure disposal."
        ),
        "max_value": Decimal("3000000000"),
        "lots": [
            (
                "hardware",
                "Hardware",
                "Laptops, desktops, monitors, mobile devices, printers and networking equipment.",
                True,
                [
                    "Laptops and desktops",
                    "Monitors and peripherals",
                    "Mobile devices",
                    "Printers",
                    "Networking equipment",
                ],
            ),
            (
                "software",
                "Software and licences",
                "Off-the-shelf software licences and subscriptions.",
                True,
                ["Productivity", "Security", "Infrastructure software", "Specialist software"],
            ),
            (
                "associated-services",
                "Associated services",
                "Services that go with technology products.",
                True,
                ["Configuration", "Installation", "Maintenance", "Disposal"],
            ),
        ],
        "questions": [
            (TERMS, "", "yes_no", "yes"),
            ("Can you deliver to addresses in all four UK nations?", "", "yes_no", ""),
        ],
    },
    {
        "reference": "NDX-DM-001",
        "name": "Local Government Software Marketplace",
        "kind": Framework.Kind.DYNAMIC_MARKET,
        "status": Framework.Status.LIVE,
        "description": (
            "Software for councils' services, from council tax to care. A dynamic market: "
            "suppliers can apply to join at any time."
        ),
        "max_value": Decimal("750000000"),
        "lots": [
            (
                "council-software",
                "Council software and services",
                "Line-of-business software for local authorities, with implementation.",
                True,
                COUNCIL_CATEGORIES,
            ),
        ],
        "questions": [
            (TERMS, "", "yes_no", "yes"),
            (
                "Do you give local government customers a named account manager?",
                "",
                "yes_no",
                "yes",
            ),
        ],
    },
    {
        "reference": "RM3764.4",
        "name": "Cyber Security Services 4",
        "kind": Framework.Kind.FRAMEWORK,
        "status": Framework.Status.DRAFT,
        "awaiting_approval": True,
        "description": (
            "NCSC-assured cyber security consultancy, penetration testing and incident "
            "response. Waiting for a second member of staff to approve it going live."
        ),
        "max_value": Decimal("200000000"),
        "lots": [
            (
                "consultancy",
                "Cyber security consultancy",
                "Risk, architecture, assurance.",
                True,
                [],
            ),
            ("penetration-testing", "Penetration testing", "CHECK-assured testing.", True, []),
            ("incident-response", "Incident response", "CIR-assured response.", True, []),
        ],
        "questions": [(TERMS, "", "yes_no", "yes")],
    },
]

# --- products: what suppliers offer in each lot ------------------------------------------------

# (category, product, pricing model, (lowest, highest) list price, CPV codes, summary, features)
Product = tuple[str, str, str, tuple[int, int], list[str], str, list[str]]

PRODUCTS: dict[str, list[Product]] = {
    "cloud-hosting": [
        (
            "Compute and application hosting",
            "Managed virtual servers",
            "per_unit",
            (45, 900),
            ["72415000-2", "72410000-7"],
            "Virtual servers in UK data centres, patched and monitored for you",
            [
                "Linux and Windows servers",
                "Automatic patching",
                "Scale up or down in minutes",
                "Daily snapshots kept for 30 days",
                "Private networking between servers",
                "Infrastructure as code with Terraform",
            ],
        ),
        (
            "Archiving, backup and disaster recovery",
            "Backup and disaster recovery",
            "per_unit",
            (60, 1500),
            ["72910000-2", "72900000-9"],
            "Immutable backups and tested recovery to a second UK site",
            [
                "Immutable, ransomware-resistant copies",
                "Recovery tested every quarter",
                "Recovery time objective of 4 hours",
                "Backups of Microsoft 365 and Google Workspace",
                "Retention rules per record type",
            ],
        ),
        (
            "Container service",
            "Managed Kubernetes",
            "per_unit",
            (250, 2500),
            ["72415000-2", "48800000-6"],
            "Kubernetes clusters run for you, with upgrades, monitoring and support",
            [
                "Certified Kubernetes",
                "Zero-downtime upgrades",
                "Private container registry",
                "Autoscaling nodes",
                "Policy enforcement with OPA Gatekeeper",
            ],
        ),
        (
            "Content delivery network",
            "Content delivery network",
            "per_unit",
            (30, 800),
            ["72400000-4"],
            "Fast, resilient delivery of websites and files from UK edge locations",
            [
                "UK edge locations",
                "Free TLS certificates",
                "Instant cache purge",
                "HTTP/3 support",
                "Real-time traffic reporting",
            ],
        ),
        (
            "Relational database",
            "Managed PostgreSQL",
            "per_unit",
            (80, 1800),
            ["72320000-4", "48600000-4"],
            "PostgreSQL databases with automatic failover, backups and point-in-time restore",
            [
                "Automatic failover",
                "Point-in-time restore for 35 days",
                "Encryption at rest and in transit",
                "Read replicas",
                "Major version upgrades handled for you",
            ],
        ),
        (
            "Object storage",
            "UK object storage",
            "per_unit",
            (10, 400),
            ["72317000-0"],
            "S3-compatible storage kept only in the UK, billed by the terabyte",
            [
                "S3-compatible API",
                "Data kept in the UK only",
                "Object lock for retention",
                "Lifecycle rules to cheaper tiers",
                "No charge for data leaving",
            ],
        ),
        (
            "Firewall",
            "Managed web application firewall",
            "per_unit",
            (120, 1400),
            ["48730000-4", "72700000-7"],
            "A web application firewall tuned and watched by our security team",
            [
                "OWASP top 10 protection",
                "Bot management",
                "Rules tuned to your application",
                "24/7 monitoring",
                "Monthly threat report",
            ],
        ),
        (
            "Protective monitoring",
            "Security operations centre as a service",
            "per_unit",
            (900, 6000),
            ["72500000-0", "48730000-4"],
            "Round-the-clock security monitoring, triage and response from a UK SOC",
            [
                "24/7 UK-based analysts",
                "Microsoft Sentinel and Splunk",
                "Incidents triaged within 15 minutes",
                "Threat hunting",
                "Meets the NCSC Cyber Assessment Framework",
            ],
        ),
        (
            "Platform as a service (PaaS)",
            "Government platform as a service",
            "per_unit",
            (150, 3000),
            ["72415000-2", "72260000-5"],
            "Deploy applications with one command; we run the platform underneath",
            [
                "Deploy with git push",
                "Managed databases and queues",
                "Blue-green deployments",
                "Single sign-on for your team",
                "Logs and metrics built in",
            ],
        ),
        (
            "Logging and analysis",
            "Log management and analytics",
            "per_unit",
            (90, 1200),
            ["72310000-1", "72322000-8"],
            "Collect, search and alert on logs from every system in one place",
            [
                "Search a year of logs in seconds",
                "Alerting to email, Slack and Teams",
                "Parsers for common formats",
                "Role-based access",
                "Retention to meet your records policy",
            ],
        ),
        (
            "Networking (including network as a service)",
            "Network as a service",
            "per_unit",
            (300, 4000),
            ["72700000-7", "32424000-1"],
            "Secure connectivity between offices, data centres and cloud, managed end to end",
            [
                "SD-WAN across all sites",
                "PSN and HSCN connectivity",
                "Private links to public clouds",
                "Proactive fault management",
                "Quarterly capacity reviews",
            ],
        ),
        (
            "Data warehousing",
            "Cloud data warehouse",
            "per_unit",
            (200, 3500),
            ["72320000-4", "72322000-8"],
            "A managed warehouse to join up and analyse your organisation's data",
            [
                "Columnar storage",
                "Connectors for common council and NHS systems",
                "Row-level security",
                "Works with Power BI and Tableau",
                "Pay for the compute you use",
            ],
        ),
    ],
    "cloud-software": [
        (
            "Customer relationship management (CRM)",
            "Contact centre CRM",
            "per_user_month",
            (18, 65),
            ["48400000-2", "72260000-5"],
            "Handle every enquiry by phone, email, web chat and social media in one place",
            [
                "Single view of each resident or customer",
                "Web chat and email in one queue",
                "Case routing by skill",
                "Integration with telephony",
                "Satisfaction surveys",
                "Reporting against service standards",
            ],
        ),
        (
            "Electronic document and records management (EDRM)",
            "Records management",
            "per_user_month",
            (6, 24),
            ["48300000-1", "72512000-7"],
            "Keep, find and dispose of records in line with your retention schedule",
            [
                "Retention schedules applied automatically",
                "Legal holds",
                "Full-text search",
                "Freedom of information and subject access requests",
                "Microsoft 365 integration",
            ],
        ),
        (
            "Human resources and employee management",
            "HR and payroll",
            "per_user_month",
            (4, 15),
            ["48450000-7"],
            "HR, payroll and pensions for public-sector pay scales",
            [
                "NJC, Agenda for Change and teachers' pay scales",
                "Local Government Pension Scheme returns",
                "Self-service for staff and managers",
                "Absence and leave",
                "Real-time information to HMRC",
            ],
        ),
        (
            "Accounting and finance",
            "Finance and purchase-to-pay",
            "per_user_month",
            (20, 80),
            ["48440000-4", "48400000-2"],
            "General ledger, purchasing, payables and budgets for public bodies",
            [
                "Fund and cost-centre accounting",
                "Purchase orders with approval rules",
                "Invoice capture with OCR",
                "Budget monitoring",
                "Whole of Government Accounts returns",
            ],
        ),
        (
            "Analytics and business intelligence",
            "Performance dashboards",
            "per_user_month",
            (9, 45),
            ["48400000-2", "72320000-4"],
            "Dashboards that show how services are performing, updated every day",
            [
                "Ready-made dashboards for common services",
                "Drag-and-drop report builder",
                "Scheduled reports by email",
                "Accessible charts",
                "Open data publishing",
            ],
        ),
        (
            "Collaborative working",
            "Secure collaboration workspace",
            "per_user_month",
            (4, 18),
            ["48500000-3"],
            "Share documents and work together safely with partner organisations",
            [
                "Guest access for partners",
                "Documents marked OFFICIAL-SENSITIVE",
                "Version history",
                "Discussion threads",
                "Mobile apps",
            ],
        ),
        (
            "Healthcare",
            "Patient flow",
            "per_licence",
            (1500, 12000),
            ["48814000-7"],
            "See bed availability and discharges across a trust in real time",
            [
                "Live bed state",
                "Discharge planning",
                "Integration with the patient administration system",
                "Escalation alerts (OPEL)",
                "NHS login for staff",
            ],
        ),
        (
            "Project management and planning",
            "Portfolio and project management",
            "per_user_month",
            (8, 40),
            ["48300000-1", "72224000-1"],
            "Plan projects, track benefits and report to boards from one place",
            [
                "Portfolio dashboards",
                "Risks, issues and dependencies",
                "Benefits tracking",
                "Resource planning",
                "Board reports in one click",
            ],
        ),
        (
            "Schools, education and libraries",
            "Library management",
            "per_licence",
            (900, 9000),
            ["48190000-6"],
            "Catalogue, circulation and e-lending for public and school libraries",
            [
                "Self-service kiosks",
                "Online catalogue",
                "E-book and audiobook lending",
                "Inter-library loans",
                "Reading challenges",
            ],
        ),
        (
            "Legal and enforcement",
            "Legal case management",
            "per_user_month",
            (25, 90),
            ["48400000-2"],
            "Manage legal matters, time recording and court bundles for in-house teams",
            [
                "Matter management",
                "Time recording",
                "Court bundle builder",
                "Precedent library",
                "Key dates and limitation reminders",
            ],
        ),
        (
            "Application security",
            "Application security testing",
            "per_licence",
            (2000, 20000),
            ["48730000-4", "72820000-4"],
            "Find vulnerabilities in your code and dependencies before they go live",
            [
                "Static analysis",
                "Dependency scanning",
                "Secrets detection",
                "Pull request comments",
                "Reports mapped to OWASP",
            ],
        ),
        (
            "Operations management",
            "Field service scheduling",
            "per_user_month",
            (12, 48),
            ["48400000-2"],
            "Schedule and track field staff, from repairs to inspections",
            [
                "Optimised routes",
                "Mobile app that works offline",
                "Photos and signatures",
                "Appointment reminders by text",
                "Job costing",
            ],
        ),
        (
            "Transport and logistics",
            "Fleet management",
            "per_unit",
            (8, 40),
            ["48400000-2", "34000000-7"],
            "Track vehicles, maintenance and fuel for public-sector fleets",
            [
                "Vehicle tracking",
                "Maintenance schedules",
                "Driver licence checks",
                "Fuel card reconciliation",
                "Emissions reporting",
            ],
        ),
        (
            "Software development tools",
            "Continuous integration and delivery",
            "per_user_month",
            (10, 45),
            ["48700000-5", "72262000-9"],
            "Build, test and deploy code automatically, hosted in the UK",
            [
                "Pipelines as code",
                "Hosted or self-hosted runners",
                "Artefact storage",
                "Deployment approvals",
                "Audit log of every release",
            ],
        ),
        (
            "Marketing",
            "Email and text notifications",
            "per_unit",
            (5, 60),
            ["48500000-3", "72400000-4"],
            "Send emails and text messages to residents, with delivery reporting",
            [
                "Templates with personalisation",
                "Delivery and open reporting",
                "Subscriber preferences",
                "API and spreadsheet uploads",
                "Accessible email templates",
            ],
        ),
    ],
    "cloud-support": [
        (
            "Setup and migration",
            "Cloud migration",
            "per_day",
            (650, 1200),
            ["72220000-3", "72266000-7"],
            "Move applications and data to the cloud safely, with no surprises on cost",
            [
                "Discovery of your current estate",
                "Migration plan by wave",
                "Landing zone built to NCSC principles",
                "Cost forecasts",
                "Knowledge transfer to your team",
            ],
        ),
        (
            "Planning",
            "Cloud readiness assessment",
            "fixed",
            (8000, 40000),
            ["72220000-3", "79411000-8"],
            "A fixed-price review of what to move to the cloud, in what order, and what it costs",
            [
                "Application-by-application assessment",
                "Total cost of ownership",
                "Skills review",
                "Roadmap for the next two years",
                "Presentation to your board",
            ],
        ),
        (
            "Security services",
            "IT health check and penetration testing",
            "per_day",
            (800, 1400),
            ["72810000-1", "72820000-4"],
            "CHECK-assured IT health checks, for PSN compliance and peace of mind",
            [
                "NCSC CHECK team leaders",
                "Infrastructure and web application testing",
                "Report with prioritised fixes",
                "Free retest of critical findings",
                "PSN remediation plan",
            ],
        ),
        (
            "Quality assurance and performance testing",
            "Accessibility audit to WCAG 2.2",
            "fixed",
            (3000, 18000),
            ["72820000-4"],
            "An audit of your service against WCAG 2.2 AA, with an accessibility statement",
            [
                "Testing with assistive technology",
                "Issues ranked by impact",
                "Draft accessibility statement",
                "Retest after fixes",
                "Training for developers",
            ],
        ),
        (
            "Training",
            "Cloud skills training",
            "per_day",
            (900, 2500),
            ["80533100-0", "79632000-3"],
            "Hands-on training for your technical teams, on site or online",
            [
                "Courses for AWS, Azure and Google Cloud",
                "Up to 12 people a course",
                "Exam vouchers",
                "Labs in a sandbox account",
                "Follow-up clinics",
            ],
        ),
        (
            "Ongoing support",
            "24/7 managed cloud service",
            "per_unit",
            (600, 8000),
            ["72610000-9", "72500000-0"],
            "We run your cloud estate day and night, fixing problems before you notice",
            [
                "24/7 monitoring and response",
                "Monthly cost optimisation",
                "Patching and backups",
                "Named service manager",
                "ITIL-aligned service desk",
            ],
        ),
    ],
    "digital-outcomes": [
        (
            "Discovery",
            "Discovery",
            "fixed",
            (25000, 90000),
            ["72220000-3", "79311000-7"],
            "A multidisciplinary team to understand user needs and the problem to solve",
            [
                "User research with the people who use the service",
                "Mapping of the current service",
                "Options and a recommendation",
                "Show and tells every sprint",
                "Ready for a Service Standard assessment",
            ],
        ),
        (
            "Alpha",
            "Alpha",
            "fixed",
            (60000, 250000),
            ["72230000-6", "72220000-3"],
            "Prototype and test ways to meet user needs before building the real thing",
            [
                "Prototypes tested with users",
                "Technical spikes",
                "Service design and content design",
                "Plan and costs for beta",
                "Ready for a Service Standard assessment",
            ],
        ),
        (
            "Beta",
            "Beta build",
            "per_day",
            (850, 1200),
            ["72230000-6", "72262000-9"],
            "A full team to build, launch and improve a public service",
            [
                "Built to the GOV.UK Design System",
                "Continuous delivery",
                "Accessibility tested throughout",
                "Performance measured against KPIs",
                "Handover to your team or ours",
            ],
        ),
        (
            "Live",
            "Live service support",
            "per_day",
            (600, 950),
            ["72267000-4", "72610000-9"],
            "Keep a live service running, secure and improving",
            [
                "Incident response",
                "Continuous improvement backlog",
                "Security patching",
                "Monthly performance reports",
                "Flexible team size",
            ],
        ),
    ],
    "hardware": [
        (
            "Laptops and desktops",
            "Business laptop",
            "per_unit",
            (650, 1800),
            ["30213100-6"],
            "Business laptops supplied imaged, tagged and ready to use",
            [
                "14-inch or 16-inch screen",
                "Intel Core or AMD Ryzen processors",
                "Three-year onsite warranty",
                "TPM 2.0 and Secure Boot",
                "Energy Star certified",
            ],
        ),
        (
            "Laptops and desktops",
            "Small form factor desktop",
            "per_unit",
            (450, 1100),
            ["30213300-8"],
            "Compact desktops for offices and hot-desking",
            [
                "Small form factor",
                "Three-year onsite warranty",
                "Energy Star certified",
                "Wired and Wi-Fi 6 networking",
                "Recycled packaging",
            ],
        ),
        (
            "Monitors and peripherals",
            "27-inch monitor",
            "per_unit",
            (160, 420),
            ["30231000-7"],
            "Height-adjustable 27-inch monitors with USB-C docking",
            [
                "USB-C with 90W charging",
                "Height and tilt adjustment",
                "Low blue light",
                "Three-year warranty",
            ],
        ),
        (
            "Mobile devices",
            "Rugged tablet",
            "per_unit",
            (700, 1900),
            ["30213200-7"],
            "Drop-proof tablets for field workers, with 4G and all-day battery",
            [
                "Drop-tested to MIL-STD-810H",
                "4G and 5G",
                "Hot-swappable battery",
                "Works with gloves",
            ],
        ),
        (
            "Printers",
            "Multifunction printer",
            "per_unit",
            (900, 4500),
            ["30232110-8", "30120000-6"],
            "Print, copy and scan with secure release and managed supplies",
            [
                "Secure print release by card",
                "Scan to email and SharePoint",
                "Toner replaced automatically",
                "Usage reporting",
            ],
        ),
        (
            "Networking equipment",
            "48-port network switch",
            "per_unit",
            (1200, 6500),
            ["32420000-3", "32413100-2"],
            "Managed switches for offices and schools, with power over Ethernet",
            [
                "48 gigabit ports",
                "Power over Ethernet",
                "Cloud management",
                "Lifetime warranty",
            ],
        ),
    ],
    "software": [
        (
            "Productivity",
            "Office productivity suite",
            "per_licence",
            (60, 350),
            ["48300000-1"],
            "Email, documents, spreadsheets and video calls, licensed per user a year",
            [
                "Desktop and web apps",
                "1TB storage a user",
                "Public-sector pricing",
                "Licences managed in one portal",
            ],
        ),
        (
            "Security",
            "Endpoint protection",
            "per_licence",
            (20, 90),
            ["48760000-3", "48730000-4"],
            "Anti-malware and endpoint detection for laptops, desktops and servers",
            [
                "Endpoint detection and response",
                "Ransomware rollback",
                "Central console",
                "Works on Windows, macOS and Linux",
            ],
        ),
        (
            "Infrastructure software",
            "Backup software",
            "per_licence",
            (150, 1200),
            ["48700000-5"],
            "Back up servers and virtual machines to disk, tape or cloud",
            [
                "Image-level backups",
                "Instant recovery",
                "Immutable repositories",
                "Licensed per workload",
            ],
        ),
        (
            "Specialist software",
            "Geographic information system",
            "per_licence",
            (800, 6000),
            ["48326000-9"],
            "Desktop and web mapping for planning, highways and estates teams",
            [
                "Ordnance Survey data ready to use",
                "Web map publishing",
                "Field data collection app",
                "Training included",
            ],
        ),
    ],
    "associated-services": [
        (
            "Configuration",
            "Device build and imaging",
            "per_unit",
            (25, 90),
            ["72250000-2"],
            "Devices built to your image, enrolled and delivered ready to use",
            [
                "Windows Autopilot and Intune enrolment",
                "Asset tagging",
                "Delivery to the user's desk or home",
                "Tracked end to end",
            ],
        ),
        (
            "Installation",
            "Onsite installation",
            "per_day",
            (350, 750),
            ["51611100-9", "51612000-5"],
            "Engineers to install and set up equipment at your sites",
            [
                "Nationwide engineers",
                "Out-of-hours installs",
                "Packaging removed and recycled",
                "Sign-off with each user",
            ],
        ),
        (
            "Maintenance",
            "Extended hardware maintenance",
            "per_unit",
            (30, 220),
            ["50312000-5"],
            "Next-business-day repair or replacement after the manufacturer's warranty ends",
            [
                "Next business day onsite",
                "Spare stock held for you",
                "Covers mixed brands",
                "Monthly service report",
            ],
        ),
        (
            "Disposal",
            "Secure data wiping and recycling",
            "per_unit",
            (8, 45),
            ["90514000-3", "72512000-7"],
            "Certified data destruction and reuse or recycling of old equipment",
            [
                "NCSC-assured data erasure",
                "Certificate for every device",
                "Collection from your sites",
                "Rebate for reusable devices",
                "WEEE compliant",
            ],
        ),
    ],
    "council-software": [
        (
            "Revenues and benefits",
            "Council tax and business rates",
            "per_licence",
            (20000, 180000),
            ["48400000-2", "48440000-4"],
            "Bill, collect and recover council tax and business rates",
            [
                "Annual billing",
                "Direct Debit and online payments",
                "Recovery and enforcement",
                "Self-service for residents and businesses",
                "Valuation Office Agency schedules loaded automatically",
            ],
        ),
        (
            "Revenues and benefits",
            "Housing benefit and council tax support",
            "per_licence",
            (15000, 120000),
            ["48400000-2"],
            "Assess and pay housing benefit and council tax support claims",
            [
                "DWP data sharing",
                "Risk-based verification",
                "Online claims",
                "Overpayment recovery",
            ],
        ),
        (
            "Adult social care",
            "Adult social care case management",
            "per_user_month",
            (25, 75),
            ["48810000-9", "72260000-5"],
            "Record assessments, plan care and share records securely",
            [
                "Care Act assessments",
                "Care and support plans",
                "Provider portal",
                "Financial assessments",
                "NHS number matching",
            ],
        ),
        (
            "Children's services",
            "Children's social care case management",
            "per_user_month",
            (25, 75),
            ["48810000-9"],
            "Case management for children's social care and early help",
            [
                "Single assessment",
                "Child protection plans",
                "Statutory returns to the Department for Education",
                "Multi-agency referrals",
            ],
        ),
        (
            "Planning and building control",
            "Planning application portal",
            "per_licence",
            (8000, 60000),
            ["48810000-9", "72413000-8"],
            "Receive, consult on and decide planning applications online",
            [
                "Online applications and payments",
                "Public comments",
                "Consultee portal",
                "Statutory returns to MHCLG",
            ],
        ),
        (
            "Housing",
            "Housing repairs",
            "per_user_month",
            (15, 55),
            ["48400000-2"],
            "Report, schedule and track repairs to council homes",
            [
                "Tenants report repairs online",
                "Appointment booking",
                "Damp and mould tracking",
                "Contractor portal",
            ],
        ),
        (
            "Waste and street scene",
            "Waste collection rounds",
            "per_unit",
            (30, 120),
            ["48400000-2", "90511000-2"],
            "Plan rounds, record missed bins and manage garden waste subscriptions",
            [
                "In-cab devices",
                "Missed bin reports online",
                "Garden waste subscriptions",
                "Round optimisation",
            ],
        ),
        (
            "Customer contact",
            "Resident portal and My Account",
            "per_licence",
            (6000, 45000),
            ["72413000-8", "48400000-2"],
            "Online forms, payments and a My Account for residents",
            [
                "GOV.UK-style forms",
                "Payments",
                "Single sign-on",
                "Integration with back-office systems",
            ],
        ),
        (
            "Elections",
            "Electoral registration and elections",
            "per_licence",
            (9000, 50000),
            ["48400000-2"],
            "Run the register of electors, canvass and elections",
            [
                "Annual canvass",
                "Postal votes",
                "Poll card printing",
                "Results publishing",
            ],
        ),
        (
            "Licensing",
            "Licensing applications",
            "per_licence",
            (5000, 30000),
            ["48400000-2"],
            "Take and decide licence applications, from taxis to alcohol",
            [
                "Online applications",
                "Payments",
                "Public register",
                "Renewal reminders",
            ],
        ),
        (
            "Parking",
            "Parking permits and penalty charges",
            "per_licence",
            (7000, 55000),
            ["48400000-2"],
            "Permits, penalty charge notices and appeals in one system",
            [
                "Virtual permits",
                "Handheld devices for civil enforcement officers",
                "Online appeals",
                "DVLA enquiries",
            ],
        ),
    ],
}

# --- suppliers ---------------------------------------------------------------------------------

STEMS = [
    "Pennine", "Wessex", "Mercia", "Cairngorm", "Severn", "Tamar", "Solway", "Humber",
    "Medway", "Cheviot", "Quantock", "Mendip", "Chiltern", "Fenland", "Brecon", "Lagan",
    "Mourne", "Kennet", "Ribble", "Derwent", "Kestrel", "Heron", "Curlew", "Lapwing",
    "Osprey", "Skylark", "Fieldfare", "Bramble", "Rowan", "Hawthorn", "Alder", "Juniper",
    "Larch", "Sorrel", "Flint", "Slate", "Basalt", "Lantern", "Beacon", "Meridian",
    "Northlight", "Millstone", "Copperleaf", "Ironbridge", "Harbourside", "Tidewater",
    "Greyfriars", "Oakmere", "Saltmarsh", "Wolds", "Ashdown", "Malvern", "Teviot", "Glencoe",
]  # fmt: skip
SUFFIXES = {
    "hosting": ["Cloud", "Hosting", "Networks", "Infrastructure"],
    "software": ["Software", "Systems", "Labs", "Digital"],
    "services": ["Consulting", "Digital", "Partners", "Associates"],
    "hardware": ["Technology", "IT", "Computing"],
    "council": ["Systems", "Software", "Civic", "Gov Tech"],
}
# Which lots each kind of supplier is approved for (framework reference, lot slug).
SPECIALISMS = {
    "hosting": [("RM1557.14", "cloud-hosting"), ("RM1557.14", "cloud-support")],
    "software": [("RM1557.14", "cloud-software"), ("RM6098", "software")],
    "services": [
        ("RM1043.9", "digital-outcomes"),
        ("RM1043.9", "digital-specialists"),
        ("RM1557.14", "cloud-support"),
    ],
    "hardware": [("RM6098", "hardware"), ("RM6098", "associated-services")],
    "council": [("NDX-DM-001", "council-software"), ("RM1557.14", "cloud-software")],
}
# (region, town, postcode district, street, phone prefix from Ofcom's drama ranges)
PLACES = [
    ("north-east", "Newcastle upon Tyne", "NE1", "Grey Street", "0191 498 0"),
    ("north-west", "Manchester", "M1", "Portland Street", "0161 496 0"),
    ("yorkshire", "Leeds", "LS1", "Park Row", "0113 496 0"),
    ("yorkshire", "Sheffield", "S1", "Fargate", "0114 496 0"),
    ("east-midlands", "Nottingham", "NG1", "King Street", "0115 496 0"),
    ("west-midlands", "Birmingham", "B3", "Colmore Row", "0121 496 0"),
    ("east", "Cambridge", "CB2", "Regent Street", "01632 960"),
    ("london", "London", "EC1V", "City Road", "020 7946 0"),
    ("london", "London", "SE1", "Southwark Street", "020 7946 0"),
    ("south-east", "Reading", "RG1", "Friar Street", "0118 496 0"),
    ("south-east", "Brighton", "BN1", "Queens Road", "01632 960"),
    ("south-west", "Bristol", "BS1", "Queen Square", "0117 496 0"),
    ("south-west", "Exeter", "EX1", "Southernhay", "01632 960"),
    ("wales", "Cardiff", "CF10", "Bute Street", "029 2018 0"),
    ("scotland", "Edinburgh", "EH2", "George Street", "0131 496 0"),
    ("scotland", "Glasgow", "G2", "St Vincent Street", "0141 496 0"),
    ("northern-ireland", "Belfast", "BT1", "Donegall Square", "028 9018 0"),
]
FIRST_NAMES = [
    "Aisha", "Ben", "Catrin", "Dev", "Eilidh", "Femi", "Gareth", "Hannah", "Imran", "Jess",
    "Kofi", "Laura", "Mohammed", "Niamh", "Owen", "Priya", "Rhys", "Sian", "Tariq", "Zoe",
]  # fmt: skip
SURNAMES = [
    "Ahmed", "Bennett", "Campbell", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Jones",
    "Khan", "Lloyd", "Murphy", "Nowak", "O'Neill", "Patel", "Reid", "Singh", "Taylor",
    "Walsh", "Young",
]  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# How many suppliers of each size and kind; (size, VCSE, specialism).
SUPPLIER_MIX = (
    [("micro", False, s) for s in ("services", "software", "services", "hosting", "council")]
    + [("micro", True, s) for s in ("services", "software", "hardware")]
    + [("small", False, s) for s in ("software", "services", "hosting", "council", "hardware")]
    + [("small", False, s) for s in ("software", "services", "services", "software", "council")]
    + [("small", True, s) for s in ("services", "council")]
    + [("medium", False, s) for s in ("software", "hosting", "services", "hardware", "council")]
    + [("medium", False, s) for s in ("software", "services", "hosting", "software")]
    + [("medium", True, "services")]
    + [("large", False, s) for s in ("hosting", "software", "services", "hardware", "council")]
    + [("large", False, s) for s in ("hardware", "services", "software")]
    + [("micro", False, s) for s in ("services", "software")]
    + [("small", False, s) for s in ("hosting", "council", "services")]
    + [("medium", False, s) for s in ("council", "hardware")]
    + [("large", False, "hosting")]
)
BANDS = {
    "micro": (HeadcountBand.UNDER_10, TurnoverBand.UP_TO_2M, BalanceSheetBand.UP_TO_2M),
    "small": (HeadcountBand.UNDER_50, TurnoverBand.UP_TO_10M, BalanceSheetBand.UP_TO_10M),
    "medium": (HeadcountBand.UNDER_250, TurnoverBand.UP_TO_44M, BalanceSheetBand.UP_TO_38M),
    "large": (HeadcountBand.OVER_250, TurnoverBand.OVER_44M, BalanceSheetBand.OVER_38M),
}
OFFERS_PER_LOT = {"micro": (2, 3), "small": (2, 4), "medium": (3, 6), "large": (4, 7)}
DESCRIPTIONS = {
    "hosting": "We have hosted public services since {year}, from UK data centres we run",
    "software": "Our software is used by public bodies across the UK, and has been since {year}",
    "services": "Our team has delivered digital services for government since {year}",
    "hardware": "We have supplied and supported technology for the public sector since {year}",
    "council": "We have built software for councils since {year}, and nothing else",
}

# The demo logins' supplier organisations (from ndx.accounts.demo) get lots and offers too.
DEMO_SUPPLIERS = {
    "Northwind Digital Ltd": {
        "size": "small",
        "vcse": False,
        "specialism": "council",
        "place": PLACES[2],
        "company_number": "09876543",
        "website": "https://www.northwind-digital.co.uk",
        "contact": ("Ada Lewis", "supplier.admin@northwind-digital.co.uk"),
        "lots": [
            ("NDX-DM-001", "council-software"),
            ("RM1557.14", "cloud-software"),
            ("RM1043.9", "digital-outcomes"),
        ],
        "pending": [("RM1043.9", "digital-specialists")],
    },
    "Brightwater Cloud Services plc": {
        "size": "large",
        "vcse": False,
        "specialism": "hosting",
        "place": PLACES[7],
        "company_number": "04567890",
        "website": "https://www.brightwater.example.com",
        "contact": ("Helen Morgan", "supplier.admin@brightwater.example.com"),
        "lots": [
            ("RM1557.14", "cloud-hosting"),
            ("RM1557.14", "cloud-support"),
            ("RM6098", "software"),
        ],
        "pending": [],
    },
}

ONBOARDING = [
    "Onboarding takes two to four weeks, led by a named implementation manager.",
    "We migrate your existing data for you and run both systems side by side until you are "
    "ready to switch.",
    "Most customers are live within 30 days, with training for every team.",
    "Implementation follows a fixed plan agreed with you in the first week.",
]
SUPPORT = [
    "Support is available 8am to 6pm on working days, with an out-of-hours line for urgent "
    "problems.",
    "Our UK service desk answers 24 hours a day, 7 days a week.",
    "Every customer has a named account manager and a quarterly service review.",
    "Critical incidents get a response within 30 minutes, at any time.",
]
ASSURANCE = [
    "We follow the NCSC cloud security principles and publish our penetration test summaries.",
    "The service is tested with screen readers and voice control before every release.",
    "We have no lock-in: you can export all your data in open formats at any time.",
    "Prices include hosting, support, upgrades and training.",
]
SUPPORT_SERVICE = [
    "A delivery lead checks in with you every week and at the end of each sprint.",
    "We can start within two weeks of the call-off contract being signed.",
    "Our people hold SC clearance, and DV clearance is available for some roles.",
    "We work in the open, with show and tells every two weeks.",
]
ASSURANCE_SERVICE = [
    "We follow the Service Standard and the Technology Code of Practice.",
    "We pay the Real Living Wage and publish our carbon reduction plan.",
    "Knowledge transfer to your own team is part of every engagement.",
    "We are happy to work alongside your team and your other suppliers.",
]
SUPPORT_HARDWARE = [
    "Every device comes with a three-year warranty, with next-day replacement.",
    "Prices include delivery to any UK address.",
    "Devices are built to your image before they leave our warehouse.",
]
ASSURANCE_HARDWARE = [
    "We take packaging back and recycle it.",
    "Old equipment can be collected and securely wiped when new devices arrive.",
    "We publish our carbon reduction plan and our supply chain's modern slavery statement.",
]
SERVICE_LEVELS = {
    "hosting": "99.95% availability each month, with service credits if we miss it.",
    "software": "99.9% availability, measured monthly. Planned maintenance outside 7am to 7pm.",
    "services": "Team in place within 2 weeks of the call-off contract being signed.",
    "hardware": "Delivery within 5 working days of the order; faulty devices replaced next day.",
    "council": "99.9% availability; priority 1 incidents fixed within 4 hours.",
}
REJECTION_REASON = (
    "The list price must be the price on your public price list. Add a link to it in the "
    "description, or change the list price, and submit it again."
)
WITHDRAWN_REASON = "Replaced by our new edition of this service."
SUSPENDED_OFFER_REASON = "Suspended while we look into a buyer's complaint about its pricing."
SUSPENDED_SUPPLIER_REASON = (
    "Cyber Essentials Plus certificate expired. Suspended until a new certificate is provided."
)


@dataclass
class SupplierSpec:
    name: str
    size: str
    vcse: bool
    specialism: str
    place: tuple
    company_number: str
    contact_name: str
    contact_email: str
    website: str
    founded: int
    lots: list[tuple[str, str]]
    pending: list[tuple[str, str]] = field(default_factory=list)
    suspended_on: str = ""
    existing_demo_org: bool = False

    @property
    def brand(self) -> str:
        return self.name.split()[0]


@dataclass
class OfferSpec:
    external_id: str
    supplier: str
    framework: str
    lot: str
    content: dict[str, Any]
    state: str = "published"  # draft, submitted, rejected, withdrawn, suspended, changes, history
    age_days: int = 30


@dataclass
class Plan:
    suppliers: list[SupplierSpec]
    offers: list[OfferSpec]


def _money(value: float, pricing_model: str) -> Decimal:
    """A believable price: whole pounds or 50p for small sums, rounder for larger ones."""
    if value < 100:
        step = Decimal("0.50")
    elif value < 2000:
        step = Decimal("5")
    elif value < 20000:
        step = Decimal("50")
    else:
        step = Decimal("500")
    amount = (Decimal(str(value)) / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step
    return max(step, amount).quantize(Decimal("0.01"))


def _supplier_specs(rng: random.Random) -> list[SupplierSpec]:
    stems = STEMS[:]
    rng.shuffle(stems)
    numbers: set[str] = set()
    specs = []
    for index, (size, vcse, specialism) in enumerate(SUPPLIER_MIX):
        stem = stems[index]
        suffix = rng.choice(SUFFIXES[specialism])
        if vcse:
            form = rng.choice(["CIC", "Community Interest Company", "Co-operative Ltd"])
        elif size == "large":
            form = rng.choice(["plc", "Group plc", "UK Ltd"])
        elif specialism == "services" and rng.random() < 0.3:
            form = "LLP"
        else:
            form = rng.choice(["Ltd", "Ltd", "Limited"])
        name = f"{stem} {suffix} {form}"
        place = PLACES[index % len(PLACES)]
        while True:
            if place[0] == "scotland":
                number = f"SC{rng.randint(100000, 799999)}"
            elif place[0] == "northern-ireland":
                number = f"NI{rng.randint(600000, 699999)}"
            elif form == "LLP":
                number = f"OC{rng.randint(300000, 449999)}"
            else:
                number = f"{rng.randint(2_000_000, 15_999_999):08d}"
            if number not in numbers:
                numbers.add(number)
                break
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        domain = f"{slugify(f'{stem} {suffix}')}.example"
        lots = SPECIALISMS[specialism]
        if size in ("micro", "small"):
            lots = lots[: rng.choice([1, 2])]
        specs.append(
            SupplierSpec(
                name=name,
                size=size,
                vcse=vcse,
                specialism=specialism,
                place=place,
                company_number=number,
                contact_name=f"{first} {last}",
                contact_email=f"{slugify(first)}.{slugify(last)}@{domain}",
                website=f"https://www.{domain}",
                founded=rng.randint(1988, 2019) if size != "micro" else rng.randint(2012, 2022),
                lots=list(lots),
            )
        )
    for name, demo in DEMO_SUPPLIERS.items():
        contact_name, contact_email = demo["contact"]
        specs.append(
            SupplierSpec(
                name=name,
                size=demo["size"],
                vcse=demo["vcse"],
                specialism=demo["specialism"],
                place=demo["place"],
                company_number=demo["company_number"],
                contact_name=contact_name,
                contact_email=contact_email,
                website=demo["website"],
                founded=2009,
                lots=list(demo["lots"]),
                pending=list(demo["pending"]),
                existing_demo_org=True,
            )
        )
    # One supplier waits for a decision on another lot; one is suspended on G-Cloud 14.
    applicant = next(s for s in specs if s.specialism == "services" and s.size == "medium")
    applicant.pending.append(("NDX-DM-001", "council-software"))
    suspended = next(s for s in specs if s.specialism == "hosting" and s.size == "small")
    suspended.suspended_on = "RM1557.14"
    return specs


def _offer_content(
    rng: random.Random, supplier: SupplierSpec, lot: str, product: Product, variant: str
) -> dict[str, Any]:
    category, noun, pricing_model, (low, high), cpv, summary, features = product
    if lot == "digital-specialists":
        title = f"{variant} {noun.lower()}"
        summary = f"{variant} {noun.lower()} to join your team, from {supplier.name}"
        low, high = DAY_RATES[variant]
    elif lot == "digital-outcomes":
        title = f"{noun} for {variant}"
        summary = f"{summary}, for {variant}"
    elif lot == "hardware":
        title = f"{noun}{variant}"
    else:
        title = f"{supplier.brand} {noun}{variant}"
    list_price = _money(rng.uniform(low, high), pricing_model)
    discount = Decimal(str(rng.choice([0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25])))
    price = _money(float(list_price * (1 - discount)), pricing_model)
    if price >= list_price:
        price = (list_price - Decimal("0.50")).quantize(Decimal("0.01"))
    family = supplier.specialism
    if lot in ("cloud-hosting", "cloud-software", "software", "council-software"):
        sentences = [rng.choice(ONBOARDING), rng.choice(SUPPORT), rng.choice(ASSURANCE)]
    elif lot in ("hardware", "associated-services"):
        sentences = [rng.choice(SUPPORT_HARDWARE), rng.choice(ASSURANCE_HARDWARE)]
    else:
        sentences = [rng.choice(SUPPORT_SERVICE), rng.choice(ASSURANCE_SERVICE)]
    description = " ".join(
        [f"{summary}.", DESCRIPTIONS[family].format(year=supplier.founded) + ".", *sentences]
    )
    certifications = ["cyber-essentials-plus" if supplier.size != "micro" else "cyber-essentials"]
    if supplier.size in ("medium", "large") or rng.random() < 0.3:
        certifications.append("iso-27001")
    if supplier.size == "large" or rng.random() < 0.2:
        certifications.append("iso-9001")
    if category in ("Healthcare", "Adult social care") or rng.random() < 0.08:
        certifications.append("dspt")
    if lot in ("cloud-hosting",) and rng.random() < 0.4:
        certifications.append("psn")
    hosted = lot in ("cloud-hosting", "cloud-software", "council-software", "software")
    if hosted:
        hosting = rng.choice(["uk", "uk", "uk", "uk-eea"])
        accessibility = rng.choice(["full", "full", "partial", "not-assessed"])
        term = rng.choice([1, 12, 12, 24, 36]) if lot != "cloud-hosting" else rng.choice([0, 1, 12])
    else:
        hosting, accessibility = "n/a", "n/a"
        term = None
    if lot == "cloud-support" and category == "Ongoing support":
        term = 12
    return {
        "title": title,
        "summary": summary[:500],
        "description": description,
        "features": rng.sample(features, k=min(len(features), rng.randint(3, 5))),
        "benefits": rng.sample(
            [
                "Less time spent on manual work",
                "Lower running costs",
                "Better service for residents and patients",
                "Meets public-sector security standards",
                "No long-term lock-in",
            ],
            k=2,
        ),
        "categories": [category],
        "cpv_codes": list(cpv),
        "pricing_model": pricing_model,
        "price": price,
        "list_price": list_price,
        "vat": "excluding",
        "minimum_term_months": term,
        "service_levels": SERVICE_LEVELS[family],
        "certifications": certifications,
        "other_certifications": "ISO/IEC 27017" if hosting == "uk" and rng.random() < 0.2 else "",
        "hosting_location": hosting,
        "accessibility": accessibility,
    }


VARIANTS = {
    "digital-specialists": ["Junior", "Senior", "Lead", "Principal"],
    "digital-outcomes": [
        "a council's adult social care front door",
        "an NHS trust's outpatient booking",
        "a benefits application service",
        "a licensing service",
        "a schools admissions service",
        "a case management replacement",
    ],
}
SOFTWARE_EDITIONS = [
    "",
    " Standard",
    " Enterprise",
    " for councils",
    " for NHS trusts",
    " Essentials",
]
VARIANTS.update(
    {
        "cloud-hosting": ["", " Standard", " Premium", " UK Sovereign"],
        "cloud-software": SOFTWARE_EDITIONS,
        "software": ["", " Standard", " Enterprise", " Education"],
        "council-software": [
            "",
            " Cloud",
            " Online",
            " for district councils",
            " for unitary councils",
        ],
        "cloud-support": [
            "",
            " for councils",
            " for NHS trusts",
            " for central government",
            " for schools and academies",
        ],
        "hardware": [
            ", standard specification",
            ", performance specification",
            ", education bundle",
        ],
        "associated-services": ["", " (nationwide)", " for schools", " for NHS sites"],
    }
)
DAY_RATES = {
    "Junior": (400, 560),
    "Senior": (600, 820),
    "Lead": (750, 980),
    "Principal": (900, 1250),
}


@lru_cache(maxsize=1)
def demo_plan() -> Plan:
    """The whole demo supply side, generated from the word lists with a fixed seed."""
    rng = random.Random(SEED)
    suppliers = _supplier_specs(rng)
    offers: list[OfferSpec] = []
    for supplier in suppliers:
        low, high = OFFERS_PER_LOT[supplier.size]
        for framework_ref, lot in supplier.lots:
            if lot == "digital-specialists":
                products = [
                    (
                        role,
                        role,
                        "per_day",
                        (450, 1150),
                        ["72000000-5", "79620000-6"],
                        "",
                        [
                            "Security cleared (SC) on request",
                            "Starts within 2 weeks",
                            "Works on site or remotely",
                            "Experience of the Service Standard",
                        ],
                    )
                    for role in DOS_ROLES
                ]
            else:
                products = PRODUCTS[lot]
            count = rng.randint(low, high)
            chosen = rng.sample(products, k=min(count, len(products)))
            for product in chosen:
                variant = rng.choice(VARIANTS[lot])
                content = _offer_content(rng, supplier, lot, product, variant)
                number = len(offers) + 1
                offers.append(
                    OfferSpec(
                        external_id=f"{EXTERNAL_PREFIX}{number:04d}",
                        supplier=supplier.name,
                        framework=framework_ref,
                        lot=lot,
                        content=content,
                        age_days=rng.randint(3, 400),
                    )
                )
    # Offers in every state, so staff and supplier pages have something to show.
    pool = [o for o in offers if not o.supplier.startswith(tuple(DEMO_SUPPLIERS))]
    states = (
        ["submitted"] * 4
        + ["changes"] * 2
        + ["rejected", "withdrawn", "suspended"]
        + ["history"] * 6
    )
    for offer, state in zip(rng.sample(pool, k=len(states)), states, strict=True):
        offer.state = state
        if state in ("submitted", "rejected"):
            offer.age_days = rng.randint(1, 6)
    northwind = [o for o in offers if o.supplier == "Northwind Digital Ltd"]
    northwind[0].state = "changes"
    northwind[1].state = "draft"
    northwind[2].state = "submitted"
    return Plan(suppliers=suppliers, offers=offers)


# --- writing -------------------------------------------------------------------------------


def _seed_frameworks(now) -> dict[tuple[str, str], Lot]:
    lots: dict[tuple[str, str], Lot] = {}
    today = timezone.localdate()
    for spec in FRAMEWORKS:
        live = spec["status"] == Framework.Status.LIVE
        framework, created = Framework.objects.get_or_create(
            reference=spec["reference"],
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "description": spec["description"],
                "status": spec["status"],
                "max_value": spec["max_value"],
                "applications_open_on": today - timedelta(days=420),
                "starts_on": today - timedelta(days=300) if live else today + timedelta(days=60),
                "ends_on": today + timedelta(days=730) if live else today + timedelta(days=1520),
                "live_requested_at": now - timedelta(days=320)
                if live or spec.get("awaiting_approval")
                else None,
                "approved_at": now - timedelta(days=310) if live else None,
            },
        )
        for number, (slug, name, description, direct, categories) in enumerate(spec["lots"], 1):
            lot, _ = Lot.objects.get_or_create(
                framework=framework,
                slug=slug,
                defaults={
                    "number": number,
                    "name": name,
                    "description": description,
                    "direct_award_allowed": direct,
                    "categories": categories,
                },
            )
            lots[(framework.reference, slug)] = lot
        if created:
            DeclarationQuestion.objects.bulk_create(
                [
                    DeclarationQuestion(
                        framework=framework,
                        order=order,
                        text=text,
                        hint=hint,
                        kind=kind,
                        required_answer=required,
                    )
                    for order, (text, hint, kind, required) in enumerate(spec["questions"], 1)
                ]
            )
    return lots


def _seed_suppliers(plan: Plan, context: dict) -> dict[str, Organisation]:
    by_name = {
        org.lname: org
        for org in Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER).annotate(
            lname=Lower("name")
        )
    }
    organisations = {}
    for spec in plan.suppliers:
        organisation = by_name.get(spec.name.lower())
        if organisation is None:
            organisation = Organisation.objects.create(
                name=spec.name, kind=Organisation.Kind.SUPPLIER
            )
        organisations[spec.name] = organisation
    have_profile = set(
        SupplierProfile.objects.filter(organisation__in=organisations.values()).values_list(
            "organisation_id", flat=True
        )
    )
    taken = set(
        SupplierProfile.objects.exclude(companies_house_number="").values_list(
            "companies_house_number", flat=True
        )
    )
    profiles = []
    rng = random.Random(SEED + 1)
    for spec in plan.suppliers:
        region, town, district, street, phone = spec.place
        headcount, turnover, balance = BANDS[spec.size]
        size = classify_size(headcount, turnover, balance)
        number = spec.company_number if spec.company_number not in taken else ""
        # Draw the address either way, so every supplier's details stay the same.
        building = rng.randint(1, 180)
        inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        line = f"{rng.randint(0, 999):03d}"
        if organisations[spec.name].pk in have_profile:
            continue
        profiles.append(
            SupplierProfile(
                organisation=organisations[spec.name],
                legal_name=spec.name,
                trading_name=" ".join(spec.name.split()[:2]),
                companies_house_number=number,
                address_line_1=f"{building} {street}",
                town=town,
                postcode=f"{district} {inward}",
                region=region,
                headcount_band=headcount,
                turnover_band=turnover,
                balance_sheet_band=balance,
                size=size,
                is_sme=size != "large",
                is_vcse=spec.vcse,
                description=(
                    f"{DESCRIPTIONS[spec.specialism].format(year=spec.founded)}. "
                    f"Based in {town}, we work with public-sector organisations across the UK."
                    + (" We reinvest our profits in digital inclusion." if spec.vcse else "")
                ),
                website=spec.website,
                contact_name=spec.contact_name,
                contact_email=spec.contact_email,
                contact_phone=f"{phone}{line}",
            )
        )
    SupplierProfile.objects.bulk_create(profiles)
    return organisations


def _answers(framework: Framework) -> list[dict[str, Any]]:
    answers = []
    for question in framework.questions.all():
        if question.kind == DeclarationQuestion.Kind.YES_NO:
            answer = question.required_answer or "yes"
        else:
            answer = "All data is stored and processed in UK data centres run by UK companies."
        answers.append({"question_id": question.pk, "question": question.text, "answer": answer})
    return answers


def _seed_standing(plan, organisations, lots, staff, now) -> None:
    org_ids = [org.pk for org in organisations.values()]
    applications = set(
        LotApplication.objects.filter(supplier_id__in=org_ids).values_list("supplier_id", "lot_id")
    )
    memberships = set(
        FrameworkMembership.objects.filter(supplier_id__in=org_ids).values_list(
            "supplier_id", "framework_id"
        )
    )
    answers: dict[int, list] = {}
    new_applications, new_memberships = [], []
    for spec in plan.suppliers:
        organisation = organisations[spec.name]
        for status, wanted in (("approved", spec.lots), ("submitted", spec.pending)):
            for reference, slug in wanted:
                lot = lots[(reference, slug)]
                if (organisation.pk, lot.pk) in applications:
                    continue
                applications.add((organisation.pk, lot.pk))
                if lot.framework_id not in answers:
                    answers[lot.framework_id] = _answers(lot.framework)
                new_applications.append(
                    LotApplication(
                        supplier=organisation,
                        lot=lot,
                        status=status,
                        answers=answers[lot.framework_id],
                        decided_by=staff if status == "approved" else None,
                        decided_at=now - timedelta(days=300) if status == "approved" else None,
                    )
                )
                if status == "approved" and (organisation.pk, lot.framework_id) not in memberships:
                    memberships.add((organisation.pk, lot.framework_id))
                    suspended = spec.suspended_on == reference
                    new_memberships.append(
                        FrameworkMembership(
                            supplier=organisation,
                            framework=lot.framework,
                            status="suspended" if suspended else "active",
                            reason=SUSPENDED_SUPPLIER_REASON if suspended else "",
                        )
                    )
    LotApplication.objects.bulk_create(new_applications)
    FrameworkMembership.objects.bulk_create(new_memberships)


def _seed_offers(plan, organisations, lots, staff, now) -> int:
    existing = set(
        Offer.objects.filter(external_id__startswith=EXTERNAL_PREFIX).values_list(
            "external_id", flat=True
        )
    )
    todo = [spec for spec in plan.offers if spec.external_id not in existing]
    if not todo:
        return 0
    authors = {
        org_name: User.objects.filter(
            membership__organisation=organisations[org_name], membership__role="admin"
        ).first()
        for org_name in DEMO_SUPPLIERS
        if org_name in organisations
    }
    offers = Offer.objects.bulk_create(
        [
            Offer(
                supplier=organisations[spec.supplier],
                lot=lots[(spec.framework, spec.lot)],
                external_id=spec.external_id,
                status=Offer.Status.DRAFT,
            )
            for spec in todo
        ],
        batch_size=500,
    )
    revisions: list[OfferRevision] = []
    pointers: list[tuple[Offer, OfferSpec, int, int | None]] = []  # offer, spec, pub, working
    for offer, spec in zip(offers, todo, strict=True):
        author = authors.get(spec.supplier)
        when = now - timedelta(days=spec.age_days)
        content = spec.content

        def revision(number, status, values=content, offer=offer, author=author, **extra):
            revisions.append(
                OfferRevision(
                    offer=offer, number=number, status=status, created_by=author, **values, **extra
                )
            )
            return len(revisions) - 1

        published = working = None
        if spec.state in ("published", "withdrawn", "suspended", "changes"):
            published = revision(
                1, "published", published_at=when, reviewed_at=when, reviewed_by=staff
            )
        if spec.state == "history":
            older = {
                **content,
                "price": content["list_price"],
                "summary": content["summary"],
                "features": content["features"][:-1] or content["features"],
            }
            revision(
                1,
                "superseded",
                older,
                published_at=when - timedelta(days=120),
                reviewed_at=when - timedelta(days=120),
                reviewed_by=staff,
            )
            published = revision(
                2, "published", published_at=when, reviewed_at=when, reviewed_by=staff
            )
        if spec.state == "changes":
            cheaper = {
                **content,
                "price": max(
                    Decimal("0.50"), (content["price"] * Decimal("0.9")).quantize(Decimal("0.01"))
                ),
                "summary": content["summary"] + ", now with a lower national price",
            }
            working = revision(2, "submitted", cheaper, submitted_at=now - timedelta(days=2))
        if spec.state == "submitted":
            working = revision(1, "submitted", submitted_at=when)
        if spec.state == "draft":
            working = revision(1, "draft")
        if spec.state == "rejected":
            working = revision(
                1,
                "rejected",
                submitted_at=when,
                reviewed_at=when + timedelta(days=1),
                reviewed_by=staff,
                rejection_reason=REJECTION_REASON,
            )
        pointers.append((offer, spec, published, working))
    revisions = OfferRevision.objects.bulk_create(revisions, batch_size=500)
    status_of = {
        "published": Offer.Status.PUBLISHED,
        "history": Offer.Status.PUBLISHED,
        "changes": Offer.Status.PUBLISHED,
        "withdrawn": Offer.Status.WITHDRAWN,
        "suspended": Offer.Status.SUSPENDED,
        "submitted": Offer.Status.SUBMITTED,
        "draft": Offer.Status.DRAFT,
        "rejected": Offer.Status.REJECTED,
    }
    reasons = {"withdrawn": WITHDRAWN_REASON, "suspended": SUSPENDED_OFFER_REASON}
    for offer, spec, published, working in pointers:
        offer.published_revision = revisions[published] if published is not None else None
        offer.working_revision = revisions[working] if working is not None else None
        offer.status = status_of[spec.state]
        offer.status_reason = reasons.get(spec.state, "")
        if published is not None:
            first = now - timedelta(days=spec.age_days + (120 if spec.state == "history" else 0))
            offer.first_published_at = first
    Offer.objects.bulk_update(
        offers,
        [
            "published_revision",
            "working_revision",
            "status",
            "status_reason",
            "first_published_at",
        ],
        batch_size=500,
    )
    revision_search_index(
        revision_ids=[r.pk for r in revisions if r.status == OfferRevision.Status.PUBLISHED]
    )
    from matching.services import queue_offer_reindex

    queue_offer_reindex([offer.pk for offer in offers])
    return len(todo)


def seed(out, context: dict) -> dict:
    now = timezone.now()
    plan = demo_plan()
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    lots = _seed_frameworks(now)
    organisations = _seed_suppliers(plan, context)
    _seed_standing(plan, organisations, lots, staff, now)
    created = _seed_offers(plan, organisations, lots, staff, now)
    out.write(
        f"catalogue: {len(FRAMEWORKS)} frameworks and dynamic markets, "
        f"{len(plan.suppliers)} suppliers, {len(plan.offers)} offers ({created} new)\n"
    )
    return {"catalogue_lots": lots, "supplier_organisations": organisations}


def describe() -> list[str]:
    plan = demo_plan()
    sizes = Counter(s.size for s in plan.suppliers)
    states = Counter(o.state for o in plan.offers)
    lines = ["Catalogue (frameworks, suppliers and offers):"]
    for spec in FRAMEWORKS:
        kind = "dynamic market" if spec["kind"] == Framework.Kind.DYNAMIC_MARKET else "framework"
        status = "draft, waiting for a second approval" if spec.get("awaiting_approval") else "live"
        lots = ", ".join(lot[1] for lot in spec["lots"])
        lines.append(f"  {spec['name']} ({spec['reference']}), {kind}, {status}: {lots}")
    lines.append(
        f"  {len(plan.suppliers)} suppliers: "
        + ", ".join(f"{sizes[s]} {s}" for s in ("micro", "small", "medium", "large"))
        + f"; {sum(s.vcse for s in plan.suppliers)} VCSE"
    )
    suspended = next(s for s in plan.suppliers if s.suspended_on)
    pending = [s for s in plan.suppliers if s.pending]
    lines.append(f"  {suspended.name} is suspended on G-Cloud 14")
    lines.append(
        "  Lot applications waiting for review from: " + ", ".join(s.name for s in pending)
    )
    published = states["published"] + states["history"] + states["changes"]
    lines.append(
        f"  {len(plan.offers)} offers: {published} published ({states['changes']} with changes "
        f"waiting for review), {states['submitted']} new offers waiting for review, "
        f"{states['rejected']} rejected, {states['withdrawn']} withdrawn, "
        f"{states['suspended']} suspended, {states['draft']} draft"
    )
    lines.append(
        "  Northwind Digital Ltd and Brightwater Cloud Services plc (the demo supplier logins) "
        "are approved on lots and have offers."
    )
    return lines
