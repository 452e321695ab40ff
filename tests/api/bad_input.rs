//! Senders of garbage: hundreds of malformed requests, each rejected with a
//! 4xx in the error shape, none with a 5xx, and the process stays up.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, booking_event, spawn_app};

/// A small deterministic generator, so a failing case can be reproduced.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn bytes(&mut self, length: usize) -> Vec<u8> {
        (0..length).map(|_| self.next() as u8).collect()
    }
}

fn webhook_bodies(app: &TestApp) -> Vec<Vec<u8>> {
    let valid =
        booking_event("evt_bad_base", "BK-BAD", "STD", &app.day(1), &app.day(2)).to_string();
    let mut bodies: Vec<Vec<u8>> = Vec::new();

    // Every truncation of a valid event.
    for cut in 1..valid.len() {
        bodies.push(valid.as_bytes()[..cut].to_vec());
    }

    // Random bytes of assorted lengths.
    let mut random = Lcg(20_261_204);
    for length in [1, 2, 7, 64, 300, 4096] {
        for _ in 0..5 {
            bodies.push(random.bytes(length));
        }
    }

    // Readable JSON of the wrong shape, wrong types, nulls and odd values.
    let wrong_values = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e308),
        json!("x".repeat(1_000)),
        json!([]),
        json!({}),
        json!(12345678901234567890_u64),
        json!(2.0),
        json!("2025-02-30"),
        json!("0000-01-01"),
        json!("2025-03-11T00:00:00+04:00"),
    ];
    let fields = ["id", "type", "data"];
    let data_fields = [
        "reference",
        "room_type",
        "check_in",
        "check_out",
        "guests",
        "guest",
    ];
    for value in &wrong_values {
        for field in fields {
            let mut event: Value = serde_json::from_str(&valid).unwrap();
            event[field] = value.clone();
            event["id"] = json!(format!("evt_wrong_{field}_{}", bodies.len()));
            if field == "id" {
                // A short printable string is a valid id, not a malformed one.
                if value.as_str().is_some_and(|id| id.len() <= 128) {
                    continue;
                }
                event["id"] = value.clone();
            }
            bodies.push(event.to_string().into_bytes());
        }
        for field in data_fields {
            // A short printable string is a valid reference, not a malformed one.
            if field == "reference"
                && value
                    .as_str()
                    .is_some_and(|reference| reference.len() <= 64)
            {
                continue;
            }
            let mut event: Value = serde_json::from_str(&valid).unwrap();
            event["data"][field] = value.clone();
            event["id"] = json!(format!("evt_wrong_data_{field}_{}", bodies.len()));
            bodies.push(event.to_string().into_bytes());
        }
    }

    // Structure: deep nesting, duplicate keys, huge numbers, a 1 MB string.
    bodies.push(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes());
    bodies.push(format!("{{\"id\":{}1{}}}", "[".repeat(200), "]".repeat(200)).into_bytes());
    bodies.push(br#"{"id":"evt_dup","id":"evt_dup2","type":"booking.created","data":{}}"#.to_vec());
    bodies.push(format!(r#"{{"id":"evt_huge","type":"rates.updated","data":{{"room_type":"STD","rates":[{{"date":"{}","amount":1e400,"available":1}}]}}}}"#, app.day(1)).into_bytes());
    bodies.push(format!(r#"{{"id":"evt_units","type":"rates.updated","data":{{"room_type":"STD","rates":[{{"date":"{}","amount":"1.00","available":99999999999}}]}}}}"#, app.day(1)).into_bytes());
    bodies.push(
        format!(
            r#"{{"id":"{}","type":"booking.created","data":{{}}}}"#,
            "x".repeat(1_000_000)
        )
        .into_bytes(),
    );
    bodies.push(b"\xef\xbb\xbf{}".to_vec());
    bodies.push(b"{\"id\":\"\xff\xfe\"}".to_vec());
    bodies
}

fn rates_queries(app: &TestApp) -> Vec<String> {
    let (tomorrow, after) = (app.day(1), app.day(2));
    let mut queries = vec![
        String::new(),
        "check_in".to_owned(),
        "check_in=&check_out=".to_owned(),
        format!("check_in={tomorrow}&check_in={tomorrow}&check_out={after}"),
        "%".to_owned(),
        "check_in=%E9".to_owned(),
        format!("check_in={tomorrow}&check_out={after}&guests=99999999999999999999"),
        format!("check_in={tomorrow}&check_out={after}&guests=1e3"),
        format!("check_in={tomorrow}&check_out={after}&room_type=%00"),
        format!(
            "check_in={tomorrow}&check_out={after}&room_type={}",
            "A".repeat(5_000)
        ),
        format!("check_in={}&check_out={after}", "9".repeat(3_000)),
    ];
    for bad_date in [
        "2025-02-30",
        "0000-01-01",
        "9999-99-99",
        "2025-1-1",
        "tomorrow",
        "2025-03-11T00:00:00Z",
        "-2025-01-01",
    ] {
        queries.push(format!("check_in={bad_date}&check_out={after}"));
        queries.push(format!("check_in={tomorrow}&check_out={bad_date}"));
    }
    queries
}

#[actix_web::test]
async fn malformed_requests_get_4xx_json() {
    let app = spawn_app(Backend::Postgres).await;
    let bodies = webhook_bodies(&app);
    let queries = rates_queries(&app);
    let total = bodies.len() + queries.len();
    assert!(total >= 300, "only {total} cases");

    for body in bodies {
        let response = app.post_signed(&body).await;
        assert_client_error(
            response,
            &String::from_utf8_lossy(&body[..body.len().min(120)]),
        )
        .await;
    }
    for query in queries {
        assert_client_error(app.rates(&query).await, &query[..query.len().min(120)]).await;
    }

    assert_eq!(
        app.get("/health").await.status(),
        200,
        "the process did not survive"
    );
}

async fn assert_client_error(response: reqwest::Response, case: &str) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(
        (400..500).contains(&status),
        "{status} for {case:?}: {text}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("no JSON for {case:?}: {text}"));
    assert!(
        body["error"]["code"].is_string(),
        "no error code for {case:?}: {text}"
    );
    assert!(
        body["error"]["message"].is_string(),
        "no message for {case:?}: {text}"
    );
}

#[actix_web::test]
async fn unknown_fields_are_ignored() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut event = booking_event("evt_extra", "BK-EXTRA", "STD", &app.day(1), &app.day(2));
    event["sent_at"] = json!("2026-01-01T00:00:00Z");
    event["data"]["channel"] = json!("booking-engine");

    assert_eq!(app.post_event(&event).await.status(), 201);
}
