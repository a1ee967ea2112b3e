//! Guides, notes techniques, retours d'expérience, publications, comptes rendus…, and the
//! members' contributions among them, with their files.

pub mod api;
pub mod files;
pub mod model;

use utoipa_actix_web::service_config::ServiceConfig;

/// The documents' operations: the collection's, with its moderation, then its files'.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.configure(api::routes)
        .service(files::upload_document_file)
        .service(files::get_document_file)
        .service(files::delete_document_file);
}
