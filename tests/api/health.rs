//! Operators: /health, /metrics and the framework's error shapes.

use crate::helpers::{AppOptions, Backend, assert_error, json, spawn_app, spawn_app_with};

#[actix_web::test]
async fn health_on_sqlite_has_no_budget() {
    let app = spawn_app(Backend::Sqlite).await;

    let response = app.get("/health").await;

    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["database"]["backend"], "sqlite");
    assert_eq!(body["database"]["reachable"], true);
    assert!(body["database"]["ping_ms"].is_number());
    assert_eq!(body["budget"]["applicable"], false);
    assert!(body["budget"]["reason"].is_string());
    assert_eq!(body["pool"]["kind"], "queue");
    assert_eq!(body["pool"]["min"], 5);
    assert_eq!(body["pool"]["max"], 7);
    assert_eq!(body["property"]["code"], "GRACE-DXB");
    assert_eq!(body["property"]["timezone"], "Asia/Dubai");
    assert_eq!(
        body["property"]["business_date"],
        app.business_date().to_string()
    );
}

#[actix_web::test]
async fn health_on_postgres_reports_budget() {
    let app = spawn_app_with(AppOptions::new(Backend::Postgres).env("NUM_WORKERS", "4")).await;

    let body = json(app.get("/health").await).await;

    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["backend"], "postgres");
    assert_eq!(body["budget"]["applicable"], true);
    assert_eq!(body["budget"]["planned"], 28);
    assert_eq!(body["budget"]["num_workers"], 4);
    assert_eq!(body["budget"]["limit_source"], "server");
    let limit = body["budget"]["limit"].as_f64().unwrap();
    let ratio = body["budget"]["ratio"].as_f64().unwrap();
    assert!(
        (ratio - (28.0 / limit * 1000.0).round() / 1000.0).abs() < 1e-9,
        "{body}"
    );
    let pool = &body["pool"];
    assert_eq!(
        pool["size"].as_u64().unwrap(),
        pool["idle"].as_u64().unwrap() + pool["in_use"].as_u64().unwrap()
    );
}

#[actix_web::test]
async fn serverless_pool_kind_is_none() {
    let app = spawn_app_with(AppOptions::new(Backend::Postgres).env("IS_SERVERLESS", "true")).await;

    let body = json(app.get("/health").await).await;

    assert_eq!(body["status"], "ok");
    assert_eq!(body["pool"]["kind"], "none");
    let offers = json(
        app.rates(&format!("check_in={}&check_out={}", app.day(1), app.day(2)))
            .await,
    )
    .await;
    assert_eq!(offers["offers"].as_array().unwrap().len(), 4);
}

#[actix_web::test]
async fn metrics_expose_contract_families() {
    let app = spawn_app_with(AppOptions::new(Backend::Postgres).env("NUM_WORKERS", "4")).await;
    app.rates(&format!("check_in={}&check_out={}", app.day(1), app.day(2)))
        .await;
    app.get("/no/such/path").await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for family in [
        "grace_http_requests_total",
        "grace_http_request_duration_seconds_bucket",
        "grace_booking_validations_total",
        "grace_db_pool_connections",
        "grace_db_pool_min_connections",
        "grace_db_pool_max_connections",
        "grace_db_connection_budget_planned",
        "grace_db_connection_budget_limit",
        "grace_db_connection_budget_ratio",
        "grace_actor_restarts_total",
    ] {
        assert!(text.contains(family), "{family} missing from /metrics");
    }
    assert!(text.contains(r#"route="/rates""#));
    assert!(text.contains(r#"route="unmatched""#));
    assert!(
        !text.contains("/no/such/path"),
        "raw paths must never become labels"
    );
}

#[actix_web::test]
async fn unknown_path_and_wrong_method_are_json() {
    let app = spawn_app(Backend::Sqlite).await;

    assert_error(app.get("/nope").await, 404, "not_found").await;
    let wrong_method = app
        .client
        .delete(format!("{}/rates", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.headers()["allow"], "GET");
    assert_error(wrong_method, 405, "method_not_allowed").await;
    let get_webhook = app.get("/webhook").await;
    assert_error(get_webhook, 405, "method_not_allowed").await;
}
