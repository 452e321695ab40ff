//! The cached nights and the look-up over them.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, Statement};

use crate::domain::stay::Stay;
use crate::store::rates::{Offer, RatesLookup};

/// The NOTIFY channel that carries the id of a room type whose nights changed.
pub const RATES_CHANNEL: &str = "grace_rates";

/// Nights cached from the business date on, which covers any stay that
/// starts within a year. Longer-range stays are looked up in the database.
pub const WINDOW_NIGHTS: i64 = 400;

#[derive(Debug)]
struct CachedRoomType {
    code: String,
    name: String,
    max_guests: i32,
    /// Amount in minor units and free units per night, from the window start;
    /// `None` where the night has no row.
    nights: Vec<Option<(i64, i32)>>,
}

#[derive(Debug, Default)]
struct Snapshot {
    window_start: Option<NaiveDate>,
    /// Room types by id, and their ids sorted by code, the order of offers.
    room_types: HashMap<i32, Arc<CachedRoomType>>,
    by_code: Vec<i32>,
}

/// The cache of one process, shared by its `DbActor`s.
#[derive(Debug, Default)]
pub struct RatesCache {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Whether the listener is connected and a full load finished after it connected.
    connected: AtomicBool,
    /// Whether the last reload of notified room types failed.
    reload_failed: AtomicBool,
    dirty: Mutex<HashSet<i32>>,
    pub(super) wake: tokio::sync::Notify,
    /// Held across each reload's query and swap, so that of two reloads the
    /// one that read later also writes later and no reload loses another's.
    reloading: tokio::sync::Mutex<()>,
}

impl RatesCache {
    pub fn new() -> Arc<RatesCache> {
        Arc::new(RatesCache::default())
    }

    /// Looks a stay up in memory; `None` when the cache cannot serve it (not
    /// usable, or the stay is outside the cached window), so the caller
    /// queries the database instead.
    pub fn find_offers(
        &self,
        stay: Stay,
        room_type: Option<&str>,
        guests: Option<u32>,
    ) -> Option<RatesLookup> {
        if !self.connected.load(Ordering::Acquire) || self.reload_failed.load(Ordering::Acquire) {
            return None;
        }
        let snapshot = self.current();
        let window_start = snapshot.window_start?;
        let first = (stay.check_in - window_start).num_days();
        let last = (stay.check_out - window_start).num_days();
        if first < 0 || last > WINDOW_NIGHTS {
            return None;
        }

        if let Some(code) = room_type
            && !snapshot
                .by_code
                .iter()
                .any(|id| snapshot.room_types[id].code == code)
        {
            return Some(RatesLookup::UnknownRoomType);
        }
        let offers = snapshot
            .by_code
            .iter()
            .map(|id| &snapshot.room_types[id])
            .filter(|cached| room_type.is_none_or(|code| cached.code == code))
            .filter(|cached| guests.is_none_or(|guests| cached.max_guests >= guests as i32))
            .filter_map(|cached| offer(cached, stay, first as usize, last as usize, window_start))
            .collect();
        Some(RatesLookup::Offers(offers))
    }

    /// Returns the snapshot in use now.
    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(super) fn set_connected(&self, connected: bool) {
        self.connected.store(connected, Ordering::Release);
    }

    pub fn set_reload_failed(&self, failed: bool) {
        self.reload_failed.store(failed, Ordering::Release);
    }

    /// Marks a room type for reloading and wakes the reloader.
    pub(super) fn mark_dirty(&self, room_type_id: i32) {
        self.dirty
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(room_type_id);
        self.wake.notify_one();
    }

    pub(super) fn take_dirty(&self) -> Vec<i32> {
        self.dirty
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .drain()
            .collect()
    }

    /// Loads every room type of the property and its window of nights.
    pub(super) async fn load_all<C: ConnectionTrait>(
        &self,
        connection: &C,
        property_id: i32,
        window_start: NaiveDate,
    ) -> Result<(), DbErr> {
        let _reloading = self.reloading.lock().await;
        let rows = connection
            .query_all_raw(Statement::from_sql_and_values(
                connection.get_database_backend(),
                "SELECT id, code, name, max_guests FROM room_type WHERE property_id = $1 ORDER BY code",
                [property_id.into()],
            ))
            .await?;
        let mut room_types = HashMap::new();
        let mut by_code = Vec::new();
        for row in rows {
            let id: i32 = row.try_get_by_index(0)?;
            by_code.push(id);
            room_types.insert(
                id,
                CachedRoomType {
                    code: row.try_get_by_index(1)?,
                    name: row.try_get_by_index(2)?,
                    max_guests: row.try_get_by_index(3)?,
                    nights: vec![None; WINDOW_NIGHTS as usize],
                },
            );
        }
        fill_nights(connection, &mut room_types, window_start).await?;

        let snapshot = Snapshot {
            window_start: Some(window_start),
            room_types: room_types
                .into_iter()
                .map(|(id, cached)| (id, Arc::new(cached)))
                .collect(),
            by_code,
        };
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(snapshot);
        Ok(())
    }

    /// Adds `delta` to the free units of a room type on the nights of a stay,
    /// for a booking or cancellation this process has just committed. Nights
    /// outside the window are not cached and need nothing.
    pub async fn apply_units(&self, room_type_id: i32, stay: Stay, delta: i32) {
        let _reloading = self.reloading.lock().await;
        let current = self.current();
        let (Some(window_start), Some(cached)) =
            (current.window_start, current.room_types.get(&room_type_id))
        else {
            return;
        };

        let mut nights = cached.nights.clone();
        for date in stay.dates() {
            let index = (date - window_start).num_days();
            if let Some(Some((_, available))) = usize::try_from(index)
                .ok()
                .and_then(|index| nights.get_mut(index))
            {
                *available += delta;
            }
        }
        let patched = cached.with_nights(nights);
        self.replace_room_types(&current, HashMap::from([(room_type_id, patched)]));
    }

    /// Reloads the nights of some room types, keeping the others as they are.
    pub async fn reload<C: ConnectionTrait>(
        &self,
        connection: &C,
        room_type_ids: &[i32],
    ) -> Result<(), DbErr> {
        let _reloading = self.reloading.lock().await;
        let current = self.current();
        let Some(window_start) = current.window_start else {
            return Ok(());
        };
        let mut changed: HashMap<i32, CachedRoomType> = room_type_ids
            .iter()
            .filter_map(|id| current.room_types.get(id).map(|cached| (*id, cached)))
            .map(|(id, cached)| (id, cached.without_nights()))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        fill_nights(connection, &mut changed, window_start).await?;

        self.replace_room_types(&current, changed);
        Ok(())
    }

    /// Publishes a snapshot in which some room types replace their entries
    /// in `current`. The caller holds the reload lock.
    fn replace_room_types(&self, current: &Snapshot, replacements: HashMap<i32, CachedRoomType>) {
        let mut room_types = current.room_types.clone();
        for (id, cached) in replacements {
            room_types.insert(id, Arc::new(cached));
        }
        let snapshot = Snapshot {
            window_start: current.window_start,
            room_types,
            by_code: current.by_code.clone(),
        };
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(snapshot);
    }
}

impl CachedRoomType {
    /// Returns the same room type with other nights.
    fn with_nights(&self, nights: Vec<Option<(i64, i32)>>) -> CachedRoomType {
        CachedRoomType {
            code: self.code.clone(),
            name: self.name.clone(),
            max_guests: self.max_guests,
            nights,
        }
    }

    /// Returns the same room type with no night loaded yet.
    fn without_nights(&self) -> CachedRoomType {
        self.with_nights(vec![None; WINDOW_NIGHTS as usize])
    }
}

/// Reads the window's nights of the given room types in one query.
async fn fill_nights<C: ConnectionTrait>(
    connection: &C,
    room_types: &mut HashMap<i32, CachedRoomType>,
    window_start: NaiveDate,
) -> Result<(), DbErr> {
    if room_types.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = room_types.keys().map(i32::to_string).collect();
    // The ids are integers from the database, so joining them into the SQL
    // is safe and keeps one statement for any number of room types.
    let sql = format!(
        "SELECT room_type_id, date, amount_minor, available FROM nightly_rate \
         WHERE room_type_id IN ({}) AND date >= $1 AND date < $2",
        ids.join(", ")
    );
    let window_end = window_start + chrono::Duration::days(WINDOW_NIGHTS);
    let rows = connection
        .query_all_raw(Statement::from_sql_and_values(
            connection.get_database_backend(),
            sql,
            [window_start.into(), window_end.into()],
        ))
        .await?;
    for row in rows {
        let id: i32 = row.try_get_by_index(0)?;
        let date: NaiveDate = row.try_get_by_index(1)?;
        let index = (date - window_start).num_days() as usize;
        if let Some(cached) = room_types.get_mut(&id) {
            cached.nights[index] = Some((row.try_get_by_index(2)?, row.try_get_by_index(3)?));
        }
    }
    Ok(())
}

/// Builds the offer of one room type, when every night has a rate and a free unit.
fn offer(
    cached: &CachedRoomType,
    stay: Stay,
    first: usize,
    last: usize,
    window_start: NaiveDate,
) -> Option<Offer> {
    let mut nightly = Vec::with_capacity(last - first);
    let mut available = i32::MAX;
    let mut total_minor = 0;
    for index in first..last {
        let (amount, free) = cached.nights[index]?;
        nightly.push((window_start + chrono::Duration::days(index as i64), amount));
        available = available.min(free);
        total_minor += amount;
    }
    debug_assert_eq!(nightly.len() as i64, stay.nights());
    (available > 0).then(|| Offer {
        room_type: cached.code.clone(),
        name: cached.name.clone(),
        max_guests: cached.max_guests,
        available,
        nightly,
        total_minor,
    })
}
