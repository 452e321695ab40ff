//! Operators: every invalid setting stops start-up with exit code 2 and a
//! message naming the variable and the value.

use crate::helpers::run_grace;

#[test]
fn invalid_values_exit_2_naming_variable_and_value() {
    let cases = [
        ("DB_POOL_SIZE", "five"),
        ("DB_MAX_OVERFLOW", "-1"),
        ("DB_POOL_TIMEOUT", "0"),
        ("DB_POOL_RECYCLE", "soon"),
        ("DB_POOL_PRE_PING", "maybe"),
        ("IS_SERVERLESS", "2"),
        ("NUM_WORKERS", "0"),
        ("HTTP_WORKERS", "x"),
        ("POSTGRES_MAX_CONNECTIONS", "lots"),
        ("PROPERTY_TIMEZONE", "Mars/Olympus_Mons"),
        ("BUSINESS_DAY_START", "25:00"),
        ("BUSINESS_DAY_START", "5am"),
        ("MAX_STAY_NIGHTS", "0"),
        ("HMAC_TOLERANCE_SECONDS", "-5"),
        ("BIND_ADDR", "localhost"),
        ("MAX_BODY_BYTES", "1e6"),
        ("DATABASE_URL", "mysql://localhost/grace"),
        ("GRACE_ENV", "staging"),
        ("LOG_FORMAT", "xml"),
    ];
    for (variable, value) in cases {
        let (code, _, stderr) = run_grace(&["serve"], &[(variable, value)], None);
        assert_eq!(code, 2, "{variable}={value}: {stderr}");
        assert!(
            stderr.contains(variable),
            "{variable} missing from {stderr:?}"
        );
        assert!(stderr.contains(value), "{value} missing from {stderr:?}");
    }
}

#[test]
fn missing_config_dir_exits_2() {
    let (code, _, stderr) = run_grace(
        &["serve"],
        &[("GRACE_CONFIG_DIR", "/nonexistent/grace-config")],
        None,
    );

    assert_eq!(code, 2);
    assert!(stderr.contains("GRACE_CONFIG_DIR"), "{stderr}");
    assert!(stderr.contains("/nonexistent/grace-config"), "{stderr}");
}

#[test]
fn production_needs_a_long_secret_and_never_prints_it() {
    let (code, _, stderr) = run_grace(&["serve"], &[("GRACE_ENV", "production")], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("HMAC_SECRET"), "{stderr}");

    let short = "short-secret-value";
    let (code, _, stderr) = run_grace(
        &["serve"],
        &[("GRACE_ENV", "production"), ("HMAC_SECRET", short)],
        None,
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("HMAC_SECRET"), "{stderr}");
    assert!(stderr.contains(&short.len().to_string()), "{stderr}");
    assert!(!stderr.contains(short), "the secret leaked: {stderr}");
}

#[test]
fn unreachable_database_exits_1() {
    let (code, _, stderr) = run_grace(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/grace"),
            ("DB_POOL_TIMEOUT", "2"),
        ],
        None,
    );

    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot connect"), "{stderr}");
}
