//! `AuthActor`: verifies webhook signatures on the raw body bytes.

use actix::{Actor, Context, Handler, Message, MessageResult};
use actix_web::web::Bytes;

use crate::domain::calendar::SharedClock;
use crate::metrics;
use crate::signature::{AuthError, SignatureVerifier};

pub struct AuthActor {
    verifier: SignatureVerifier,
    clock: SharedClock,
}

impl AuthActor {
    pub fn new(verifier: SignatureVerifier, clock: SharedClock) -> AuthActor {
        AuthActor { verifier, clock }
    }
}

impl Actor for AuthActor {
    type Context = Context<Self>;
}

/// The signature headers and body of one request, copied out of it so the
/// message can cross to the actor. `Bytes` clones share the buffer.
pub struct VerifySignature {
    pub signature: Option<Bytes>,
    pub timestamp: Option<Bytes>,
    pub body: Bytes,
}

impl Message for VerifySignature {
    type Result = Result<(), AuthError>;
}

impl Handler<VerifySignature> for AuthActor {
    type Result = MessageResult<VerifySignature>;

    fn handle(&mut self, request: VerifySignature, _: &mut Context<Self>) -> Self::Result {
        let result = self.verifier.verify(
            request.signature.as_deref(),
            request.timestamp.as_deref(),
            &request.body,
            self.clock.now().timestamp(),
        );
        metrics::record_verification(result.as_ref().err().map(|error| error.code.as_str()));
        MessageResult(result)
    }
}
