//! The rates cache: the same responses as the database, and fresh across
//! processes within a second of a change.

use std::time::{Duration, Instant};

use crate::helpers::{
    AppOptions, Backend, SECRET, ServerProcess, TestDatabase, booking_event, json, spawn_app_on,
};

#[actix_web::test]
async fn cache_answers_like_the_database() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let cached = spawn_app_on(database, AppOptions::new(Backend::Postgres)).await;
    let uncached_database = TestDatabase::existing(&cached.database.url);
    let uncached = spawn_app_on(
        uncached_database,
        AppOptions::new(Backend::Postgres).env("RATES_CACHE", "false"),
    )
    .await;
    cached
        .post_event(&booking_event(
            "evt_cache_1",
            "BK-CACHE-1",
            "DLX",
            &cached.day(3),
            &cached.day(6),
        ))
        .await;
    crate::helpers::set_available(&cached.database, "STE", &cached.day(10), 0).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut queries = Vec::new();
    for (start, nights) in [
        (0, 1),
        (2, 3),
        (5, 7),
        (9, 2),
        (30, 30),
        (380, 5),
        (398, 10),
    ] {
        for filter in [
            "",
            "&room_type=DLX",
            "&room_type=STE&guests=3",
            "&guests=4",
            "&room_type=NOPE",
        ] {
            queries.push(format!(
                "check_in={}&check_out={}{filter}",
                cached.day(start),
                cached.day(start + nights)
            ));
        }
    }
    for query in queries {
        let from_cache = cached.rates(&query).await;
        let from_database = uncached.rates(&query).await;
        assert_eq!(from_cache.status(), from_database.status(), "{query}");
        assert_eq!(
            from_cache.text().await.unwrap(),
            from_database.text().await.unwrap(),
            "{query}"
        );
    }
}

async fn available(client: &reqwest::Client, address: &str, query: &str) -> i64 {
    let body = json(
        client
            .get(format!("{address}/rates?{query}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    body["offers"][0]["available"].as_i64().unwrap_or(0)
}

#[actix_web::test]
async fn change_in_one_process_shows_in_another_within_a_second() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let env = vec![
        ("DATABASE_URL", database.url.clone()),
        ("LOG_LEVEL", "warn".to_owned()),
    ];
    let writer = ServerProcess::start(&env).await;
    let reader = ServerProcess::start(&env).await;
    let client = reqwest::Client::new();
    let business_date = crate::helpers::dubai_business_date();
    let day = |offset: i64| (business_date + chrono::Duration::days(offset)).to_string();
    let query = format!("check_in={}&check_out={}&room_type=FAM", day(4), day(5));
    assert_eq!(available(&client, &reader.address, &query).await, 10);

    let event = booking_event("evt_fresh", "BK-FRESH", "FAM", &day(4), &day(5)).to_string();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = grace::signature::sign(SECRET.as_bytes(), &timestamp, event.as_bytes());
    let booked = client
        .post(format!("{}/webhook", writer.address))
        .header("X-Timestamp", timestamp)
        .header("X-Signature", signature)
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 201);
    let committed = Instant::now();

    while available(&client, &reader.address, &query).await != 9 {
        assert!(
            committed.elapsed() < Duration::from_secs(1),
            "the reader still shows the old availability"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(committed.elapsed() < Duration::from_secs(1));
}
