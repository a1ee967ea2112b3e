//! The dated sessions of a training (`/trainings/{id}/sessions`).

pub mod api;
pub mod model;
