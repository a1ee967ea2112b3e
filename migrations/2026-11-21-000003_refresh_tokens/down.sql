DROP INDEX users_email_sort_idx;
DROP INDEX users_created_at_idx;
DROP TABLE refresh_tokens;
