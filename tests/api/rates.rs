//! Rate consumers: GET /rates with the property's business date.

use crate::helpers::{
    AppOptions, Backend, assert_error, json, set_available, spawn_app, spawn_app_with,
};

const BACKENDS: [Backend; 2] = [Backend::Postgres, Backend::Sqlite];

#[actix_web::test]
async fn offers_have_decimal_amounts_and_exact_totals() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;

        let response = app
            .rates(&format!("check_in={}&check_out={}", app.day(3), app.day(5)))
            .await;

        assert_eq!(response.status(), 200, "{backend:?}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body = json(response).await;
        assert_eq!(body["property"], "GRACE-DXB");
        assert_eq!(body["currency"], "AED");
        assert_eq!(body["check_in"], app.day(3));
        assert_eq!(body["nights"], 2);
        let offers = body["offers"].as_array().unwrap();
        let codes: Vec<_> = offers
            .iter()
            .map(|offer| offer["room_type"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["DLX", "FAM", "STD", "STE"]);
        let deluxe = &offers[0];
        assert_eq!(deluxe["name"], "Deluxe");
        assert_eq!(deluxe["max_guests"], 2);
        assert_eq!(deluxe["available"], 10);
        assert_eq!(deluxe["nightly"][0]["date"], app.day(3));
        assert_eq!(deluxe["nightly"][0]["amount"], "450.00");
        assert_eq!(deluxe["nightly"][1]["date"], app.day(4));
        assert_eq!(deluxe["total"], "900.00");
    }
}

#[actix_web::test]
async fn room_type_and_guests_filter_offers() {
    let app = spawn_app(Backend::Sqlite).await;
    let stay = format!("check_in={}&check_out={}", app.day(1), app.day(2));

    let family_only = json(app.rates(&format!("{stay}&guests=4")).await).await;
    let suite = json(app.rates(&format!("{stay}&room_type=STE")).await).await;
    let suite_too_small = json(app.rates(&format!("{stay}&room_type=STE&guests=4")).await).await;

    assert_eq!(family_only["offers"].as_array().unwrap().len(), 1);
    assert_eq!(family_only["offers"][0]["room_type"], "FAM");
    assert_eq!(suite["offers"][0]["room_type"], "STE");
    assert_eq!(suite["offers"][0]["total"], "900.00");
    assert_eq!(suite_too_small["offers"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn unknown_room_type_is_404_case_sensitive() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let stay = format!("check_in={}&check_out={}", app.day(1), app.day(2));

        let body = assert_error(
            app.rates(&format!("{stay}&room_type=dlx")).await,
            404,
            "unknown_room_type",
        )
        .await;
        assert_eq!(body["error"]["field"], "room_type");
        assert_error(
            app.rates(&format!("{stay}&room_type=PENTHOUSE")).await,
            404,
            "unknown_room_type",
        )
        .await;
    }
}

#[actix_web::test]
async fn sold_out_or_missing_last_night_gets_no_offer() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        set_available(&app.database, "DLX", &app.day(4), 0).await;
        let stay = format!("check_in={}&check_out={}", app.day(2), app.day(5));

        let body = json(app.rates(&format!("{stay}&room_type=DLX")).await).await;
        assert_eq!(body["offers"].as_array().unwrap().len(), 0, "{backend:?}");

        // The demo data has 365 nights; a stay whose last night is beyond them has no rate.
        let beyond = format!("check_in={}&check_out={}", app.day(360), app.day(366));
        let body = json(app.rates(&beyond).await).await;
        assert_eq!(body["offers"].as_array().unwrap().len(), 0, "{backend:?}");

        let within = format!("check_in={}&check_out={}", app.day(360), app.day(365));
        let body = json(app.rates(&within).await).await;
        assert_eq!(body["offers"].as_array().unwrap().len(), 4, "{backend:?}");
    }
}

#[actix_web::test]
async fn available_is_minimum_over_nights() {
    let app = spawn_app(Backend::Postgres).await;
    set_available(&app.database, "STD", &app.day(2), 3).await;

    let body = json(
        app.rates(&format!(
            "check_in={}&check_out={}&room_type=STD",
            app.day(1),
            app.day(4)
        ))
        .await,
    )
    .await;

    assert_eq!(body["offers"][0]["available"], 3);
    assert_eq!(body["offers"][0]["total"], "1050.00");
}

#[actix_web::test]
async fn dubai_after_local_midnight() {
    for backend in BACKENDS {
        // 20:30 UTC on 10 March is 00:30 on 11 March in Dubai.
        let app = spawn_app_with(AppOptions::new(backend).at("2025-03-10T20:30:00Z")).await;

        let accepted = app.rates("check_in=2025-03-11&check_out=2025-03-12").await;
        assert_eq!(accepted.status(), 200, "{backend:?}");

        let body = assert_error(
            app.rates("check_in=2025-03-10&check_out=2025-03-12").await,
            422,
            "check_in_in_past",
        )
        .await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("2025-03-11"), "{message}");
        assert!(message.contains("Asia/Dubai"), "{message}");
        assert_eq!(body["error"]["field"], "check_in");
    }
}

#[actix_web::test]
async fn new_york_evening_before_utc_date() {
    for backend in BACKENDS {
        // 02:00 UTC on 11 March is 21:00 on 10 March in New York.
        let options = AppOptions::new(backend)
            .env("PROPERTY_TIMEZONE", "America/New_York")
            .at("2025-03-11T02:00:00Z");
        let app = spawn_app_with(options).await;

        let response = app.rates("check_in=2025-03-10&check_out=2025-03-11").await;

        assert_eq!(response.status(), 200, "{backend:?}");
        assert_eq!(json(response).await["offers"].as_array().unwrap().len(), 4);
    }
}

#[actix_web::test]
async fn night_audit_keeps_previous_business_date() {
    for backend in BACKENDS {
        // 22:30 UTC on 10 March is 02:30 on 11 March in Dubai, before a 05:00 audit.
        let options = AppOptions::new(backend)
            .env("BUSINESS_DAY_START", "05:00")
            .at("2025-03-10T22:30:00Z");
        let app = spawn_app_with(options).await;

        assert_eq!(
            app.rates("check_in=2025-03-10&check_out=2025-03-11")
                .await
                .status(),
            200
        );
        let body = assert_error(
            app.rates("check_in=2025-03-09&check_out=2025-03-11").await,
            422,
            "check_in_in_past",
        )
        .await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("2025-03-10")
        );
    }
}

#[actix_web::test]
async fn check_out_must_follow_check_in() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;

        for query in [
            format!("check_in={}&check_out={}", app.day(2), app.day(2)),
            format!("check_in={}&check_out={}", app.day(2), app.day(1)),
        ] {
            let body =
                assert_error(app.rates(&query).await, 422, "check_out_not_after_check_in").await;
            assert_eq!(body["error"]["field"], "check_out");
        }
    }
}

#[actix_web::test]
async fn max_stay_nights_is_inclusive() {
    for backend in BACKENDS {
        let app = spawn_app_with(AppOptions::new(backend).env("MAX_STAY_NIGHTS", "30")).await;

        let thirty = app
            .rates(&format!(
                "check_in={}&check_out={}",
                app.day(0),
                app.day(30)
            ))
            .await;
        assert_eq!(thirty.status(), 200);
        assert_eq!(json(thirty).await["nights"], 30);

        let thirty_one = app
            .rates(&format!(
                "check_in={}&check_out={}",
                app.day(0),
                app.day(31)
            ))
            .await;
        assert_error(thirty_one, 422, "stay_too_long").await;
    }
}

#[actix_web::test]
async fn unreadable_input_is_400() {
    let app = spawn_app(Backend::Sqlite).await;
    let (tomorrow, after) = (app.day(1), app.day(2));

    let cases = [
        (
            format!("check_out={after}"),
            "missing_parameter",
            Some("check_in"),
        ),
        (
            format!("check_in={tomorrow}"),
            "missing_parameter",
            Some("check_out"),
        ),
        (String::new(), "missing_parameter", Some("check_in")),
        (
            format!("check_in=2025-03-11T00:00:00%2B04:00&check_out={after}"),
            "invalid_date",
            Some("check_in"),
        ),
        (
            format!("check_in={tomorrow}&check_out=2025-02-30"),
            "invalid_date",
            Some("check_out"),
        ),
        (
            format!("check_in=0000-01-01x&check_out={after}"),
            "invalid_date",
            Some("check_in"),
        ),
        (
            format!("check_in={tomorrow}&check_out={after}&guests=2.0"),
            "invalid_guests",
            Some("guests"),
        ),
        (
            format!("check_in={tomorrow}&check_out={after}&guests=0"),
            "invalid_guests",
            Some("guests"),
        ),
        (
            format!("check_in={tomorrow}&check_out={after}&guests=-1"),
            "invalid_guests",
            Some("guests"),
        ),
        (
            format!("check_in={tomorrow}&check_out={after}&guests=many"),
            "invalid_guests",
            Some("guests"),
        ),
        (
            format!("check_in=%FF&check_out={after}"),
            "invalid_query",
            None,
        ),
        (
            format!("check_in=%zz&check_out={after}"),
            "invalid_query",
            None,
        ),
    ];
    for (query, code, field) in cases {
        let body = assert_error(app.rates(&query).await, 400, code).await;
        match field {
            Some(field) => assert_eq!(body["error"]["field"], field, "{query}"),
            None => assert!(body["error"].get("field").is_none(), "{query}"),
        }
    }
}

#[actix_web::test]
async fn date_time_message_asks_for_plain_date() {
    let app = spawn_app(Backend::Sqlite).await;

    let body = assert_error(
        app.rates(&format!(
            "check_in=2025-03-11T00:00:00%2B04:00&check_out={}",
            app.day(2)
        ))
        .await,
        400,
        "invalid_date",
    )
    .await;

    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    assert!(message.contains("Asia/Dubai"), "{message}");
    assert!(
        message.contains(&app.business_date().to_string()),
        "{message}"
    );
}

#[actix_web::test]
async fn server_timezone_never_changes_results() {
    for server_timezone in ["UTC", "America/New_York", "Pacific/Kiritimati"] {
        let database = crate::helpers::TestDatabase::create(Backend::Sqlite).await;
        let process = crate::helpers::ServerProcess::start(&[
            ("DATABASE_URL", database.url.clone()),
            ("TZ", server_timezone.to_owned()),
        ])
        .await;
        let client = reqwest::Client::new();
        let business_date = crate::helpers::dubai_business_date();
        let day = |offset: i64| (business_date + chrono::Duration::days(offset)).to_string();
        let rates = |query: String| {
            client
                .get(format!("{}/rates?{query}", process.address))
                .send()
        };

        let health = json(
            client
                .get(format!("{}/health", process.address))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            health["property"]["business_date"],
            day(0),
            "TZ={server_timezone}"
        );
        let today = rates(format!("check_in={}&check_out={}", day(0), day(1)))
            .await
            .unwrap();
        assert_eq!(today.status(), 200, "TZ={server_timezone}");
        let yesterday = rates(format!("check_in={}&check_out={}", day(-1), day(1)))
            .await
            .unwrap();
        let body = assert_error(yesterday, 422, "check_in_in_past").await;
        assert!(
            body["error"]["message"].as_str().unwrap().contains(&day(0)),
            "TZ={server_timezone}"
        );
    }
}
