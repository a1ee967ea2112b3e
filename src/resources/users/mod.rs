//! Accounts, managed by administrators (`/users`).

pub mod api;
pub mod model;
