//! Guides, notes techniques, retours d'expérience, publications, comptes rendus…, and the
//! members' contributions among them, with their moderation and their files.

pub mod api;
pub mod contributions;
pub mod files;
pub mod model;
