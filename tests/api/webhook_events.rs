//! Webhook senders: bookings, cancellations and rate updates, applied once.

use serde_json::json;

use crate::helpers::{
    Backend, assert_error, booking_event, cancel_event, json, query_i64, spawn_app,
};

const BACKENDS: [Backend; 2] = [Backend::Postgres, Backend::Sqlite];

#[actix_web::test]
async fn booking_takes_one_unit_per_night() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let event = booking_event("evt_book_1", "BK-1", "DLX", &app.day(2), &app.day(4));

        let response = app.post_event(&event).await;

        assert_eq!(response.status(), 201, "{backend:?}");
        let body = json(response).await;
        let booking = &body["booking"];
        assert!(booking["id"].as_str().is_some_and(|id| !id.is_empty()));
        assert_eq!(booking["reference"], "BK-1");
        assert_eq!(booking["status"], "confirmed");
        assert_eq!(booking["room_type"], "DLX");
        assert_eq!(booking["check_in"], app.day(2));
        assert_eq!(booking["check_out"], app.day(4));
        assert_eq!(booking["guests"], 2);
        assert_eq!(booking["nightly"][1]["amount"], "450.00");
        assert_eq!(booking["total"], "900.00");
        assert_eq!(booking["currency"], "AED");

        let rates = json(
            app.rates(&format!(
                "check_in={}&check_out={}&room_type=DLX",
                app.day(1),
                app.day(5)
            ))
            .await,
        )
        .await;
        assert_eq!(rates["offers"][0]["available"], 9);
        let nights = query_i64(&app.database, "SELECT COUNT(*) FROM booking_night").await;
        assert_eq!(nights, 2);
    }
}

#[actix_web::test]
async fn same_event_id_is_applied_once() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let event = booking_event("evt_replay", "BK-REPLAY", "STD", &app.day(1), &app.day(3));

        let first = app.post_event(&event).await;
        let first_status = first.status();
        let first_body = first.text().await.unwrap();
        let second = app.post_event(&event).await;

        assert_eq!(first_status, 201);
        assert_eq!(second.status(), 200);
        assert_eq!(second.headers()["idempotent-replayed"], "true");
        assert_eq!(second.text().await.unwrap(), first_body);
        assert_eq!(
            query_i64(&app.database, "SELECT COUNT(*) FROM booking").await,
            1
        );

        // A different body under the known id still gets the first outcome.
        let changed = booking_event("evt_replay", "BK-OTHER", "STE", &app.day(5), &app.day(6));
        let third = app.post_event(&changed).await;
        assert_eq!(third.status(), 200);
        assert_eq!(third.text().await.unwrap(), first_body);
        assert_eq!(
            query_i64(&app.database, "SELECT COUNT(*) FROM booking").await,
            1
        );
    }
}

#[actix_web::test]
async fn rejection_replays_with_first_status() {
    let app = spawn_app(Backend::Postgres).await;
    let event = booking_event(
        "evt_unknown_rt",
        "BK-X",
        "PENTHOUSE",
        &app.day(1),
        &app.day(2),
    );

    assert_error(app.post_event(&event).await, 422, "unknown_room_type").await;
    let replay = app.post_event(&event).await;

    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_error(replay, 422, "unknown_room_type").await;
}

#[actix_web::test]
async fn duplicate_reference_is_409() {
    let app = spawn_app(Backend::Postgres).await;

    let first = app
        .post_event(&booking_event(
            "evt_ref_1",
            "BK-SAME",
            "STD",
            &app.day(1),
            &app.day(2),
        ))
        .await;
    let second = app
        .post_event(&booking_event(
            "evt_ref_2",
            "BK-SAME",
            "DLX",
            &app.day(3),
            &app.day(4),
        ))
        .await;

    assert_eq!(first.status(), 201);
    assert_error(second, 409, "duplicate_reference").await;

    // The reference is checked before the stay's date rules.
    let past = app
        .post_event(&booking_event(
            "evt_ref_3",
            "BK-SAME",
            "DLX",
            &app.day(-1),
            &app.day(1),
        ))
        .await;
    assert_error(past, 409, "duplicate_reference").await;
}

#[actix_web::test]
async fn sold_out_night_is_409_and_takes_nothing() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        crate::helpers::set_available(&app.database, "FAM", &app.day(3), 0).await;

        let response = app
            .post_event(&booking_event(
                "evt_sold",
                "BK-SOLD",
                "FAM",
                &app.day(2),
                &app.day(4),
            ))
            .await;

        assert_error(response, 409, "no_availability").await;
        let untouched = query_i64(
            &app.database,
            "SELECT SUM(available) FROM nightly_rate WHERE room_type_id = (SELECT id FROM room_type WHERE code = 'FAM')",
        )
        .await;
        assert_eq!(untouched, 364 * 10, "{backend:?}");
    }
}

#[actix_web::test]
async fn booking_rules_are_422() {
    let app = spawn_app(Backend::Sqlite).await;
    let past = app.day(-1);
    let mut too_many = booking_event("evt_guests", "BK-G", "STD", &app.day(1), &app.day(2));
    too_many["data"]["guests"] = json!(3);
    let mut float_guests = booking_event("evt_float", "BK-F", "STD", &app.day(1), &app.day(2));
    float_guests["data"]["guests"] = json!(2.0);
    let mut no_guest = booking_event("evt_noguest", "BK-N", "STD", &app.day(1), &app.day(2));
    no_guest["data"].as_object_mut().unwrap().remove("guest");

    let cases = [
        (
            booking_event("evt_past", "BK-P", "STD", &past, &app.day(1)),
            "check_in_in_past",
            "data.check_in",
        ),
        (
            booking_event("evt_order", "BK-O", "STD", &app.day(2), &app.day(2)),
            "check_out_not_after_check_in",
            "data.check_out",
        ),
        (
            booking_event("evt_long", "BK-L", "STD", &app.day(1), &app.day(40)),
            "stay_too_long",
            "data.check_out",
        ),
        (
            booking_event("evt_date", "BK-D", "STD", "2026-02-30", &app.day(2)),
            "invalid_date",
            "data.check_in",
        ),
        (
            booking_event(
                "evt_dt",
                "BK-DT",
                "STD",
                "2026-12-10T00:00:00Z",
                &app.day(2),
            ),
            "invalid_date",
            "data.check_in",
        ),
        (
            booking_event("evt_rt", "BK-RT", "std", &app.day(1), &app.day(2)),
            "unknown_room_type",
            "data.room_type",
        ),
        (too_many, "too_many_guests", "data.guests"),
        (float_guests, "invalid_event", "data.guests"),
        (no_guest, "invalid_event", "data.guest"),
    ];
    for (event, code, field) in cases {
        let body = assert_error(app.post_event(&event).await, 422, code).await;
        assert_eq!(body["error"]["field"], field, "{event}");
    }
}

#[actix_web::test]
async fn cancellation_releases_units_once() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        app.post_event(&booking_event(
            "evt_c1",
            "BK-C",
            "STE",
            &app.day(1),
            &app.day(3),
        ))
        .await;
        let units = || async {
            let rates = json(
                app.rates(&format!(
                    "check_in={}&check_out={}&room_type=STE",
                    app.day(1),
                    app.day(3)
                ))
                .await,
            )
            .await;
            rates["offers"][0]["available"].as_i64().unwrap()
        };
        assert_eq!(units().await, 9);

        let cancelled = app.post_event(&cancel_event("evt_c2", "BK-C")).await;
        assert_eq!(cancelled.status(), 200);
        let body = json(cancelled).await;
        assert_eq!(body["booking"]["status"], "cancelled");
        assert_eq!(body["booking"]["total"], "1800.00");
        assert_eq!(units().await, 10);

        let again = app.post_event(&cancel_event("evt_c3", "BK-C")).await;
        assert_eq!(again.status(), 200);
        assert!(again.headers().get("idempotent-replayed").is_none());
        assert_eq!(json(again).await["booking"]["status"], "cancelled");
        assert_eq!(units().await, 10, "{backend:?}");
    }
}

#[actix_web::test]
async fn cancelling_unknown_booking_is_404() {
    let app = spawn_app(Backend::Sqlite).await;

    let body = assert_error(
        app.post_event(&cancel_event("evt_nobody", "BK-NONE")).await,
        404,
        "unknown_booking",
    )
    .await;

    assert_eq!(body["error"]["field"], "data.reference");
}

#[actix_web::test]
async fn back_to_back_stays_share_the_last_unit() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        for offset in 1..=4 {
            crate::helpers::set_available(&app.database, "STD", &app.day(offset), 1).await;
        }

        let first = app
            .post_event(&booking_event(
                "evt_bb1",
                "BK-BB1",
                "STD",
                &app.day(1),
                &app.day(3),
            ))
            .await;
        let second = app
            .post_event(&booking_event(
                "evt_bb2",
                "BK-BB2",
                "STD",
                &app.day(3),
                &app.day(5),
            ))
            .await;
        let overlapping = app
            .post_event(&booking_event(
                "evt_bb3",
                "BK-BB3",
                "STD",
                &app.day(2),
                &app.day(4),
            ))
            .await;

        assert_eq!(first.status(), 201, "{backend:?}");
        assert_eq!(second.status(), 201, "{backend:?}");
        assert_error(overlapping, 409, "no_availability").await;
    }
}

fn rates_event(id: &str, rates: serde_json::Value) -> serde_json::Value {
    json!({"id": id, "type": "rates.updated", "data": {"room_type": "DLX", "rates": rates}})
}

#[actix_web::test]
async fn rates_update_skips_older_events() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let now = app.now.timestamp();
        let (first, second) = (app.day(1), app.day(2));

        let newer = rates_event(
            "evt_r_new",
            json!([{"date": first, "amount": "500.00", "available": 4}]),
        );
        let response = app.post_signed_at(newer.to_string().as_bytes(), now).await;
        assert_eq!(
            json(response).await,
            json!({"room_type": "DLX", "written": 1, "skipped_stale": 0})
        );

        let older = rates_event(
            "evt_r_old",
            json!([{"date": first, "amount": 300, "available": 9}, {"date": second, "amount": "510.5", "available": 2}]),
        );
        let response = app
            .post_signed_at(older.to_string().as_bytes(), now - 10)
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            json(response).await,
            json!({"room_type": "DLX", "written": 1, "skipped_stale": 1})
        );

        let same_time = rates_event(
            "evt_r_same",
            json!([{"date": first, "amount": "520.00", "available": 3}]),
        );
        let response = app
            .post_signed_at(same_time.to_string().as_bytes(), now)
            .await;
        assert_eq!(json(response).await["written"], 1);

        let rates = json(
            app.rates(&format!(
                "check_in={first}&check_out={}&room_type=DLX",
                app.day(3)
            ))
            .await,
        )
        .await;
        assert_eq!(
            rates["offers"][0]["nightly"][0]["amount"], "520.00",
            "{backend:?}"
        );
        assert_eq!(rates["offers"][0]["nightly"][1]["amount"], "510.50");
        assert_eq!(rates["offers"][0]["available"], 2);
        assert_eq!(rates["offers"][0]["total"], "1030.50");
    }
}

#[actix_web::test]
async fn rates_update_rejects_bad_amounts() {
    let app = spawn_app(Backend::Sqlite).await;
    let day = app.day(1);
    let cases = [
        (
            json!([{"date": day, "amount": "129.000", "available": 1}]),
            "invalid_event",
            "data.rates[0].amount",
        ),
        (
            json!([{"date": day, "amount": "1e2", "available": 1}]),
            "invalid_event",
            "data.rates[0].amount",
        ),
        (
            json!([{"date": day, "amount": "+5.00", "available": 1}]),
            "invalid_event",
            "data.rates[0].amount",
        ),
        (
            json!([{"date": day, "amount": "1.005", "available": 1}]),
            "invalid_event",
            "data.rates[0].amount",
        ),
        (
            json!([{"date": day, "amount": "-1.00", "available": 1}]),
            "invalid_event",
            "data.rates[0].amount",
        ),
        (
            json!([{"date": day, "amount": "1.00", "available": -1}]),
            "invalid_event",
            "data.rates[0].available",
        ),
        (
            json!([{"date": "12/10/2026", "amount": "1.00", "available": 1}]),
            "invalid_date",
            "data.rates[0].date",
        ),
    ];
    for (index, (rates, code, field)) in cases.into_iter().enumerate() {
        let body = assert_error(
            app.post_event(&rates_event(&format!("evt_bad_rate_{index}"), rates))
                .await,
            422,
            code,
        )
        .await;
        assert_eq!(body["error"]["field"], field);
    }
    let unknown = json!({"id": "evt_rt_unknown", "type": "rates.updated", "data": {"room_type": "NOPE", "rates": [{"date": day, "amount": "1.00", "available": 1}]}});
    assert_error(app.post_event(&unknown).await, 422, "unknown_room_type").await;
}

#[actix_web::test]
async fn event_metrics_count_outcomes() {
    let app = spawn_app(Backend::Sqlite).await;
    let event = booking_event("evt_metrics", "BK-M", "STD", &app.day(1), &app.day(2));
    app.post_event(&event).await;
    app.post_event(&event).await;

    let text = app.get("/metrics").await.text().await.unwrap();

    assert!(
        text.contains(r#"grace_webhook_events_total{type="booking.created",outcome="applied"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"grace_webhook_events_total{type="booking.created",outcome="replayed"}"#)
    );
    assert!(text.contains(r#"grace_webhook_verifications_total{result="ok"}"#));
}
