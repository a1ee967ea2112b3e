# The messages of relais's problems, in English. Each id has its French twin in fr.ftl, with
# the same variables; `cargo test` checks both and every id the code uses.

## Titles: a problem's `title` is its status's name.

status-400 = Bad Request
status-401 = Unauthorized
status-403 = Forbidden
status-404 = Not Found
status-405 = Method Not Allowed
status-406 = Not Acceptable
status-409 = Conflict
status-412 = Precondition Failed
status-413 = Payload Too Large
status-415 = Unsupported Media Type
status-416 = Range Not Satisfiable
status-422 = Unprocessable Entity
status-429 = Too Many Requests
status-500 = Internal Server Error
status-503 = Service Unavailable

## General problems

too-many-attempts = too many failed attempts; retry in { $seconds } s
invalid-credentials = wrong email or password
credentials-required = this operation needs a bearer token
forbidden = your role does not allow this operation
not-found = no such resource
method-not-allowed = { $method } is not allowed here; allowed: { $allowed }
already-registered = you are registered already: { $location }
idempotency-key-reused = this Idempotency-Key was used with another request: send a new key for a new request
idempotency-in-progress = the first request with this Idempotency-Key has not answered yet; retry
idempotency-key-malformed = Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, say)
precondition-failed = a precondition failed: the resource has changed since you read it (If-Match does not name its ETag), or If-None-Match names it
not-acceptable = Accept takes none of what this can be sent as: { $offered }
range-not-satisfiable = the range asked for is outside the file's { $size } bytes
fields-invalid = { $count } fields are invalid
internal = an unexpected error occurred; it has been logged
database-unreachable = the database is unreachable; retry shortly
pool-busy = every database connection is busy; retry shortly
statement-timeout = the request took too long and was stopped
file-store = the file store: { $reason }

## What the database refused

already-in-use = this { $field } is already in use
unknown-reference = refers to something that does not exist
violates-rule = violates the rule { $rule }
concurrent-change = a concurrent change got in the way; retry
still-referred = { $referrers } still refer to it: delete or change them first

## Field rules

length-between = must be between { $min } and { $max } characters long
length-at-least = must be at least { $min } characters long
length-at-most = must be at most { $max } characters long
length-invalid = has an invalid length
range-min-max = must be at least { $min } and at most { $max }
range-min-below = must be at least { $min } and less than { $max }
range-above-max = must be more than { $min } and at most { $max }
range-above-below = must be more than { $min } and less than { $max }
range-min = must be at least { $min }
range-above = must be more than { $min }
range-max = must be at most { $max }
range-below = must be less than { $max }
range-invalid = is out of range
not-an-email = must be an email address
not-a-url = must be an absolute URL
invalid-value = is invalid ({ $code })
slug-uuid = must not have the form of a UUID, which paths read as an id
slug-form = must be lowercase letters and digits separated by single hyphens
date-years = must be a date between the years 1 and 9999
timezone = must be an IANA time zone such as Europe/Paris
required-with-latitude = is required with latitude
required-with-longitude = is required with longitude
after-start = must be after starts_at
after-registration-opens = must be after registration_opens_at
unwritable-instant = cannot be written in RFC 3339 in the item's time zone: a year past 9999, or a date from before the zone had a whole-minute offset (1911 in Paris)
read-only = cannot be changed

## Tokens and accounts

bearer-malformed = the Authorization header must be `Bearer <token>`
account-deactivated = this account is deactivated
account-gone = this account no longer exists
refresh-invalid = invalid refresh token
token-no-role = invalid token: no relais role in `{ $claim }`
token-expired = invalid token: it has expired
token-immature = invalid token: it is not valid yet
token-signature = invalid token: its signature does not match
token-audience = invalid token: it was issued for another service
token-algorithm = invalid token: its algorithm is not the one of its key
token-missing-claim = invalid token: it has no `{ $claim }` claim
token-malformed-claim = invalid token: its `{ $claim }` claim is malformed
token-malformed = invalid token: it is not a well-formed JWT
token-no-kid = invalid token: no kid in its header
token-no-such-role = invalid token: no such role
token-unknown-kid = invalid token: unknown kid `{ $kid }`
last-admin = this is the last active administrator
wrong-password = is not your current password
set-by-admins = is set by administrators
password-elsewhere = is changed with POST /api/v1/me/password
networks-by-admins = the networks you belong to are kept by their centres' administrators
no-actor-profile = no actor profile is linked to your account

## Request bodies

body-media-type = the body must be sent as { $expected }
body-too-large = the body exceeds { $limit } bytes
body-unreadable = cannot read the body: { $reason }
body-nul = the body holds a NUL character (\u0000)
body-not-object = the body must be a JSON object
merge-patch-not-object = a merge patch must be a JSON object
json-malformed = malformed JSON: { $reason }
json-duplicate-key = the key `{ $key }` is given twice
json-unknown-field = { $reason }
json-missing-field = { $reason }
json-invalid-type = { $reason }
required-not-null = is required and cannot be null

## Query strings, lists and cursors

query-not-utf8 = the query string is not UTF-8 once percent-decoded
query-invalid = invalid query string: { $reason }
query-nul = query parameter `{ $name }` holds a NUL character
query-empty = query parameter `{ $name }` is empty: give it a value or leave it out
unknown-parameter = unknown query parameter `{ $name }`
query-twice = query parameter given twice: { $reason }
query-invalid-value = invalid value for query parameter `{ $name }`: { $reason }
shaping-refused = this list takes neither `fields` nor `include`
feed-shaping = a feed takes the list's filters, sort and paging, not `fields`, `include` or `facets`
page-range = `page` counts from 1
page-too-deep = `page` goes up to { $max }: page further with the `cursor` of the `next` link
per-page-range = `per_page` must be between 1 and { $max }
page-and-cursor = give either `page` or `cursor`, not both
q-length = `q` must hold between 1 and { $max } characters
radius-range = `radius_km` must be more than 0 and at most { $max }
radius-needs-near = `radius_km` needs `near=latitude,longitude`
sort-unknown = cannot sort by `{ $name }`; sortable fields: { $fields }
facet-unknown = cannot count by `{ $name }`; facets of this list: { $facets }
facet-none = cannot count by `{ $name }`; facets of this list: none
cursor-invalid = `cursor` is not a cursor this list gave
cursor-other-sort = `cursor` was made for another `sort`; keep the same `sort` while paging
cursor-other-search = `cursor` was made for another search or order; keep the same `q` (or `near`) and `sort` while paging
fields-unknown = unknown field `{ $name }` in `fields`; fields: { $fields }
fields-empty = `fields` names no field
include-empty = `include` names nothing to include
include-unknown = cannot include `{ $name }`; this collection includes: { $relations }
include-none = cannot include `{ $name }`; this collection includes: nothing
search-type-unknown = unknown type `{ $name }` in `types`; types: centres, actors, events, trainings, documents
search-ranked = search results are ranked by relevance and always carry their facets
search-filter-types = `{ $name }` filters centres, actors and events, and `types` names none of them

## Collections

slug-in-trash = this slug belongs to an item in the trash: restore or purge it first
theme-unknown = there is no theme `{ $slug }`
theme-cycle = a theme cannot be placed below itself
link-unknown = names something that does not exist
self-paced-no-sessions = a self-paced training has no sessions
has-sessions = a training with sessions cannot become self-paced; delete its sessions first
department-unknown = `{ $department }` is not an INSEE department code
region-of-department = department { $department } is in region { $actual }, not { $region }
capacity-below-held = { $held } places are taken (confirmed or offered): the capacity cannot go below { $held }
restore-slug-taken = its slug (or another unique value) is used by another item now: change that item first
restore-link-gone = it refers to an item that is gone ({ $link }): restore or create that one first

## Contributions: `item` is document or event, `status` the item's

authors-only = only the { $item }'s authors and administrators change it
not-editable = this { $item } is { $status }: its authors no longer change it; an administrator does
member-status = a member keeps a { $item } as a draft or submits it; `{ $status }` is an administrator's decision
moderated-status = this { $item } is { $status }: members submit contributions, and an administrator decides on them through /publication or /rejection, not a status patch
not-submitted = this { $item } is { $status }: only a submitted { $item } is published or rejected

## Registrations: `item` is event or session

registration-draft = this { $item } is not published yet
registration-cancelled = this { $item } is cancelled
registration-started = this { $item } has already started
registration-none = this { $item } takes no registration: entry is free
registration-not-open = registration for this { $item } is not open yet (see registration_opens_at)
registration-closed = registration for this { $item } is closed (see registration_closes_at)
no-offer = no place is offered to you: your registration is { $status }
registration-already-cancelled = this registration is already cancelled
attendance-not-started = attendance is marked once the { $item } has started
attendance-not-confirmed = only confirmed registrations have an attendance; this one is { $status }

## Files

file-type = the file's content is `{ $found }`; accepted: PDF, OpenDocument, Office Open XML, PNG, JPEG, WebP, plain text and CSV (read from the content, not the name)
file-type-unknown = the file's content is of no type accepted; accepted: PDF, OpenDocument, Office Open XML, PNG, JPEG, WebP, plain text and CSV (read from the content, not the name)
file-too-large = a file is at most { $max } bytes
file-unreadable = reading the body: { $reason }
file-empty = the file is empty

## Webhooks

endpoint-not-url = not a URL
endpoint-https = an endpoint is an https URL
endpoint-credentials = an endpoint carries no credentials in its URL
endpoint-host = an endpoint names its host
endpoint-private = an endpoint is outside loopback and private networks
webhook-secret-form = a secret is `whsec_` and the base64 of 24 random bytes or more
webhook-secret-required = a new endpoint needs its signing secret (whsec_…)
