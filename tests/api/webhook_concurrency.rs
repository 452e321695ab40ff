//! Inventory under concurrency on PostgreSQL: the last unit is sold once,
//! within one process and across two processes sharing the database.

use futures_util::future::join_all;

use crate::helpers::{
    AppOptions, Backend, SECRET, ServerProcess, TestDatabase, booking_event, query_i64,
    set_available, spawn_app_on,
};

fn signed(client: &reqwest::Client, base: &str, body: String) -> reqwest::RequestBuilder {
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = grace::signature::sign(SECRET.as_bytes(), &timestamp, body.as_bytes());
    client
        .post(format!("{base}/webhook"))
        .header("X-Timestamp", timestamp)
        .header("X-Signature", signature)
        .body(body)
}

/// Asserts that of twenty attempts on the last unit, one got 201 and nineteen 409.
fn assert_one_sold(responses: Vec<reqwest::Result<reqwest::Response>>) {
    let statuses: Vec<u16> = responses
        .into_iter()
        .map(|response| response.unwrap().status().as_u16())
        .collect();
    let count = |wanted: u16| statuses.iter().filter(|status| **status == wanted).count();
    assert_eq!(count(201), 1, "{statuses:?}");
    assert_eq!(count(409), 19, "{statuses:?}");
}

#[actix_web::test]
async fn twenty_bookings_for_one_unit() {
    let app = spawn_app_on(
        TestDatabase::create(Backend::Postgres).await,
        AppOptions::new(Backend::Postgres),
    )
    .await;
    let night = app.day(5);
    set_available(&app.database, "DLX", &night, 1).await;
    let next = app.day(6);

    let requests = (0..20).map(|index| {
        let event = booking_event(
            &format!("evt_race_{index}"),
            &format!("BK-RACE-{index}"),
            "DLX",
            &night,
            &next,
        );
        signed(&app.client, &app.address, event.to_string()).send()
    });
    assert_one_sold(join_all(requests).await);
    assert_eq!(
        query_i64(&app.database, "SELECT COUNT(*) FROM booking").await,
        1
    );
}

async fn two_processes(database: &TestDatabase) -> (ServerProcess, ServerProcess) {
    let env = vec![
        ("DATABASE_URL", database.url.clone()),
        ("LOG_LEVEL", "warn".to_owned()),
    ];
    let first = ServerProcess::start(&env).await;
    let second = ServerProcess::start(&env).await;
    (first, second)
}

#[actix_web::test]
async fn two_processes_sell_the_last_unit_once() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let (first, second) = two_processes(&database).await;
    let business_date = crate::helpers::dubai_business_date();
    let night = (business_date + chrono::Duration::days(7)).to_string();
    let next = (business_date + chrono::Duration::days(8)).to_string();
    set_available(&database, "STD", &night, 1).await;
    let client = reqwest::Client::new();

    let requests = (0..20).map(|index| {
        let base = if index % 2 == 0 {
            &first.address
        } else {
            &second.address
        };
        let event = booking_event(
            &format!("evt_mp_{index}"),
            &format!("BK-MP-{index}"),
            "STD",
            &night,
            &next,
        );
        signed(&client, base, event.to_string()).send()
    });
    assert_one_sold(join_all(requests).await);
    assert_eq!(
        query_i64(&database, "SELECT COUNT(*) FROM booking").await,
        1
    );
}

#[actix_web::test]
async fn one_event_id_to_two_processes_books_once() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let (first, second) = two_processes(&database).await;
    let business_date = crate::helpers::dubai_business_date();
    let check_in = (business_date + chrono::Duration::days(2)).to_string();
    let check_out = (business_date + chrono::Duration::days(3)).to_string();
    let client = reqwest::Client::new();

    for round in 0..5 {
        let event = booking_event(
            &format!("evt_shared_{round}"),
            &format!("BK-SHARED-{round}"),
            "FAM",
            &check_in,
            &check_out,
        );
        let (a, b) = futures_util::join!(
            signed(&client, &first.address, event.to_string()).send(),
            signed(&client, &second.address, event.to_string()).send()
        );
        let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "round {round}");
    }
    assert_eq!(
        query_i64(&database, "SELECT COUNT(*) FROM booking").await,
        5
    );
    assert_eq!(
        query_i64(&database, "SELECT COUNT(*) FROM webhook_event").await,
        5
    );
}
