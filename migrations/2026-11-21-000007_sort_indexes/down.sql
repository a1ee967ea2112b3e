DROP INDEX documents_published_on_order_idx;
DROP INDEX documents_visible_published_on_idx;
CREATE INDEX documents_visible_published_on_idx ON documents (status, audience, published_on, id);
