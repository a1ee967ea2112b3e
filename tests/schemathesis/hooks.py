"""What a client does that the spec can only say in words, as schemathesis hooks:

- a new Idempotency-Key for each new request: the same key with another request is a 422,
  as each POST's Idempotency-Key parameter says;
- a `cursor` is only ever one a page gave (`meta.next_cursor`, the `next` link): it is opaque,
  and a made-up one is a 400, as the parameter says.
"""
import uuid

import schemathesis


@schemathesis.hook
def map_headers(ctx, headers):
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers


@schemathesis.hook
def map_query(ctx, query):
    if query and "cursor" in query:
        del query["cursor"]
    return query
