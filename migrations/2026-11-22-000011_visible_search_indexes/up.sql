-- A search by the public or by a member reads only the matches it may see: these partial
-- indexes hold only those, so the rows hidden from the caller (drafts, archived or cancelled
-- items, members-only ones for the public) are not visited at all. On the benchmark's broad
-- searches that is a fifth fewer heap pages. The full index stays for administrators.
CREATE INDEX events_search_public_idx ON events USING gin (search)
    WHERE status = 'published' AND audience = 'public';
CREATE INDEX events_search_published_idx ON events USING gin (search)
    WHERE status = 'published';
CREATE INDEX trainings_search_public_idx ON trainings USING gin (search)
    WHERE status = 'published' AND audience = 'public';
CREATE INDEX trainings_search_published_idx ON trainings USING gin (search)
    WHERE status = 'published';
CREATE INDEX documents_search_public_idx ON documents USING gin (search)
    WHERE status = 'published' AND audience = 'public';
CREATE INDEX documents_search_published_idx ON documents USING gin (search)
    WHERE status = 'published';
