//! Guides, notes techniques, retours d'expérience, publications, comptes rendus…, and the
//! members' contributions among them, with their moderation and their files.

pub mod api;
pub mod contributions;
pub mod files;
pub mod model;

use utoipa_actix_web::service_config::ServiceConfig;

/// The documents' operations: the collection's, then moderation's and files'.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.configure(api::routes)
        .service(contributions::publish_document)
        .service(contributions::reject_document)
        .service(contributions::list_my_contributions)
        .service(contributions::list_contributions)
        .service(files::upload_document_file)
        .service(files::get_document_file)
        .service(files::delete_document_file);
}
