-- Lists sort nullable columns on coalesce(column, '-infinity'), so that a cursor can seek in an
-- index: documents by publication date, newest first (undated ones last), is the default order
-- of the documents, and the public's listing of them.
DROP INDEX documents_visible_published_on_idx;
CREATE INDEX documents_visible_published_on_idx
    ON documents (status, audience, (coalesce(published_on, '-infinity'::date)) DESC, id);
CREATE INDEX documents_published_on_order_idx
    ON documents ((coalesce(published_on, '-infinity'::date)) DESC, id);
