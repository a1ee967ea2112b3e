//! People and organisations of the network.

pub mod api;
pub mod model;
