//! Registrations for events and training sessions: places held in the database, waitlists
//! moved up by `confirm` or `offer`, attendance, and each member's own list and calendar.

pub mod api;
pub mod me;
pub mod model;
pub mod offers;
mod operations;
