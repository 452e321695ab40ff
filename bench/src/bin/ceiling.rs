//! ceiling: a minimal actix-web 4 server that responds like /rates does.
//!
//! Every path returns 200 with a fixed JSON body shaped like a /rates response,
//! built once at start. No middleware, no actors, no database: the requests
//! per second it sustains on this machine are the framework's ceiling, and
//! grace's /rates figure is read as a fraction of it. It runs with the same
//! number of workers as grace, and stops by itself after --exit-after-seconds
//! so a crashed benchmark script never leaves it behind.

use std::time::Duration;

use actix_web::web::{self, Bytes};
use actix_web::{App, HttpResponse, HttpServer};
use clap::Parser;
use grace_bench::{parse_loopback_bind, rates_body};

#[derive(Parser, Debug)]
#[command(
    name = "ceiling",
    about = "Fixed-body actix-web server: the framework ceiling for /rates"
)]
struct Args {
    /// Listen address; loopback only.
    #[arg(long, default_value = "127.0.0.1:8081")]
    bind: String,
    /// actix-web worker threads; give grace's HTTP_WORKERS. Defaults to the CPU count, as grace does.
    #[arg(long)]
    workers: Option<usize>,
    /// Offers in the body. Two offers of three nights come close to the
    /// mean /rates response of the `rates` scenario, where one request in
    /// five names no room type and so gets all four.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=4))]
    offers: u8,
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=30))]
    nights: u32,
    /// Stop serving after this many seconds.
    #[arg(long, default_value_t = 900)]
    exit_after_seconds: u64,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let address = parse_loopback_bind(&args.bind).map_err(std::io::Error::other)?;
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let body = Bytes::from(rates_body(usize::from(args.offers), args.nights));
    eprintln!(
        "ceiling: {} workers on {address}, body {} bytes",
        workers,
        body.len()
    );

    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            let body = body.clone();
            App::new().default_service(web::to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json; charset=utf-8")
                        .body(body)
                }
            }))
        })
        .workers(workers)
        .bind(address)?
        .run();

        let handle = server.handle();
        let exit_after = Duration::from_secs(args.exit_after_seconds);
        actix_web::rt::spawn(async move {
            actix_web::rt::time::sleep(exit_after).await;
            eprintln!("ceiling: --exit-after-seconds reached; stopping");
            handle.stop(true).await;
        });
        server.await
    })
}
