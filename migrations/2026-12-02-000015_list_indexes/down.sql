DROP INDEX documents_language_idx;
DROP INDEX trainings_duration_hours_idx;
DROP INDEX training_sessions_span_idx;
DROP INDEX events_span_idx;
