"""Default configuration.

``instance/config.py`` overrides these, and so does any ``PORTAL_<NAME>`` environment variable
(``PORTAL_SQLALCHEMY_DATABASE_URI=postgresql+psycopg://...``). Nothing secret lives here: the
secret key comes from the instance folder, where ``flask --app portal init-instance`` writes one.
"""
from datetime import timedelta

# Connections to a database server are pinged before use only after being idle (portal/idle_ping.py).
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
TIMEZONE = "Asia/Shanghai"

# Log-in throttling: this many failures for one account, or LOGIN_ADDRESS_MAX_FAILURES from one address
# (over any usernames; higher, since an office may reach the portal from one address), within the window
# lock it for the window (answered 429 with Retry-After).
LOGIN_MAX_FAILURES = 5
LOGIN_ADDRESS_MAX_FAILURES = 20
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)

# Security (portal/security): a session ends after SESSION_IDLE_MINUTES without activity (0: never) and
# PERMANENT_SESSION_LIFETIME after log-in. PROXY_FIX: how many reverse proxies' X-Forwarded-For/-Proto to
# trust (0: none). HSTS_MAX_AGE: sent on HTTPS requests only (0: off). CONTENT_SECURITY_POLICY: None keeps
# the built-in policy. The API allows so many requests a minute per token, and per address without one.
SESSION_IDLE_MINUTES = 30
PROXY_FIX = 0
HSTS_MAX_AGE = 365 * 24 * 3600
CONTENT_SECURITY_POLICY = None
API_RATE_LIMIT_PER_MINUTE = 300
API_ANONYMOUS_RATE_LIMIT_PER_MINUTE = 30

MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # uploads (imports, calendars) are refused above this
PAGE_SIZE = 20
PASSWORD_HASH_METHOD = "scrypt"  # nosec B105  # the name of the hash method, not a password

# Repeats (重复件): earlier orders from the same phone, or the same address with similar content
# (rapidfuzz token-set ratio over characters, 0-100), within this many days.
REPEAT_WINDOW_DAYS = 30
REPEAT_SIMILARITY = 60

# A/B takeover: the share of the sign-for window (working time) after which B takes an unsigned order.
TAKEOVER_FRACTION = 0.5

# Dispatch suggestions: where the trained classifier is kept (default: instance/dispatch-model.joblib)
# and how many of the latest settled orders it learns from.
DISPATCH_MODEL_PATH = None
DISPATCH_HISTORY_LIMIT = 200_000

# Official documents (notices, minutes, reports): the issuing office printed at the top of each.
ISSUING_OFFICE = "区政务服务便民热线办公室"

# Document numbers (portal/numbering.py): each series runs per year; ``{year}`` and ``{n}`` are filled in.
SUPERVISION_NUMBER_FORMAT = "督字〔{year}〕第{n:04d}号"
TALK_NUMBER_FORMAT = "约谈〔{year}〕第{n:04d}号"  # 约谈通知书 (portal/talks)
# Consultation documents (portal/consultation/documents.py): the notice, the minutes, the executive brief.
CONSULT_NOTICE_NUMBER_FORMAT = "热线会商〔{year}〕第{n:03d}号"
CONSULT_MINUTES_NUMBER_FORMAT = "会商纪要〔{year}〕第{n:03d}号"
CONSULT_BRIEF_NUMBER_FORMAT = "常务会材料〔{year}〕第{n:03d}号"
# Attachments (portal/attachments) of orders, replies, supervision answers and consultation opinions: where
# the files are kept (default: <instance>/attachments; never under static/), the largest file, the total per
# order, the files per upload, the largest image (pixels) and the thumbnails' longer side.
ATTACHMENTS_DIR = None
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_PER_ORDER_BYTES = 50 * 1024 * 1024
ATTACHMENT_MAX_FILES = 5
ATTACHMENT_MAX_PIXELS = 40_000_000
ATTACHMENT_THUMB_SIZE = 320

# Backups (flask --app portal backup / restore): the folder of pg_dump and pg_restore when not the ones on the
# PATH (e.g. /usr/lib/postgresql/16/bin: pg_dump must be at least the server's major version).
BACKUP_PG_BINDIR = None

# The scheduler process (flask --app portal jobs run): how often it takes or renews its lease, and how
# long a lease lasts without renewal before another scheduler takes over (SQLite; PostgreSQL uses an
# advisory lock, freed the moment the holder's connection closes). JOBS_EXTRA_MODULES: more job modules.
JOBS_HEARTBEAT_SECONDS = 10
JOBS_LEASE_SECONDS = 30
JOBS_THREADS = 4
JOBS_EXTRA_MODULES = ()
JOBS_ONLY = None  # a list of job ids: schedule only these (default: every registered job)
# Figures kept for the dashboard and the assessment pages' months (portal/figures): the job figures_refresh
# computes them every FIGURES_REFRESH_MINUTES (the trigger is read from this file when the scheduler loads its
# jobs), and pages serve them while younger than FIGURES_MAX_AGE_SECONDS (twice the period, so a page finds
# a set while the next run is still counting); older or missing, the page computes and stores them itself.
# 0: pages always compute and nothing is stored (the tests' setting). Reports never read these.
FIGURES_REFRESH_MINUTES = 5
FIGURES_MAX_AGE_SECONDS = 600
# System supervision (系统督办) by the deadline watch: orders overdue by more than this many working days
# (0 or None: off) get a system reminder in the name of this supervisor (default: the longest-serving
# active supervisor), to be answered within SYSTEM_SUPERVISION_ANSWER_WORKDAYS working days.
SYSTEM_SUPERVISION_OVERDUE_WORKDAYS = 2
SYSTEM_SUPERVISION_STEP = "reminder"
SYSTEM_SUPERVISION_ANSWER_WORKDAYS = 2
SYSTEM_SUPERVISOR_USERNAME = None

# Deputies' monthly lists (portal/deputies/candidates.py): a matter is proposed as much-complained when
# the month has at least DEPUTY_HOTSPOT_MIN_ORDERS orders on one address (building) and category, and as
# long overdue when it is still with its unit DEPUTY_OVERDUE_WORKDAYS working days after its reply deadline.
DEPUTY_HOTSPOT_MIN_ORDERS = 3
DEPUTY_OVERDUE_WORKDAYS = 5
DEPUTY_CANDIDATE_LIMIT = 100

# Standard replies (portal/replies): a published reply is offered for an order of its category whose content
# has one of its keywords, or whose content is this similar to it (the dispatch suggestion's TF-IDF cosine,
# 0-1). Candidates for new replies: closed orders of the last REPLY_CANDIDATE_DAYS days, at least
# REPLY_CANDIDATE_MIN_ORDERS of one category whose contents and answers are pairwise this similar.
REPLY_MATCH_SIMILARITY = 0.1
REPLY_CANDIDATE_DAYS = 90
REPLY_CANDIDATE_MIN_ORDERS = 5
REPLY_CANDIDATE_CONTENT_SIMILARITY = 0.08
REPLY_CANDIDATE_ANSWER_SIMILARITY = 0.4
