//! Integration tests: each test boots the real application on a fresh database and talks to
//! it over HTTP.

mod helpers;

mod actors;
mod audit;
mod auth;
mod balanced;
mod centres;
mod changes;
mod contributions;
mod database_errors;
mod documents;
mod events;
mod faults;
mod feeds;
mod files;
mod geography;
mod idempotency;
mod kept_links;
mod languages;
mod limits;
mod lists;
mod openapi;
mod partner_page;
mod partners;
mod plans;
mod registrations;
mod representations;
mod roles;
mod schema;
mod search;
mod security;
mod seed;
mod sessions;
mod shaping;
mod statement_cache;
mod statements;
mod themes;
mod totals;
mod trainings;
mod trash;
mod users;
mod visibility;
mod webhooks;
