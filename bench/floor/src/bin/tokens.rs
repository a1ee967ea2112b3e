//! Access tokens for the registration benchmark (`bench/registrations.sh`): one member token
//! per account id read from standard input, signed with `RELAIS_JWT_SECRET` by relais's own
//! token service, one a line on standard output.

use relais::auth::Role;
use relais::auth::tokens::TokenService;
use std::io::{BufRead, Write};
use uuid::Uuid;

fn main() -> Result<(), String> {
    let secret = std::env::var("RELAIS_JWT_SECRET").map_err(|_| "RELAIS_JWT_SECRET is not set")?;
    let tokens =
        TokenService::new(secret.as_bytes(), "relais", "relais-api").map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        let id = Uuid::parse_str(line.trim()).map_err(|e| format!("`{line}`: {e}"))?;
        let token = tokens.issue(id, Role::Member).map_err(|e| e.to_string())?;
        writeln!(out, "{token}").map_err(|e| e.to_string())?;
    }
    Ok(())
}
