//! Formations, webinaires, e-learning modules and cycles de qualification.

pub mod api;
pub mod model;
