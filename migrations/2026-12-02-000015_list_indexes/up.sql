-- `from=` keeps the events and sessions still running that started before it. A page sorted by
-- start reads them from this index (the span as a range, which holds `from`), and the rest from
-- the start's index, from `from` on: `ends_at >= from` alone made it walk every past event.
CREATE INDEX events_span_idx ON events USING gist (tstzrange(starts_at, ends_at, '[]'));
CREATE INDEX training_sessions_span_idx ON training_sessions USING gist (tstzrange(starts_at, ends_at, '[]'));

-- Trainings by duration (undated ones, a self-paced module, first), as lists sort them.
CREATE INDEX trainings_duration_hours_idx ON trainings ((coalesce(duration_hours, '-infinity'::float8)), id);

-- Documents in a language, newest first: most are in French, and a walk of the date index
-- would read thousands of them to find a page of the others.
CREATE INDEX documents_language_idx ON documents (language, (coalesce(published_on, '-infinity'::date)) DESC, id);
