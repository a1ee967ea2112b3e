//! Resource centres (centres de ressources).

pub mod api;
pub mod model;
