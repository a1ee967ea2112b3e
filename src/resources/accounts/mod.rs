//! The caller's own account: tokens (`/auth/token`, `/auth/refresh`, `/auth/logout`), `/me`
//! and `/me/password`.

pub mod api;
pub mod model;
