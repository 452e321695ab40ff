//! A restartable actor address. actix's own `Supervisor` restarts an actor
//! that calls `ctx.stop()`, but not one whose handler panicked: the panic
//! drops the actor and every later `send` fails with `Closed`. The slot
//! notices that and starts a fresh actor on the same arbiter.

use std::sync::{Arc, Mutex};

use actix::{Actor, Addr, Context};
use actix_rt::ArbiterHandle;

use crate::metrics;

/// Something the supervisor checks on every tick.
pub trait Watched: Send + Sync {
    fn name(&self) -> &'static str;
    /// Restarts the actor when it has stopped; returns whether it did.
    fn restart_if_stopped(&self) -> bool;
}

/// Every slot of the process, shared with the `SupervisorActor`.
pub type Watchlist = Arc<Mutex<Vec<Arc<dyn Watched>>>>;

type Factory<A> = Arc<dyn Fn() -> A + Send + Sync>;

pub struct ActorSlot<A: Actor<Context = Context<A>>> {
    name: &'static str,
    arbiter: ArbiterHandle,
    factory: Factory<A>,
    addr: Mutex<Addr<A>>,
}

impl<A: Actor<Context = Context<A>>> ActorSlot<A> {
    /// Starts the actor on the given arbiter and registers the slot.
    pub fn start(
        name: &'static str,
        arbiter: ArbiterHandle,
        factory: impl Fn() -> A + Send + Sync + 'static,
        watchlist: &Watchlist,
    ) -> Arc<ActorSlot<A>> {
        let factory: Factory<A> = Arc::new(factory);
        let starting = factory.clone();
        let addr = A::start_in_arbiter(&arbiter, move |_| starting());
        let slot = Arc::new(ActorSlot {
            name,
            arbiter,
            factory,
            addr: Mutex::new(addr),
        });
        watchlist
            .lock()
            .expect("the watchlist lock is never held across a panic")
            .push(slot.clone());
        slot
    }

    pub fn addr(&self) -> Addr<A> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Addr<A>> {
        // A panic while the lock is held can only come from `start_in_arbiter`;
        // the address inside is still a valid value, so carry on with it.
        self.addr
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<A: Actor<Context = Context<A>>> Watched for ActorSlot<A> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn restart_if_stopped(&self) -> bool {
        let mut addr = self.lock();
        if addr.connected() {
            return false;
        }
        // A worker that has shut down takes its arbiter with it; there is
        // nothing to restart then, and nothing will send to this slot again.
        if !self.arbiter.spawn(async {}) {
            return false;
        }
        let factory = self.factory.clone();
        *addr = A::start_in_arbiter(&self.arbiter, move |_| factory());
        metrics::record_actor_restart(self.name);
        tracing::warn!(actor = self.name, "restarted a stopped actor");
        true
    }
}
