//! The `relais` command: parses the command line and calls the library.

use std::io::Read;
use std::process::ExitCode;

use relais::auth::AccountRole;
use relais::config::Config;

const USAGE: &str = "usage: relais [serve | migrate | openapi | seed | create-user --email EMAIL --role admin|member]

  serve        run the HTTP API (the default)
  migrate      apply the database migrations and exit
  openapi      print the OpenAPI document
  seed         load the French demo data set (idempotent)
  create-user  create an account; the password is read from standard input

Configuration comes from the environment: RELAIS_BIND, DATABASE_URL, RELAIS_DATA_DIR,
RELAIS_JWT_SECRET, RELAIS_DB_POOL_SIZE, RUST_LOG (see README.md).";

// Gives freed memory back to the system, which glibc's allocator does not do for threads.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("relais: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if matches!(command, "-h" | "--help" | "help") {
        println!("{USAGE}");
        return Ok(());
    }
    if command == "openapi" {
        print!("{}", relais::openapi::document_json()?);
        return Ok(());
    }
    let config = Config::from_env()?;
    let runtime = actix_web::rt::System::new();
    match command {
        "serve" => runtime.block_on(relais::serve(config)),
        "migrate" => runtime.block_on(relais::commands::migrate(&config)),
        "seed" => runtime.block_on(relais::commands::seed(&config)),
        "create-user" => {
            let (email, role) = user_arguments(&args[1..])?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            runtime.block_on(relais::commands::create_user(
                &config, &email, &password, role,
            ))
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

fn user_arguments(args: &[String]) -> Result<(String, AccountRole), String> {
    let mut email = None;
    let mut role = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        match flag.as_str() {
            "--email" => email = Some(value.clone()),
            "--role" => {
                role = Some(
                    value
                        .parse::<AccountRole>()
                        .map_err(|_| format!("--role must be admin or member, not {value}"))?,
                )
            }
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    match (email, role) {
        (Some(email), Some(role)) => Ok((email, role)),
        _ => Err(format!("create-user needs --email and --role\n\n{USAGE}")),
    }
}
