"""What a client does that the spec can only say in words, as a schemathesis hook run before
every request of every phase:

- a new Idempotency-Key for each new request: the same key with another request is a 422,
  as each POST's Idempotency-Key parameter says;
- a `cursor` is only ever one a page gave (`meta.next_cursor`, the `next` link): it is opaque,
  and a made-up one is a 400, as the parameter says. It also replaces `page`, so the two are
  never sent together.
"""
import uuid

import schemathesis


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if case.query and "cursor" in case.query:
        del case.query["cursor"]
