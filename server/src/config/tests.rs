//! The configuration's parsing, validation, redaction and README table.
use super::*;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

#[test]
fn defaults_need_nothing() {
    let c = config(&[]).unwrap();
    assert_eq!(c.bind_addr.to_string(), "127.0.0.1:3000");
    assert_eq!(c.public_url.as_str(), "http://127.0.0.1:3000/");
    assert_eq!(c.database_url.expose_secret(), "sqlite://data/outrival.db");
    assert!(c.redis_url.is_none());
    assert_eq!(c.database_max_connections, 4, "a small pool suits SQLite");
    let pg = config(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap();
    assert_eq!(pg.database_max_connections, 10);
    assert_eq!(c.login_lockout, Duration::from_secs(900));
    assert_eq!(c.request_body_limit, 2 * 1024 * 1024);
    assert!(!c.is_https());
}

#[test]
fn bad_values_name_the_variable() {
    let e = config(&[("DATABASE_URL", "mysql://localhost/db")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "DATABASE_URL: unsupported scheme \"mysql\"; use sqlite:// or postgres://"
    );
    assert_eq!(
        config(&[("BIND_ADDR", "nowhere")]).unwrap_err().var,
        "BIND_ADDR"
    );
    assert_eq!(
        config(&[("LOGIN_LOCKOUT", "soon")]).unwrap_err().var,
        "LOGIN_LOCKOUT"
    );
    assert_eq!(
        config(&[("LOG_FORMAT", "xml")]).unwrap_err().var,
        "LOG_FORMAT"
    );
    assert_eq!(
        config(&[("REDIS_URL", "http://x")]).unwrap_err().var,
        "REDIS_URL"
    );
    assert_eq!(
        config(&[("PUBLIC_URL", "ftp://x")]).unwrap_err().var,
        "PUBLIC_URL"
    );
    assert_eq!(
        config(&[("DATABASE_MAX_CONNECTIONS", "0")])
            .unwrap_err()
            .var,
        "DATABASE_MAX_CONNECTIONS"
    );
    assert_eq!(
        config(&[("CACHE_MAX_MB", "0")]).unwrap_err().var,
        "CACHE_MAX_MB"
    );
    assert_eq!(
        config(&[("CACHE_MAX_MB", "128")]).unwrap().cache_max_bytes,
        128 * 1024 * 1024
    );
    assert_eq!(
        config(&[("REQUEST_BODY_LIMIT", "lots")]).unwrap_err().var,
        "REQUEST_BODY_LIMIT"
    );
    assert_eq!(
        config(&[("AI_MAX_RETRIES", "eleven")])
            .unwrap_err()
            .to_string(),
        "AI_MAX_RETRIES: \"eleven\" is not a whole number from 0 to 10"
    );
    assert_eq!(
        config(&[
            ("DATABASE_MIN_CONNECTIONS", "9"),
            ("DATABASE_MAX_CONNECTIONS", "3")
        ])
        .unwrap_err()
        .var,
        "DATABASE_MIN_CONNECTIONS"
    );
    assert_eq!(
        config(&[("AI_PROVIDER", "openai")]).unwrap_err().var,
        "AI_PROVIDER"
    );
}

#[test]
fn deployments_that_cannot_be_correct_are_refused_naming_the_variable() {
    assert_eq!(config(&[]).unwrap().deployment, Deployment::Standalone);
    let pg = ("DATABASE_URL", "postgres://u@h/db");
    let redis = ("REDIS_URL", "redis://cache:6379");
    let shared = ("DEPLOYMENT", "shared");
    let ok = config(&[shared, pg, redis]).unwrap();
    assert_eq!(ok.deployment, Deployment::Shared);
    assert!(config(&[pg]).is_ok(), "standalone on PostgreSQL");
    for (vars, var, says) in [
        (vec![shared, pg], "REDIS_URL", "needs Redis"),
        (
            vec![shared, redis],
            "DATABASE_URL",
            "cannot share a SQLite file",
        ),
        (vec![redis], "REDIS_URL", "set DEPLOYMENT=shared"),
        (vec![pg, redis], "REDIS_URL", "set DEPLOYMENT=shared"),
        (
            vec![("DEPLOYMENT", "cluster")],
            "DEPLOYMENT",
            "standalone or shared",
        ),
    ] {
        let e = config(&vars).unwrap_err();
        assert_eq!(e.var, var, "{vars:?}: {e}");
        assert!(e.message.contains(says), "{vars:?}: {e}");
    }
}

#[test]
fn secrets_are_redacted_in_debug() {
    let c = config(&[
        (
            "DATABASE_URL",
            "postgres://app:hunter2secret@db.internal/outrival",
        ),
        ("DEPLOYMENT", "shared"),
        ("REDIS_URL", "redis://:redispass@cache:6379"),
        ("METRICS_TOKEN", "tok3n"),
    ])
    .unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("hunter2secret"), "{shown}");
    assert!(!shown.contains("redispass"), "{shown}");
    assert!(!shown.contains("tok3n"), "{shown}");
    assert!(shown.contains("db.internal"));
    let e = config(&[("REDIS_URL", "http://:redispass@cache")]).unwrap_err();
    assert!(!e.to_string().contains("redispass"), "{e}");
}

#[test]
fn durations_and_https() {
    assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
    assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
    assert_eq!(parse_duration("8h"), Some(Duration::from_secs(28_800)));
    assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
    assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
    assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
    assert_eq!(parse_duration("1h 30m"), Some(Duration::from_secs(5400)));
    assert_eq!(parse_duration("0m"), None);
    assert_eq!(parse_duration("soon"), None);
    assert!(config(&[("PUBLIC_URL", "https://ci.example.com")])
        .unwrap()
        .is_https());
}

#[test]
fn sizes_accept_binary_units_and_bytes() {
    for (text, bytes) in [
        ("2MiB", 2 * 1024 * 1024),
        ("64KiB", 64 * 1024),
        ("1000000", 1_000_000),
        ("5 MiB", 5 * 1024 * 1024),
    ] {
        assert_eq!(size(text), Ok(bytes), "{text}");
    }
    assert!(size("0").is_err());
    assert!(size("lots").is_err());
}

#[test]
fn aliases_blanks_and_flags() {
    let c = config(&[("LEPTOS_SITE_ADDR", "127.0.0.1:4000"), ("SITE_ROOT", "  ")]).unwrap();
    assert_eq!(c.bind_addr.port(), 4000, "cargo-leptos' address is read");
    assert_eq!(
        c.site_root, "target/site",
        "a blank variable counts as unset"
    );
    let both = config(&[
        ("BIND_ADDR", "127.0.0.1:5000"),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:4000"),
    ])
    .unwrap();
    assert_eq!(both.bind_addr.port(), 5000);
    let cli = Cli::parse_with(
        ["outrival", "--job-workers=3", "worker"].map(OsString::from),
        [("JOB_WORKERS".to_string(), "1".to_string())],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cli.command, Some(Command::Worker));
    assert_eq!(
        cli.settings.validate().unwrap().job_workers,
        3,
        "the flag wins"
    );
}

#[test]
fn the_declaration_is_well_formed() {
    Cli::command().debug_assert();
    for arg in Cli::declaration().get_arguments() {
        let id = arg.get_id().as_str();
        if matches!(id, "help" | "version") {
            continue;
        }
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
        assert!(env.is_some(), "{id} has no environment variable");
        assert!(arg.get_help().is_some(), "{id} has no help");
        assert_eq!(
            arg.get_long().map(|l| l.replace('-', "_").to_uppercase()),
            env,
            "the flag of {id} is its variable's name"
        );
    }
}

#[test]
fn help_names_every_variable_and_shows_no_values() {
    let help = Cli::declaration().render_long_help().to_string();
    for arg in Cli::declaration().get_arguments() {
        if let Some(name) = arg.get_env() {
            let name = name.to_string_lossy();
            assert!(
                help.contains(&format!("[env: {name}]")),
                "{name} in --help: {help}"
            );
        }
    }
}

#[test]
fn readme_table_is_the_declaration() {
    let readme = include_str!("../../../README.md");
    let table = Cli::readme_table();
    assert!(
        readme.contains(&table),
        "README.md's configuration table differs from the declaration in \
         server/src/config.rs; replace it with:\n\n{table}"
    );
}
