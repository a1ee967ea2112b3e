//! The shared taxonomy every other collection is tagged with.

pub mod api;
pub mod model;
