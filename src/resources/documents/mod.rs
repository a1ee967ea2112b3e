//! Guides, notes techniques, retours d'expérience, publications, comptes rendus…

pub mod api;
pub mod model;
