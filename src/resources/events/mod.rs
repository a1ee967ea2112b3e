//! Journées techniques, rencontres, groupes de travail, séminaires, colloques…

pub mod api;
pub mod model;
