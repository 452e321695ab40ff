//! loadgen: HTTP/1.1 keep-alive load against a grace (or ceiling) server on
//! this machine's loopback interface.
//!
//! Each of `--concurrency` workers owns one connection and sends its next
//! request as soon as the previous response is read (closed loop), for
//! `--duration-seconds`. All connections are open before the clock starts,
//! so connection set-up is not in the figures. The summary goes to stderr
//! and one JSON line with every figure goes to stdout for scripts/bench.sh.
//!
//! Scenarios:
//! - `rates`: GET /rates, check_in = business date + 1..=300 days, 1..=5
//!   nights, one of the four demo room types or none.
//! - `bookings`: signed POST /webhook `booking.created`, one night each,
//!   spread evenly over the 365 seeded nights and 4 room types.
//! - `mix`: 95 % rates, 4 % bookings, 1 % signed `rates.updated`.
//! - `fixed`: GET `--path`, for the framework ceiling.
//!
//! `--wait-health` instead polls GET /health until a 200 and prints the
//! milliseconds since `--since-unix-nanos`: the ready-to-serve time.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chrono::{Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use clap::{Parser, ValueEnum};
use grace_bench::{DEMO_ROOM_TYPES, LoopbackTarget, Rng, format_amount, parse_loopback_url, sign};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{Barrier, watch};

/// The demo data set has 365 nights per room type, from the business date on.
const SEEDED_NIGHTS: u64 = 365;
/// Pairs of (night, room type) that bookings are spread over.
const BOOKING_SLOTS: u64 = SEEDED_NIGHTS * DEMO_ROOM_TYPES.len() as u64;
/// Coprime with BOOKING_SLOTS, so consecutive bookings land on slots far
/// apart (no two concurrent bookings wait on the same row lock) and every
/// slot is used once before any is used twice.
const BOOKING_STEP: u64 = 367;
/// Histogram range in microseconds: 1 µs to 60 s, 3 significant digits.
const HISTOGRAM_MAX_MICROS: u64 = 60_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Rates,
    Bookings,
    Mix,
    Fixed,
}

#[derive(Parser, Debug)]
#[command(
    name = "loadgen",
    about = "Closed-loop HTTP/1.1 load against a server on loopback"
)]
struct Args {
    /// Server base URL; only 127.0.0.1, localhost and [::1] are accepted.
    #[arg(long)]
    base_url: String,
    #[arg(long, value_enum, default_value = "rates")]
    scenario: Scenario,
    /// Workers, each with its own keep-alive connection.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    concurrency: u32,
    /// How long to send requests; capped at an hour so a run always ends.
    #[arg(long, default_value_t = 20.0, value_parser = parse_duration)]
    duration_seconds: f64,
    /// Path (and query) for the `fixed` scenario.
    #[arg(long, default_value = "/")]
    path: String,
    /// Environment variable holding the webhook secret (bookings and mix).
    #[arg(long, default_value = "HMAC_SECRET")]
    secret_env: String,
    /// The property's timezone, for its business date.
    #[arg(long, default_value = "Asia/Dubai", value_parser = parse_timezone)]
    timezone: Tz,
    /// Local time at which the business date rolls over (HH:MM).
    #[arg(long, default_value = "00:00", value_parser = parse_time)]
    business_day_start: NaiveTime,
    /// Runtime threads. One is plenty for tens of thousands of requests per
    /// second, and leaves the other cores to the server under test.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: u16,
    /// Seconds without a response after which a request counts as timed out.
    #[arg(long, default_value_t = 30)]
    timeout_seconds: u64,
    /// Book only the first N nights from the business date (stress runs keep
    /// bookings and rates.updated on separate nights, so inventory adds up).
    #[arg(long, default_value_t = SEEDED_NIGHTS, value_parser = clap::value_parser!(u64).range(1..=365))]
    booking_days: u64,
    /// Send rates.updated only for nights from this day after the business date on.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=299))]
    update_from_day: u64,
    /// Random seed, for a repeatable request sequence.
    #[arg(long)]
    seed: Option<u64>,
    /// Poll GET /health until it returns 200, print the time taken, and exit.
    #[arg(long)]
    wait_health: bool,
    /// With --wait-health: the instant the server was started, in Unix nanoseconds.
    #[arg(long)]
    since_unix_nanos: Option<u128>,
}

fn parse_duration(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(0.1..=3600.0).contains(&seconds) {
        return Err(format!("{seconds} is outside 0.1..=3600 seconds"));
    }
    Ok(seconds)
}

fn parse_timezone(text: &str) -> Result<Tz, String> {
    text.parse::<Tz>()
        .map_err(|_| format!("{text:?} is not an IANA timezone name"))
}

fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| format!("{text:?} is not a time of day HH:MM"))
}

fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default()
}

fn unix_seconds() -> i64 {
    Utc::now().timestamp()
}

fn main() -> ExitCode {
    let started_nanos = unix_nanos();
    let args = Args::parse();
    let target = match parse_loopback_url(&args.base_url) {
        Ok(target) => target,
        Err(message) => {
            eprintln!("loadgen: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(args.threads))
        .enable_all()
        .build()
        .expect("a tokio runtime starts");

    let result = runtime.block_on(async {
        if args.wait_health {
            let since = args.since_unix_nanos.unwrap_or(started_nanos);
            wait_health(&target, since, Duration::from_secs(args.timeout_seconds)).await
        } else {
            run_load(&args, target).await
        }
    });
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("loadgen: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Polls every 2 ms, a fine enough step for a target of hundreds of ms.
async fn wait_health(
    target: &LoopbackTarget,
    since_unix_nanos: u128,
    timeout: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match connect(target).await {
            Ok(mut sender) => {
                let request = get_request(&target.host_header, "/health".to_owned());
                match tokio::time::timeout(Duration::from_secs(1), exchange(&mut sender, request))
                    .await
                {
                    Ok(Ok((200, _))) => {
                        let ready_ms = unix_nanos().saturating_sub(since_unix_nanos) as f64 / 1e6;
                        return Ok(json!({"ready_ms": round3(ready_ms)}).to_string());
                    }
                    Ok(Ok((status, _))) => format!("status {status}"),
                    Ok(Err(error)) => error,
                    Err(_) => String::from("no answer within 1 s"),
                }
            }
            Err(error) => error,
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "/health did not answer 200 within {timeout:?}; last: {last}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

async fn connect(target: &LoopbackTarget) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(target.address)
        .await
        .map_err(|error| format!("connect to {}: {error}", target.address))?;
    // Disable Nagle's algorithm: requests are small and latency is measured,
    // so no segment may wait to be coalesced with a later one.
    stream
        .set_nodelay(true)
        .map_err(|error| format!("TCP_NODELAY: {error}"))?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| format!("HTTP handshake: {error}"))?;
    tokio::spawn(async move {
        // The connection ends when its sender is dropped or the server closes it.
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole response. Returns the status and the body size.
async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> Result<(u16, usize), String> {
    sender
        .ready()
        .await
        .map_err(|error| format!("connection not ready: {error}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| format!("request failed: {error}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|error| format!("reading the body failed: {error}"))?
        .to_bytes();
    Ok((status, body.len()))
}

fn get_request(host: &str, path_and_query: String) -> Request<Full<Bytes>> {
    Request::builder()
        .method(Method::GET)
        .uri(path_and_query)
        .header(HOST, host)
        .body(Full::new(Bytes::new()))
        .expect("a GET request with a valid path")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Rates,
    Booking,
    RatesUpdated,
    Fixed,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Rates => "rates",
            Kind::Booking => "booking.created",
            Kind::RatesUpdated => "rates.updated",
            Kind::Fixed => "fixed",
        }
    }
}

/// Builds the requests of a scenario; shared by all workers.
struct Generator {
    scenario: Scenario,
    host: String,
    fixed_path: String,
    business_date: NaiveDate,
    secret: Vec<u8>,
    /// Makes event ids and references unique across runs on one database.
    run_id: String,
    events: AtomicU64,
    booking_offset: u64,
    /// Booking slots in use: room types x booked nights.
    booking_slots: u64,
    update_from_day: u64,
    /// The last X-Timestamp sent with rates.updated; never goes backwards,
    /// so a later update is never skipped as stale.
    last_update_timestamp: AtomicI64,
}

impl Generator {
    fn next(&self, rng: &mut Rng) -> (Kind, Request<Full<Bytes>>) {
        let kind = match self.scenario {
            Scenario::Rates => Kind::Rates,
            Scenario::Bookings => Kind::Booking,
            Scenario::Fixed => Kind::Fixed,
            Scenario::Mix => match rng.range(0, 99) {
                0..=94 => Kind::Rates,
                95..=98 => Kind::Booking,
                _ => Kind::RatesUpdated,
            },
        };
        let request = match kind {
            Kind::Rates => self.rates(rng),
            Kind::Booking => self.booking(),
            Kind::RatesUpdated => self.rates_updated(rng),
            Kind::Fixed => get_request(&self.host, self.fixed_path.clone()),
        };
        (kind, request)
    }

    fn day(&self, offset: u64) -> NaiveDate {
        self.business_date + Days::new(offset)
    }

    fn rates(&self, rng: &mut Rng) -> Request<Full<Bytes>> {
        let check_in = self.day(rng.range(1, 300));
        let check_out = check_in + Days::new(rng.range(1, 5));
        let choice = rng.range(0, DEMO_ROOM_TYPES.len() as u64) as usize;
        let path = match DEMO_ROOM_TYPES.get(choice) {
            Some((code, ..)) => {
                format!("/rates?check_in={check_in}&check_out={check_out}&room_type={code}")
            }
            None => format!("/rates?check_in={check_in}&check_out={check_out}"),
        };
        get_request(&self.host, path)
    }

    fn booking(&self) -> Request<Full<Bytes>> {
        let number = self.events.fetch_add(1, Ordering::Relaxed);
        let slot = (self.booking_offset + number * BOOKING_STEP) % self.booking_slots;
        let (code, ..) = DEMO_ROOM_TYPES[(slot % DEMO_ROOM_TYPES.len() as u64) as usize];
        let check_in = self.day(slot / DEMO_ROOM_TYPES.len() as u64);
        let check_out = check_in + Days::new(1);
        let run_id = &self.run_id;
        let body = format!(
            r#"{{"id":"evt-bench-{run_id}-{number}","type":"booking.created","data":{{"reference":"BENCH-{run_id}-{number}","room_type":"{code}","check_in":"{check_in}","check_out":"{check_out}","guests":1,"guest":{{"name":"Bench Guest","email":"guest@example.invalid"}}}}}}"#
        );
        self.signed_post(unix_seconds(), body)
    }

    fn rates_updated(&self, rng: &mut Rng) -> Request<Full<Bytes>> {
        let number = self.events.fetch_add(1, Ordering::Relaxed);
        let (code, _, _, amount) =
            DEMO_ROOM_TYPES[rng.range(0, DEMO_ROOM_TYPES.len() as u64 - 1) as usize];
        let first = rng.range(self.update_from_day, 300);
        let rates: Vec<String> = (first..first + rng.range(1, 7))
            .map(|offset| {
                format!(
                    r#"{{"date":"{}","amount":"{}","available":10}}"#,
                    self.day(offset),
                    format_amount(amount)
                )
            })
            .collect();
        let body = format!(
            r#"{{"id":"evt-bench-{}-u{number}","type":"rates.updated","data":{{"room_type":"{code}","rates":[{}]}}}}"#,
            self.run_id,
            rates.join(",")
        );
        let now = unix_seconds();
        let timestamp = self
            .last_update_timestamp
            .fetch_max(now, Ordering::Relaxed)
            .max(now);
        self.signed_post(timestamp, body)
    }

    fn signed_post(&self, timestamp: i64, body: String) -> Request<Full<Bytes>> {
        let timestamp = timestamp.to_string();
        let signature = sign(&self.secret, &timestamp, body.as_bytes());
        Request::builder()
            .method(Method::POST)
            .uri("/webhook")
            .header(HOST, &self.host)
            .header(CONTENT_TYPE, "application/json")
            .header("x-timestamp", timestamp)
            .header("x-signature", signature)
            .body(Full::new(Bytes::from(body)))
            .expect("a POST request with valid headers")
    }
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HISTOGRAM_MAX_MICROS, 3).expect("valid histogram bounds")
}

struct KindStats {
    latency: Histogram<u64>,
    statuses: BTreeMap<u16, u64>,
}

/// Latencies, status counts and errors of one worker, merged into one at the end.
struct Stats {
    latency: Histogram<u64>,
    kinds: BTreeMap<Kind, KindStats>,
    errors: BTreeMap<&'static str, u64>,
    body_bytes: u64,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            latency: new_histogram(),
            kinds: BTreeMap::new(),
            errors: BTreeMap::new(),
            body_bytes: 0,
        }
    }

    fn record(&mut self, kind: Kind, status: u16, elapsed: Duration, body_bytes: usize) {
        let micros = (elapsed.as_micros() as u64).max(1);
        self.latency.saturating_record(micros);
        let entry = self.kinds.entry(kind).or_insert_with(|| KindStats {
            latency: new_histogram(),
            statuses: BTreeMap::new(),
        });
        entry.latency.saturating_record(micros);
        *entry.statuses.entry(status).or_default() += 1;
        self.body_bytes += body_bytes as u64;
    }

    fn error(&mut self, error_kind: &'static str) {
        *self.errors.entry(error_kind).or_default() += 1;
    }

    fn merge(&mut self, other: Stats) {
        self.latency
            .add(&other.latency)
            .expect("histograms with the same bounds");
        for (kind, theirs) in other.kinds {
            match self.kinds.get_mut(&kind) {
                Some(ours) => {
                    ours.latency
                        .add(&theirs.latency)
                        .expect("histograms with the same bounds");
                    for (status, count) in theirs.statuses {
                        *ours.statuses.entry(status).or_default() += count;
                    }
                }
                None => {
                    self.kinds.insert(kind, theirs);
                }
            }
        }
        for (error_kind, count) in other.errors {
            *self.errors.entry(error_kind).or_default() += count;
        }
        self.body_bytes += other.body_bytes;
    }

    fn statuses(&self) -> BTreeMap<u16, u64> {
        let mut all = BTreeMap::new();
        for kind in self.kinds.values() {
            for (status, count) in &kind.statuses {
                *all.entry(*status).or_default() += count;
            }
        }
        all
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn quantile_ms(histogram: &Histogram<u64>, quantile: f64) -> f64 {
    round3(histogram.value_at_quantile(quantile) as f64 / 1000.0)
}

fn status_json(statuses: &BTreeMap<u16, u64>) -> Value {
    Value::Object(
        statuses
            .iter()
            .map(|(status, count)| (status.to_string(), json!(count)))
            .collect(),
    )
}

async fn run_load(args: &Args, target: LoopbackTarget) -> Result<String, String> {
    let now = Utc::now();
    let local = now.with_timezone(&args.timezone).naive_local();
    // The same rule as grace's PropertyCalendar: before the night audit it is still yesterday.
    let business_date = if local.time() < args.business_day_start {
        local.date().pred_opt().unwrap_or(local.date())
    } else {
        local.date()
    };
    let secret = match args.scenario {
        Scenario::Bookings | Scenario::Mix => match std::env::var(&args.secret_env) {
            Ok(secret) if !secret.is_empty() => secret.into_bytes(),
            _ => {
                return Err(format!(
                    "the {} scenario signs webhooks: set {}",
                    scenario_name(args.scenario),
                    args.secret_env
                ));
            }
        },
        Scenario::Rates | Scenario::Fixed => Vec::new(),
    };
    if !args.path.starts_with('/') {
        return Err(format!("--path {:?} must start with '/'", args.path));
    }

    let seed = args.seed.unwrap_or(unix_nanos() as u64);
    let mut seed_rng = Rng::new(seed);
    let generator = Arc::new(Generator {
        scenario: args.scenario,
        host: target.host_header.clone(),
        fixed_path: args.path.clone(),
        business_date,
        secret,
        run_id: format!(
            "{:010x}",
            (unix_nanos() as u64 ^ (u64::from(std::process::id()) << 40)) & 0xff_ffff_ffff
        ),
        events: AtomicU64::new(0),
        booking_offset: seed_rng.range(0, BOOKING_SLOTS - 1),
        booking_slots: args.booking_days * DEMO_ROOM_TYPES.len() as u64,
        update_from_day: args.update_from_day,
        last_update_timestamp: AtomicI64::new(0),
    });
    let target = Arc::new(target);
    let timeout = Duration::from_secs(args.timeout_seconds.max(1));
    let concurrency = args.concurrency as usize;
    let barrier = Arc::new(Barrier::new(concurrency + 1));
    let (gate, gate_watch) = watch::channel(None::<Instant>);

    let workers: Vec<_> = (0..concurrency)
        .map(|index| {
            let worker = Worker {
                target: target.clone(),
                generator: generator.clone(),
                rng: Rng::new(seed_rng.next_u64() ^ index as u64),
                timeout,
            };
            tokio::spawn(worker.run(barrier.clone(), gate_watch.clone()))
        })
        .collect();

    barrier.wait().await;
    let started = Instant::now();
    let duration = Duration::from_secs_f64(args.duration_seconds);
    gate.send(Some(started + duration))
        .map_err(|_| "every worker ended early")?;

    let mut stats = Stats::new();
    for worker in workers {
        stats.merge(
            worker
                .await
                .map_err(|error| format!("a worker panicked: {error}"))?,
        );
    }
    let elapsed = started.elapsed().as_secs_f64();

    let responses = stats.latency.len();
    if responses == 0 {
        return Err(format!(
            "no answer at all from {}; errors: {:?}",
            target.address, stats.errors
        ));
    }
    let statuses = stats.statuses();
    let ok: u64 = statuses
        .iter()
        .filter(|(status, _)| (200..300).contains(*status))
        .map(|(_, count)| count)
        .sum();
    let kinds: serde_json::Map<String, Value> = stats
        .kinds
        .iter()
        .map(|(kind, kind_stats)| {
            let value = json!({
                "requests": kind_stats.latency.len(),
                "p50_ms": quantile_ms(&kind_stats.latency, 0.50),
                "p90_ms": quantile_ms(&kind_stats.latency, 0.90),
                "p99_ms": quantile_ms(&kind_stats.latency, 0.99),
                "status": status_json(&kind_stats.statuses),
            });
            (kind.label().to_owned(), value)
        })
        .collect();
    let report = json!({
        "scenario": scenario_name(args.scenario),
        "concurrency": args.concurrency,
        "duration_s": round3(elapsed),
        "business_date": business_date.to_string(),
        "requests": responses,
        "rps": round3(responses as f64 / elapsed),
        "rps_2xx": round3(ok as f64 / elapsed),
        "p50_ms": quantile_ms(&stats.latency, 0.50),
        "p90_ms": quantile_ms(&stats.latency, 0.90),
        "p99_ms": quantile_ms(&stats.latency, 0.99),
        "max_ms": round3(stats.latency.max() as f64 / 1000.0),
        "mean_body_bytes": round3(stats.body_bytes as f64 / responses as f64),
        "status": status_json(&statuses),
        "errors": stats.errors,
        "kinds": kinds,
    });

    eprintln!(
        "loadgen {}: {} requests in {:.2} s = {:.0} req/s; p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms; status {:?}; errors {:?}",
        scenario_name(args.scenario),
        responses,
        elapsed,
        responses as f64 / elapsed,
        quantile_ms(&stats.latency, 0.50),
        quantile_ms(&stats.latency, 0.90),
        quantile_ms(&stats.latency, 0.99),
        statuses,
        stats.errors,
    );
    Ok(report.to_string())
}

fn scenario_name(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Rates => "rates",
        Scenario::Bookings => "bookings",
        Scenario::Mix => "mix",
        Scenario::Fixed => "fixed",
    }
}

struct Worker {
    target: Arc<LoopbackTarget>,
    generator: Arc<Generator>,
    rng: Rng,
    timeout: Duration,
}

impl Worker {
    /// Connects, waits for every other worker, then sends requests one after
    /// another until the deadline the gate announces.
    async fn run(
        mut self,
        barrier: Arc<Barrier>,
        mut gate: watch::Receiver<Option<Instant>>,
    ) -> Stats {
        let mut stats = Stats::new();
        let mut connection = connect(&self.target)
            .await
            .inspect_err(|_| stats.error("connect"))
            .ok();
        barrier.wait().await;
        let deadline = match gate.wait_for(Option::is_some).await {
            Ok(deadline) => deadline.expect("waited for Some"),
            Err(_) => return stats,
        };

        while Instant::now() < deadline {
            let mut sender = match connection.take() {
                Some(sender) if !sender.is_closed() => sender,
                _ => match connect(&self.target).await {
                    Ok(sender) => sender,
                    Err(_) => {
                        stats.error("connect");
                        // Back off a little so a refusing server is not spun on.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                },
            };
            let (kind, request) = self.generator.next(&mut self.rng);
            let started = Instant::now();
            match tokio::time::timeout(self.timeout, exchange(&mut sender, request)).await {
                Ok(Ok((status, body_bytes))) => {
                    stats.record(kind, status, started.elapsed(), body_bytes);
                    connection = Some(sender);
                }
                // The connection is dropped and a new one opened next time.
                Ok(Err(_)) => stats.error("io"),
                Err(_) => stats.error("timeout"),
            }
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator(scenario: Scenario) -> Generator {
        Generator {
            scenario,
            host: "127.0.0.1:8080".to_owned(),
            fixed_path: "/".to_owned(),
            business_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            secret: b"bench-secret".to_vec(),
            run_id: "abc".to_owned(),
            events: AtomicU64::new(0),
            booking_offset: 0,
            booking_slots: BOOKING_SLOTS,
            update_from_day: 1,
            last_update_timestamp: AtomicI64::new(0),
        }
    }

    #[test]
    fn rates_requests_stay_inside_the_seeded_nights() {
        let generator = generator(Scenario::Rates);
        let mut rng = Rng::new(1);
        for _ in 0..1000 {
            let (kind, request) = generator.next(&mut rng);
            assert_eq!(kind, Kind::Rates);
            let query = request.uri().query().unwrap().to_owned();
            let check_in: NaiveDate = query[9..19].parse().unwrap();
            let check_out: NaiveDate = query[30..40].parse().unwrap();
            let nights = (check_out - check_in).num_days();
            assert!((1..=5).contains(&nights), "{query}");
            let first = (check_in - generator.business_date).num_days();
            assert!((1..=300).contains(&first), "{query}");
        }
    }

    #[test]
    fn bookings_use_every_slot_once_before_reusing_one() {
        let generator = generator(Scenario::Bookings);
        let mut rng = Rng::new(1);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..BOOKING_SLOTS {
            let (_, request) = generator.next(&mut rng);
            let body = futures_body(request);
            let data: Value = serde_json::from_str(&body).unwrap();
            let key = format!("{}/{}", data["data"]["room_type"], data["data"]["check_in"]);
            assert!(seen.insert(key), "a slot was used twice");
        }
    }

    #[test]
    fn webhook_requests_are_signed_with_the_secret() {
        let generator = generator(Scenario::Mix);
        let request = generator.rates_updated(&mut Rng::new(3));
        let timestamp = request.headers()["x-timestamp"]
            .to_str()
            .unwrap()
            .to_owned();
        let signature = request.headers()["x-signature"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = futures_body(request);
        assert_eq!(
            signature,
            sign(b"bench-secret", &timestamp, body.as_bytes())
        );
        let event: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(event["type"], "rates.updated");
    }

    fn futures_body(request: Request<Full<Bytes>>) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = runtime
            .block_on(request.into_body().collect())
            .unwrap()
            .to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}
