//! Webhook senders: signature, timestamp and body checks on POST /webhook.

use grace::signature::sign;
use serde_json::json;

use crate::helpers::{Backend, SECRET, TestApp, assert_error, booking_event, spawn_app};

fn event(app: &TestApp, id: &str) -> Vec<u8> {
    booking_event(id, &format!("REF-{id}"), "STD", &app.day(1), &app.day(2))
        .to_string()
        .into_bytes()
}

async fn post_raw(app: &TestApp, headers: &[(&str, Vec<u8>)], body: Vec<u8>) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/webhook", app.address))
        .body(body);
    for (name, value) in headers {
        request = request.header(
            *name,
            reqwest::header::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    request.send().await.unwrap()
}

fn headers_for(app: &TestApp, body: &[u8]) -> (String, String) {
    let timestamp = app.now.timestamp().to_string();
    let signature = sign(SECRET.as_bytes(), &timestamp, body);
    (timestamp, signature)
}

#[actix_web::test]
async fn signature_header_forms_are_accepted() {
    let app = spawn_app(Backend::Sqlite).await;

    for (index, form) in [
        "lower",
        "upper",
        "prefixed",
        "several",
        "x-signature",
        "X-SIGNATURE",
    ]
    .iter()
    .enumerate()
    {
        let body = event(&app, &format!("evt_form_{index}"));
        let (timestamp, signature) = headers_for(&app, &body);
        let (name, value) = match *form {
            "upper" => ("X-Signature", signature.to_uppercase()),
            "prefixed" => ("X-Signature", format!("sha256={signature}")),
            "several" => ("X-Signature", format!("{} , {signature}", "ab".repeat(32))),
            "x-signature" => ("x-signature", signature),
            "X-SIGNATURE" => ("X-SIGNATURE", signature),
            _ => ("X-Signature", format!("  {signature}  ")),
        };
        let response = post_raw(
            &app,
            &[
                ("x-timestamp", timestamp.into_bytes()),
                (name, value.into_bytes()),
            ],
            body,
        )
        .await;
        assert_eq!(
            response.status(),
            201,
            "{form}: {}",
            response.text().await.unwrap()
        );
    }
}

#[actix_web::test]
async fn malformed_signatures_are_401() {
    let app = spawn_app(Backend::Sqlite).await;
    let body = event(&app, "evt_bad_sig");
    let (timestamp, signature) = headers_for(&app, &body);

    let cases: Vec<(Vec<u8>, &str)> = vec![
        (signature.as_bytes()[..8].to_vec(), "invalid_signature"),
        (format!("{signature}00").into_bytes(), "invalid_signature"),
        ("z".repeat(64).into_bytes(), "invalid_signature"),
        (
            [signature.as_bytes(), &[0xE9]].concat(),
            "invalid_signature",
        ),
        (
            [&signature.as_bytes()[..63], &[0xE9]].concat(),
            "invalid_signature",
        ),
        (
            sign(b"wrong-secret", &timestamp, &body).into_bytes(),
            "invalid_signature",
        ),
    ];
    for (value, code) in cases {
        let response = post_raw(
            &app,
            &[
                ("X-Timestamp", timestamp.clone().into_bytes()),
                ("X-Signature", value),
            ],
            body.clone(),
        )
        .await;
        assert_error(response, 401, code).await;
    }

    let empty = post_raw(
        &app,
        &[
            ("X-Timestamp", timestamp.clone().into_bytes()),
            ("X-Signature", vec![]),
        ],
        body.clone(),
    )
    .await;
    assert_error(empty, 401, "missing_signature").await;
    let absent = post_raw(
        &app,
        &[("X-Timestamp", timestamp.into_bytes())],
        body.clone(),
    )
    .await;
    assert_error(absent, 401, "missing_signature").await;
    let no_timestamp = post_raw(&app, &[("X-Signature", signature.into_bytes())], body).await;
    assert_error(no_timestamp, 401, "missing_timestamp").await;
}

#[actix_web::test]
async fn timestamp_tolerance_both_ways() {
    let app = spawn_app(Backend::Sqlite).await;
    let now = app.now.timestamp();

    let ahead = app
        .post_signed_at(&event(&app, "evt_ahead"), now + 30)
        .await;
    assert_eq!(ahead.status(), 201);

    let future = assert_error(
        app.post_signed_at(&event(&app, "evt_future"), now + 301)
            .await,
        401,
        "timestamp_out_of_tolerance",
    )
    .await;
    assert!(
        future["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in the future")
    );
    let past = assert_error(
        app.post_signed_at(&event(&app, "evt_past"), now - 301)
            .await,
        401,
        "timestamp_out_of_tolerance",
    )
    .await;
    assert!(
        past["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in the past")
    );

    let millis = assert_error(
        app.post_signed_at(&event(&app, "evt_ms"), now * 1000).await,
        401,
        "invalid_timestamp",
    )
    .await;
    assert!(
        millis["error"]["message"]
            .as_str()
            .unwrap()
            .contains("milliseconds")
    );
}

#[actix_web::test]
async fn odd_spacing_and_utf8_bodies_verify_as_sent() {
    let app = spawn_app(Backend::Sqlite).await;
    let bodies = [
        format!(
            r#"{{ "type" : "booking.created" ,"id":"evt_spacing", "data": {{"guest":{{"name":"Zoë"}},"guests":1, "room_type":"STD","reference":"R-SPACING","check_in":"{}","check_out":"{}"}} }}"#,
            app.day(1),
            app.day(2)
        ),
        format!(
            r#"{{"id":"evt_utf8","type":"booking.created","data":{{"reference":"R-UTF8","room_type":"DLX","check_in":"{}","check_out":"{}","guests":1,"guest":{{"name":"Jürg 🏨","city":"Zürich","note":"🏨"}}}}}}"#,
            app.day(1),
            app.day(2)
        ),
    ];
    for body in bodies {
        let response = app.post_signed(body.as_bytes()).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
}

#[actix_web::test]
async fn body_limit_is_413_before_anything_else() {
    let app = spawn_app(Backend::Sqlite).await;
    let huge = vec![b'x'; 262_145];

    let unsigned = post_raw(&app, &[], huge.clone()).await;
    assert_error(unsigned, 413, "payload_too_large").await;
    let compressed = post_raw(&app, &[("Content-Encoding", b"gzip".to_vec())], huge).await;
    assert_error(compressed, 413, "payload_too_large").await;
}

#[actix_web::test]
async fn content_encoding_is_415() {
    let app = spawn_app(Backend::Sqlite).await;
    let body = event(&app, "evt_gzip");
    let (timestamp, signature) = headers_for(&app, &body);

    let headers = [
        ("Content-Encoding", b"gzip".to_vec()),
        ("X-Timestamp", timestamp.into_bytes()),
        ("X-Signature", signature.into_bytes()),
    ];
    assert_error(
        post_raw(&app, &headers, body.clone()).await,
        415,
        "unsupported_content_encoding",
    )
    .await;
    assert_error(
        post_raw(&app, &headers[..1], body).await,
        415,
        "unsupported_content_encoding",
    )
    .await;
}

#[actix_web::test]
async fn unreadable_json_is_400_with_position() {
    let app = spawn_app(Backend::Sqlite).await;

    for body in [
        &b""[..],
        b"{\"id\": ",
        b"not json",
        b"{\"id\":\"a\",\"id\":\"b\"}",
        b"\xff\xfe",
    ] {
        let error = assert_error(app.post_signed(body).await, 400, "invalid_json").await;
        if !body.is_empty() {
            assert!(
                error["error"]["message"].as_str().unwrap().contains("line"),
                "{error}"
            );
        }
    }
}

#[actix_web::test]
async fn envelope_problems_are_422() {
    let app = spawn_app(Backend::Sqlite).await;
    let cases = [
        (json!([1, 2]), "invalid_event", None),
        (
            json!({"type": "booking.created", "data": {}}),
            "invalid_event",
            Some("id"),
        ),
        (
            json!({"id": "has space", "type": "booking.created", "data": {}}),
            "invalid_event",
            Some("id"),
        ),
        (
            json!({"id": "evt_no_type", "data": {}}),
            "invalid_event",
            Some("type"),
        ),
        (
            json!({"id": "evt_unknown", "type": "room.painted", "data": {}}),
            "unknown_event_type",
            Some("type"),
        ),
        (
            json!({"id": "evt_no_data", "type": "booking.created"}),
            "invalid_event",
            Some("data"),
        ),
    ];
    for (body, code, field) in cases {
        let error = assert_error(app.post_event(&body).await, 422, code).await;
        assert_eq!(
            error["error"].get("field").and_then(|f| f.as_str()),
            field,
            "{body}"
        );
    }
}
