//! `relais seed`: a realistic French demo data set.

use diesel_async::AsyncPgConnection;

pub async fn run(_conn: &mut AsyncPgConnection) -> Result<String, String> {
    Err("not yet".into())
}
